"""Training runs end to end: the cycle, the gate, rollback, crash safety and one run at a time."""

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main as citybot
from storage.cities import get_city
from storage.labels import effective_labels, set_label
from storage.models import TrainingRun
from storage.store import open_store
from storage.users import get_or_create_user
from storage.versions import get_version, list_versions, live_version, promote
from tests.synthetic import CITIES, photo_bytes, seed_store
from trainer.config import TrainConfig
from trainer.dataset import is_validation
from trainer.lock import is_locked
from trainer.predictor import Predictor
from trainer.runner import request_training, run_training, wait_for_run

# Small and quick: tiny images, one epoch per stage, short lr_finds; one torch thread (the host is shared).
TINY = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=1, lr_find_iterations=30, lr_find_unfrozen_iterations=10, threads=1)
MOBILENET = TrainConfig(arch="mobilenet_v2", image_size=64, batch_size=16, frozen_epochs=2, unfrozen_epochs=1, lr_find_unfrozen_iterations=12, threads=1)


def url_of(root: Path) -> str:
    """The SQLite URL of a scenario directory."""
    return f"sqlite:///{root / 'db.sqlite3'}"


def version_dirs(root: Path) -> list[str]:
    """Every entry under DATA_DIR/models (version directories and any leftovers)."""
    models = root / "data" / "models"
    return sorted(path.name for path in models.iterdir()) if models.is_dir() else []


@pytest.fixture(scope="module")
def first_model(tmp_path_factory) -> tuple[Path, object]:
    """20 synthetic photos per city and a first mobilenet_v2 model trained on them (offline weights)."""
    root = tmp_path_factory.mktemp("scenario")
    store = open_store(url_of(root), root / "data", CITIES)
    seed_store(store, per_city=20, size=(80, 80))
    store.close()
    return root, run_training(url_of(root), root / "data", MOBILENET, trigger="test")


@pytest.fixture
def scenario(first_model, tmp_path) -> Path:
    """A private copy of the store with the first model live, for tests that change it."""
    root = tmp_path / "copy"
    shutil.copytree(first_model[0], root)
    return root


def test_tiny_cycle_makes_a_loadable_version_with_report(tmp_path):
    """One cycle with the tiny arch at 64 px writes a version that loads, a report, and rows that match."""
    store = open_store(url_of(tmp_path), tmp_path / "data", CITIES)
    seed_store(store, per_city=10, size=(64, 64))
    store.close()
    seen = []
    result = run_training(url_of(tmp_path), tmp_path / "data", TINY, trigger="cli", on_progress=seen.append)
    predictor = Predictor.load(result.version_dir)
    assert predictor.classes == list(CITIES) and predictor.version == result.version
    meta = json.loads((result.version_dir / "meta.json").read_text())
    assert meta["counts"]["train"] and meta["parent_version"] is None and meta["resize"]["method"] == "crop"
    report = result.version_dir / "report"
    for name in ("lr_find_frozen.png", "lr_find_unfrozen.png", "training_curves.png", "confusion.png", "top_losses.png", "summary.txt"):
        assert (report / name).stat().st_size > 0
    stages = [state["stage"] for state in seen]
    assert [s for s in dict.fromkeys(stages)] == ["data", "features", "lr_find_frozen", "frozen", "lr_find_unfrozen", "unfrozen", "export", "evaluate", "report", "done"]
    store = open_store(url_of(tmp_path), tmp_path / "data")
    with store.transaction() as session:
        row = get_version(session, result.version)
        run = session.get(TrainingRun, result.run_id)
        assert row.artifact_path == f"models/{result.version}" and row.status in ("live", "rejected")
        assert run.status == "succeeded" and run.candidate_version == result.version
        assert run.report_path == f"models/{result.version}/report" and run.progress["stage"] == "done"
    store.close()
    assert not is_locked(tmp_path / "data")


