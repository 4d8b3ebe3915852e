"""The one entry point for training, used by the bot, the web admin, the scheduler and the CLI.

`request_training` starts a run in a child process and returns at once; `run_training` runs one in this
process (the CLI, with a progress hook). Both take the training lock first, so a second request hears
"already running (run N)". A child that dies (crash, SIGKILL) releases the lock with its last descriptor;
its run row is then marked failed by the parent's watcher, or by the next request.

Callers poll the run row (`TrainingRun.progress`, `.status`) or call `wait_for_run`. This module imports no
torch: the child process does the heavy imports.
"""

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import TrainingRun
from storage.store import open_store
from storage.versions import finish_run, running_run, start_run
from trainer.config import TrainConfig
from trainer.errors import TrainingBusy
from trainer.lock import try_lock, unlock
from trainer.meta import MODELS_DIR, remove_stale_temp_dirs

log = logging.getLogger(__name__)

RUN_LOG_DIR = "runs"
FINISHED = ("succeeded", "failed")


@dataclass(frozen=True)
class RunRequest:
    """The answer to a training request: which run, whether this request started it, and a message for people."""

    run_id: Optional[int]
    started: bool
    message: str
    pid: Optional[int] = None  # the training child's process id, when this request started one


def request_training(
    database_url: str, data_dir: Path, config: Optional[TrainConfig], trigger: str, requested_by: Optional[str]
) -> RunRequest:
    """Start a run in a child process unless one is running; never blocks on training itself."""
    data_dir = Path(data_dir)
    config = config or TrainConfig()
    descriptor = try_lock(data_dir)
    if descriptor is None:
        return _busy_answer(database_url, data_dir)
    try:
        run_id = _open_run(database_url, data_dir, trigger, requested_by)
        try:
            process = _spawn_child(database_url, data_dir, config, run_id, descriptor)
        except Exception as error:
            _mark_failed(database_url, data_dir, run_id, f"the training process could not start: {error}")
            raise
    finally:
        unlock(descriptor)  # the child holds its own inherited descriptor: the lock stays held until it exits
    threading.Thread(target=_watch_child, args=(process, database_url, data_dir, run_id), daemon=True, name=f"train-run-{run_id}").start()
    log.info("training run %s started (pid %s, trigger %s)", run_id, process.pid, trigger)
    return RunRequest(run_id, True, f"training started (run {run_id})", process.pid)


def run_training(
    database_url: str,
    data_dir: Path,
    config: Optional[TrainConfig] = None,
    trigger: str = "cli",
    requested_by: Optional[str] = None,
    on_progress: Optional[Callable[[dict[str, Any]], None]] = None,
    callbacks: Sequence[Any] = (),
):
    """Run training in this process (blocking) and return the TrainingResult; TrainingBusy if a run holds the lock."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see _child_environment; effective if torch is not loaded yet
    from trainer.pipeline import execute_run  # the heavy imports happen only when training here

    data_dir = Path(data_dir)
    descriptor = try_lock(data_dir)
    if descriptor is None:
        raise TrainingBusy(_busy_answer(database_url, data_dir).message)
    try:
        run_id = _open_run(database_url, data_dir, trigger, requested_by)
        return execute_run(database_url, data_dir, config or TrainConfig(), run_id, on_progress, callbacks)
    finally:
        unlock(descriptor)


def wait_for_run(
    database_url: str, run_id: int, timeout: float, poll: float = 0.5, on_progress: Optional[Callable[[dict[str, Any]], None]] = None
) -> dict[str, Any]:
    """Poll until run `run_id` has finished (calling `on_progress` with each new progress); returns the row as a dict."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    seen: Optional[dict[str, Any]] = None
    try:
        while True:
            row = read_run(engine, run_id)
            if on_progress is not None and row["progress"] != seen:
                seen = row["progress"]
                on_progress(dict(seen or {}))
            if row["status"] in FINISHED:
                return row
            if time.monotonic() >= deadline:
                raise TimeoutError(f"training run {run_id} still {row['status']} after {timeout:.0f} s ({row['progress']})")
            time.sleep(poll)
    finally:
        engine.dispose()


def read_run(engine: Engine, run_id: int) -> dict[str, Any]:
    """The run row as a plain dict (status, outcome, progress, error, report_path, candidate_version...)."""
    with Session(engine) as session:
        run = session.get(TrainingRun, run_id)
        if run is None:
            raise KeyError(f"no training run {run_id}")
        return {column.name: getattr(run, column.name) for column in TrainingRun.__table__.columns}


def _busy_answer(database_url: str, data_dir: Path) -> RunRequest:
    store = open_store(database_url, data_dir)
    try:
        with store.transaction() as session:
            run = running_run(session)
            run_id = run.id if run is not None else None
    finally:
        store.close()
    label = f"run {run_id}" if run_id is not None else "starting"
    return RunRequest(run_id, False, f"already running ({label})")


def _open_run(database_url: str, data_dir: Path, trigger: str, requested_by: Optional[str]) -> int:
    # We hold the lock, so any run still marked running lost its process without finishing: say so.
    store = open_store(database_url, data_dir)
    try:
        with store.transaction() as session:
            while (stale := running_run(session)) is not None:
                finish_run(session, stale.id, "failed", error=stale.error or "the training process ended without finishing (killed or crashed)")
                session.flush()
            return start_run(session, trigger, requested_by).id
    finally:
        store.close()


def _spawn_child(database_url: str, data_dir: Path, config: TrainConfig, run_id: int, descriptor: int) -> subprocess.Popen:
    log_dir = data_dir / RUN_LOG_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    job = {"database_url": database_url, "data_dir": str(data_dir.resolve()), "config": config.as_dict(), "run_id": run_id, "lock_fd": descriptor}
    with (log_dir / f"run-{run_id}.log").open("ab") as log_file:
        # A new session: Ctrl-C or a crash in the caller does not reach the training. The job goes over stdin,
        # because a database URL may hold a password that `ps` would show.
        process = subprocess.Popen(
            [sys.executable, "-m", "trainer.child"], stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT,
            pass_fds=(descriptor,), start_new_session=True,
            env=_child_environment(),
        )
    process.stdin.write(json.dumps(job).encode("utf-8"))
    process.stdin.close()
    return process


def _child_environment() -> dict[str, str]:
    # OpenMP threads that spin while waiting make torch several times slower on a busy small host (measured
    # 1.8-3.8 s vs 0.7-1.1 s per mobilenet_v2 step); passive waiting costs little when the host is idle.
    package_root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "PYTHONPATH": path}


def _watch_child(process: subprocess.Popen, database_url: str, data_dir: Path, run_id: int) -> None:
    code = process.wait()
    if code == 0:
        return
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    log.warning("training run %s: child process %s", run_id, how)
    _mark_failed(database_url, data_dir, run_id, f"the training process {how}")
    descriptor = try_lock(data_dir)
    if descriptor is not None:  # else a new run holds the lock, and it clears leftovers itself before training
        try:
            remove_stale_temp_dirs(data_dir / MODELS_DIR)
        finally:
            unlock(descriptor)


def _mark_failed(database_url: str, data_dir: Path, run_id: int, error: str) -> None:
    # Only a run nobody finished: a child that failed cleanly has already written its own error.
    try:
        store = open_store(database_url, data_dir)
        try:
            with store.transaction() as session:
                run = session.get(TrainingRun, run_id)
                if run is not None and run.status not in FINISHED:
                    finish_run(session, run_id, "failed", error=error)
        finally:
            store.close()
    except Exception:
        log.exception("could not record the end of training run %s", run_id)
