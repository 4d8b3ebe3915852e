"""One training run from label store to decision: data, cycle, export, evaluation, gate, report, registry."""

import logging
import platform
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Optional, Sequence

import torch

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.torch_core import set_seed
from storage.store import LabelStore, open_store
from storage.versions import add_version, finish_run, get_version, live_version, promote, reject, set_progress
from trainer.archs import get_architecture
from trainer.artifacts import (
    StagedVersion, discard, inference_meta, publish, stage_version, write_meta, write_model_files,
)
from trainer.config import TrainConfig
from trainer.cycle import CycleResult, train_cycle
from trainer.dataset import Dataset, build_dataset
from trainer.evaluate import Evaluation, evaluate
from trainer.gate import Decision, decide, self_test
from trainer.learner import NORMALIZE_STATS, build_dataloaders, build_learner
from trainer.meta import MODELS_DIR, ONNX_FILE, REPORT_DIR, remove_stale_temp_dirs
from trainer.predictor import Predictor
from trainer.progress import Progress, ProgressCallback, ProgressHook
from trainer.report import write_plots, write_summary
from trainer.top_losses import write_top_losses

log = logging.getLogger(__name__)

LIBRARIES = ("torch", "torchvision", "fastai", "onnx", "onnxruntime", "numpy", "pillow")


@dataclass(frozen=True)
class TrainingResult:
    """How a run ended: the candidate version, whether it went live, why, and its accuracy vs live."""

    run_id: int
    version: str
    promoted: bool
    reason: str
    accuracy: float
    live_accuracy: Optional[float]
    version_dir: Path


def new_version_name() -> str:
    """`20261204-2031-ab12`: sortable by time, unique thanks to the random tail."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def library_versions() -> dict[str, str]:
    """Versions of the libraries that made a model, for meta.json."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def database_progress(store: LabelStore, run_id: int, also: Optional[ProgressHook]) -> ProgressHook:
    """A progress hook that writes into the run row (so the bot can show it) and then calls `also`."""

    def hook(state: dict[str, Any]) -> None:
        try:
            with store.transaction() as session:
                set_progress(session, run_id, state)
        except Exception:  # progress is informative; a busy database must not fail the run
            log.warning("could not record progress of run %s", run_id, exc_info=True)
        if also is not None:
            also(state)

    return hook


def execute_run(
    database_url: str,
    data_dir: Path,
    config: TrainConfig,
    run_id: int,
    on_progress: Optional[ProgressHook] = None,
    callbacks: Sequence[Any] = (),
) -> TrainingResult:
    """Train, export, judge and register one candidate; any failure marks the run failed and leaves live untouched.

    The caller holds the training lock and has created the run row. `callbacks` are extra fastai callbacks.
    """
    data_dir = Path(data_dir)
    store = open_store(database_url, data_dir)
    progress = Progress(database_progress(store, run_id, on_progress))
    attempt = Attempt()
    threads = torch.get_num_threads()
    try:
        remove_stale_temp_dirs(data_dir / MODELS_DIR)
        return _train_and_judge(store, data_dir, config, run_id, progress, callbacks, attempt)
    except BaseException as error:
        if attempt.staged is not None:
            discard(attempt.staged)
            _remove_unregistered(store, attempt.staged)
        _record_failure(store, run_id, error)
        raise
    finally:
        torch.set_num_threads(threads)
        store.close()


@dataclass
class Attempt:
    """What a run has put on disk so far, so a failure can take it away again."""

    staged: Optional[StagedVersion] = None


