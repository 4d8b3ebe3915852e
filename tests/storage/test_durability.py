"""Real processes against one store: concurrent writers lose nothing, and a killed process keeps its commit."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from storage.models import Image, Label
from storage.store import open_store

ROOT = Path(__file__).resolve().parents[2]
LABELS_PER_WRITER = 1000


def worker(*arguments: str, **options) -> subprocess.Popen:
    """Start tests/storage/label_worker.py in its own Python process."""
    command = [sys.executable, "-m", "tests.storage.label_worker", *arguments]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def seed_images(url: str, data_dir: Path, count: int) -> None:
    """`count` image rows and the default cities, so workers only write labels."""
    store = open_store(url, data_dir, ["Cebu", "Munich", "Seoul"])
    with store.transaction() as session:
        session.add_all(
            Image(sha256=f"{number:064x}", path=f"{number}.png", width=8, height=8, format="PNG", source="test")
            for number in range(count)
        )
    store.close()


def test_two_writers_and_a_reader_lose_nothing(database_url, tmp_path):
    """Two processes commit 1,000 labels each while a third reads: exactly 2,000 labels, no 'database is locked'."""
    seed_images(database_url, tmp_path, LABELS_PER_WRITER)
    stop = tmp_path / "stop"
    reader = worker("read", database_url, str(tmp_path), str(stop))
    writers = [worker("write", database_url, str(tmp_path), f"writer-{n}", str(LABELS_PER_WRITER)) for n in (1, 2)]
    results = [process.communicate(timeout=240) for process in writers]
    stop.touch()
    reader_out, reader_err = reader.communicate(timeout=60)
    for process, (out, err) in zip(writers, results):
        assert process.returncode == 0, err
        assert "locked" not in err and out.strip() == f"wrote {LABELS_PER_WRITER}"
    assert reader.returncode == 0, reader_err
    assert reader_out.startswith("reads ")
    store = open_store(database_url, tmp_path)
    with store.transaction() as session:
        assert session.scalar(select(func.count(Label.id))) == 2 * LABELS_PER_WRITER
    store.close()


def test_label_survives_sigkill_right_after_commit(database_url, tmp_path):
    """A process killed with SIGKILL just after saying 'saved' still has its label after reopening."""
    seed_images(database_url, tmp_path, 1)
    process = worker("save-and-wait", database_url, str(tmp_path), "impatient")
    line = process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert line.startswith("saved "), process.stderr.read()
    label_id = int(line.split()[1])
    store = open_store(database_url, tmp_path)
    with store.transaction() as session:
        label = session.get(Label, label_id)
        assert (label.city.name, label.user.external_id) == ("Seoul", "impatient")
    store.close()
    process.stdout.close()
    process.stderr.close()