@pytest.mark.slow
def test_mobilenet_learns_the_synthetic_cities(first_model):
    """Offline-pretrained mobilenet_v2 reaches at least 90% validation accuracy and goes live as the first model."""
    root, result = first_model
    assert result.accuracy >= 0.9
    assert result.promoted, result.reason
    store = open_store(url_of(root), root / "data")
    with store.transaction() as session:
        assert live_version(session).version == result.version
    store.close()


def shuffle_training_labels(root: Path) -> None:
    """An admin relabels every training-split photo at random (validation labels stay true)."""
    store = open_store(url_of(root), root / "data")
    rng = random.Random(7)
    with store.transaction() as session:
        admin = get_or_create_user(session, "telegram", 99, is_admin=True)
        for image, city in effective_labels(session):
            if not is_validation(image.sha256, TrainConfig().valid_pct):
                wrong = rng.choice([name for name in CITIES if name != city.name])
                set_label(session, image, admin, get_city(session, wrong), "admin")
    store.close()


@pytest.mark.slow
def test_gate_rejects_worse_candidate_then_promote_force_and_rollback(scenario, first_model, monkeypatch, capsys):
    """A model trained on shuffled labels is rejected and live stays; `promote --force` and `rollback` work by hand."""
    first = first_model[1].version
    shuffle_training_labels(scenario)
    result = run_training(url_of(scenario), scenario / "data", MOBILENET, trigger="test")
    assert not result.promoted and "below live" in result.reason
    store = open_store(url_of(scenario), scenario / "data")
    with store.transaction() as session:
        assert live_version(session).version == first
        assert get_version(session, result.version).status == "rejected"
    monkeypatch.chdir(scenario)
    monkeypatch.setenv("DATA_DIR", str(scenario / "data"))
    monkeypatch.setenv("DATABASE_URL", url_of(scenario))
    assert citybot(["promote", result.version]) == 2
    assert citybot(["promote", result.version, "--force"]) == 0
    with store.transaction() as session:
        assert live_version(session).version == result.version
    assert citybot(["rollback"]) == 0
    assert f"{result.version} -> {first} is live" in capsys.readouterr().out
    with store.transaction() as session:
        assert live_version(session).version == first
    store.close()
    assert citybot(["models"]) == 0
    listing = capsys.readouterr().out
    assert first in listing and "live" in listing and "rejected" in listing


@pytest.mark.slow
def test_exception_mid_epoch_leaves_live_and_database_intact(scenario, first_model):
    """A crash in the middle of an epoch: run failed with the error, live unchanged, no new version, lock free."""
    from fastai.callback.core import Callback

    class Boom(Callback):
        """Raises in the middle of the first unfrozen epoch (not in lr_find), as a bug or a bad batch would."""

        def after_batch(self):
            fitting = not any(type(callback).__name__ == "LRFinder" for callback in self.learn.cbs)
            unfrozen = any(parameter.requires_grad for parameter in self.model[0].parameters())
            if self.training and fitting and unfrozen and self.iter == 1:
                raise RuntimeError("boom mid-epoch")

    before = version_dirs(scenario)
    seen = []
    with pytest.raises(RuntimeError, match="boom mid-epoch"):
        run_training(url_of(scenario), scenario / "data", TINY, trigger="test", callbacks=[Boom()], on_progress=seen.append)
    assert seen[-1]["stage"] == "unfrozen"
    assert version_dirs(scenario) == before
    store = open_store(url_of(scenario), scenario / "data")
    with store.transaction() as session:
        assert live_version(session).version == first_model[1].version
        assert len(list_versions(session)) == 1
        run = session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc())).first()
        assert run.status == "failed" and "boom mid-epoch" in run.error
    store.close()
    assert not is_locked(scenario / "data")
    Predictor.load(scenario / "data" / "models" / first_model[1].version)