def _train_and_judge(store, data_dir, config, run_id, progress, callbacks, attempt: Attempt) -> TrainingResult:
    started = time.monotonic()
    if config.threads:
        torch.set_num_threads(config.threads)
    set_seed(config.seed)
    progress.stage("data")
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, config.valid_pct, config.min_images_per_class)
        live = live_version(session)
        live_row = (live.version, live.artifact_path, (live.metrics or {}).get("accuracy")) if live else None
    architecture = get_architecture(config.arch)
    version = new_version_name()
    with tempfile.TemporaryDirectory(prefix="citybot-train-") as workdir:
        learn = build_learner(build_dataloaders(dataset, config, augment=config.augment), architecture, Path(workdir))
        learn.add_cbs([ProgressCallback(progress), *callbacks])
        cycle = train_cycle(learn, config, progress)
        progress.stage("export", version=version)
        staged = attempt.staged = stage_version(data_dir / MODELS_DIR, version)
        files = write_model_files(staged, learn.model, config.image_size)
        meta = inference_meta(version, config.arch, dataset.classes, config.image_size, config.resize_method, NORMALIZE_STATS)
        write_meta(staged.temp_dir, meta)
        expected, _ = learn.get_preds(ds_idx=1)
        del learn
    progress.stage("evaluate", version=version)
    candidate = _evaluate_candidate(staged, dataset, expected.numpy())
    live_evaluation, live_note = _evaluate_live(data_dir, live_row, dataset)
    live_accuracy = live_evaluation.metrics["accuracy"] if live_evaluation else None
    decision = candidate["decision"] if candidate["decision"] else decide(
        candidate["evaluation"].metrics["accuracy"], live_accuracy, config.promotion_margin,
        [example.city for example in dataset.valid], candidate["self_test"],
    )
    progress.stage("report", version=version)
    evaluation: Evaluation = candidate["evaluation"]
    metrics = {
        **evaluation.metrics,
        "live_version": live_row[0] if live_row else None,
        "live_accuracy": live_accuracy,
        "live_per_city": live_evaluation.metrics["per_city"] if live_evaluation else None,
        "live_note": live_note,
    }
    report_dir = staged.temp_dir / REPORT_DIR
    write_plots(report_dir, cycle, dataset.valid, evaluation)
    splits = [("training", dataset.train, candidate["train_evaluation"]), ("validation", dataset.valid, evaluation)]
    write_top_losses(report_dir, version, dataset.classes, splits)
    summary = _summary(version, decision, metrics, cycle, dataset, config, time.monotonic() - started)
    write_summary(report_dir, summary)
    meta.update(
        metrics=metrics, counts=dataset.counts(), parent_version=live_row[0] if live_row else None,
        created=datetime.now(timezone.utc).isoformat(), libraries=library_versions(), config=config.as_dict(),
        training=_training_summary(cycle), sha256=files,
    )
    write_meta(staged.temp_dir, meta)
    final_dir = publish(staged)
    relative = f"{MODELS_DIR}/{version}"
    with store.transaction() as session:
        add_version(session, version, config.arch, dataset.classes, relative, files[ONNX_FILE], metrics, meta["parent_version"])
        if decision.promote:
            promote(session, version, decision.reason)
        else:
            reject(session, version, decision.reason)
        finish_run(
            session, run_id, "succeeded", outcome="promoted" if decision.promote else "rejected",
            report_path=f"{relative}/{REPORT_DIR}", candidate_version=version,
        )
    progress.stage("done", version=version, outcome="promoted" if decision.promote else "rejected", accuracy=metrics["accuracy"])
    log.info("run %s: %s %s (%s)", run_id, version, "promoted" if decision.promote else "rejected", decision.reason)
    return TrainingResult(run_id, version, decision.promote, decision.reason, metrics["accuracy"], live_accuracy, final_dir)


def _evaluate_candidate(staged: StagedVersion, dataset: Dataset, expected) -> dict[str, Any]:
    try:
        predictor = Predictor.load(staged.temp_dir)
    except Exception as error:
        raise RuntimeError(f"the exported model does not load in the Predictor: {error}") from error
    evaluation = evaluate(predictor, dataset.valid, dataset.classes)
    problem = self_test(predictor, expected, evaluation.probabilities, dataset.classes)
    # The training photos too (one pass, no augmentation): the cleaner lists the worst of both splits by id.
    train_evaluation = evaluate(predictor, dataset.train, dataset.classes)
    return {
        "evaluation": evaluation,
        "train_evaluation": train_evaluation,
        "self_test": problem,
        "decision": None if not problem else Decision(False, f"self-test failed: {problem}"),
    }


def _evaluate_live(data_dir: Path, live_row, dataset: Dataset) -> tuple[Optional[Evaluation], Optional[str]]:
    if live_row is None:
        return None, None
    version, artifact_path, _ = live_row
    try:
        return evaluate(Predictor.load(data_dir / artifact_path), dataset.valid, dataset.classes), None
    except Exception as error:  # a broken live model is judged as no model at all, and the report says so
        log.warning("live model %s could not be evaluated: %s", version, error)
        return None, f"live model {version} could not be evaluated: {error}"


def _training_summary(cycle: CycleResult) -> dict[str, Any]:
    return {
        "frozen_lr": cycle.frozen_lr,
        "unfrozen_lrs": list(cycle.unfrozen_lrs),
        "lr_find": {stage: curve.suggestions for stage, curve in cycle.lr_finds.items()},
        "epochs": cycle.epochs,
    }


def _summary(version, decision, metrics, cycle, dataset, config, seconds) -> dict[str, Any]:
    return {
        "version": version,
        "decision": "promoted" if decision.promote else "rejected",
        "reason": decision.reason,
        "accuracy": metrics["accuracy"],
        "live_version": metrics["live_version"],
        "live_accuracy": metrics["live_accuracy"],
        "accuracy_change": metrics["accuracy"] - metrics["live_accuracy"] if metrics["live_accuracy"] is not None else None,
        "per_city": metrics["per_city"],
        "live_per_city": metrics["live_per_city"],
        "confusion": metrics["confusion"],
        "counts": dataset.counts(),
        "seconds": seconds,
        "config": config.as_dict(),
        **_training_summary(cycle),
    }


def _remove_unregistered(store: LabelStore, staged: StagedVersion) -> None:
    # Published but never recorded (the database failed after the rename): no row may point at it, so remove it.
    if not staged.final_dir.exists():
        return
    try:
        with store.transaction() as session:
            registered = get_version(session, staged.version) is not None
    except Exception:
        registered = True  # cannot tell; keeping a complete directory is the safe side
    if not registered:
        shutil.rmtree(staged.final_dir, ignore_errors=True)


def _record_failure(store: LabelStore, run_id: int, error: BaseException) -> None:
    message = str(error) or type(error).__name__
    if not isinstance(error, Exception):
        message = f"interrupted ({type(error).__name__})"
    log.error("training run %s failed: %s", run_id, message)
    try:
        with store.transaction() as session:
            finish_run(session, run_id, "failed", error=message)
    except Exception:
        log.exception("could not mark run %s failed", run_id)