@pytest.mark.slow
def test_sigkill_during_export_and_one_run_at_a_time(scenario, first_model):
    """A second request hears "already running"; SIGKILL while the version is written leaves live and DB intact."""
    before = version_dirs(scenario)
    first = request_training(url_of(scenario), scenario / "data", TINY, trigger="test", requested_by="tester")
    assert first.started and first.pid
    second = request_training(url_of(scenario), scenario / "data", TINY, trigger="test", requested_by="someone else")
    assert not second.started and second.run_id == first.run_id
    assert second.message == f"already running (run {first.run_id})"
    models = scenario / "data" / "models"
    deadline = time.monotonic() + 120
    while not any(path.name.startswith(".incoming-") for path in models.iterdir()):
        assert time.monotonic() < deadline, "the child never started writing a version"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    row = wait_for_run(url_of(scenario), first.run_id, timeout=30, poll=0.1)
    assert row["status"] == "failed" and "signal 9" in row["error"]
    deadline = time.monotonic() + 10
    while version_dirs(scenario) != before and time.monotonic() < deadline:
        time.sleep(0.05)  # the watcher removes the half-written temp dir right after marking the run
    assert version_dirs(scenario) == before
    assert not is_locked(scenario / "data")
    store = open_store(url_of(scenario), scenario / "data")
    with store.transaction() as session:
        assert live_version(session).version == first_model[1].version
        assert [row.version for row in list_versions(session)] == [first_model[1].version]
    store.close()


@pytest.fixture
def small_models_disk(tmp_path):
    """DATA_DIR/models on its own 4 MB tmpfs (needs root and mount; skipped visibly otherwise)."""
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(models)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a full-disk test needs a small tmpfs: mount failed ({mounted.stderr.strip()})")
    try:
        yield models
    finally:
        subprocess.run(["umount", "-l", str(models)], check=False)


@pytest.mark.slow
def test_full_disk_while_writing_the_version(tmp_path, small_models_disk):
    """A disk that fills up while the candidate is written: run failed with the reason, live intact, nothing partial."""
    store = open_store(url_of(tmp_path), tmp_path / "data", CITIES)
    seed_store(store, per_city=8, size=(64, 64))
    store.close()
    live = run_training(url_of(tmp_path), tmp_path / "data", TINY, trigger="test")
    ballast = small_models_disk / "ballast"
    free = shutil.disk_usage(small_models_disk).free
    ballast.write_bytes(b"\0" * max(0, free - 200_000))  # leave less room than one more model needs
    store = open_store(url_of(tmp_path), tmp_path / "data")
    with store.transaction() as session:
        promote(session, live.version, reason="test: live before the disk fills")
    with pytest.raises(OSError):
        run_training(url_of(tmp_path), tmp_path / "data", TINY, trigger="test")
    assert sorted(path.name for path in small_models_disk.iterdir()) == sorted(["ballast", live.version])
    with store.transaction() as session:
        assert live_version(session).version == live.version
        run = session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc())).first()
        assert run.status == "failed" and "No space left on device" in run.error
    store.close()
    assert Predictor.load(live.version_dir).predict(photo_bytes("Cebu", 3))
    assert not is_locked(tmp_path / "data")


@pytest.mark.slow
def test_background_run_reports_progress_and_finishes(tmp_path):
    """request_training returns at once; another process sees the progress in the run row until it succeeds."""
    store = open_store(url_of(tmp_path), tmp_path / "data", CITIES)
    seed_store(store, per_city=8, size=(64, 64))
    store.close()
    request = request_training(url_of(tmp_path), tmp_path / "data", TINY, trigger="bot", requested_by="telegram:1")
    assert request.started and request.message == f"training started (run {request.run_id})"
    assert is_locked(tmp_path / "data")  # returned while the child still holds the lock: the caller was not blocked
    seen = []
    row = wait_for_run(url_of(tmp_path), request.run_id, timeout=120, poll=0.05, on_progress=seen.append)
    assert row["status"] == "succeeded" and row["outcome"] in ("promoted", "rejected"), row["error"]
    assert row["requested_by"] == "telegram:1" and row["progress"]["stage"] == "done"
    assert len({state.get("stage") for state in seen}) >= 3  # it moved through stages while we watched
    assert (tmp_path / "data" / "models" / row["candidate_version"] / "model.onnx").is_file()
    assert (tmp_path / "data" / "runs" / f"run-{request.run_id}.log").stat().st_size > 0
