"""A download run killed with SIGKILL mid-way, then run again: every image once, no partial files."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.cli.main import main
from storage.files import sha256_hex
from tests.collect.image_server import ImageServer, Reply
from tests.collect.images import jpeg

REPO = Path(__file__).resolve().parents[2]
FIRST, LATER = 6, 4  # served at once / held until after the kill


def _image_rows(database: Path) -> list[tuple[str, str]]:
    if not database.exists():
        return []
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text("SELECT sha256, path FROM images"))]
    except Exception:  # the schema may not be there yet while the child starts
        return []
    finally:
        engine.dispose()


def _wait_for(condition, timeout: float = 30.0) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "the child never got there"
        time.sleep(0.05)


def test_kill_mid_run_then_rerun_stores_each_image_once(tmp_path, monkeypatch, capsys):
    """SIGKILL while downloads are in flight loses nothing committed; the re-run completes without duplicates."""
    data, database = tmp_path / "data", tmp_path / "data" / "citybot.sqlite3"
    bodies = [jpeg("Munich", seed) for seed in range(FIRST + LATER)]
    held = threading.Event()
    with ImageServer() as server:
        for number, body in enumerate(bodies):
            server.replies[f"/{number}.jpg"] = Reply(body=body, hold=held if number >= FIRST else None)
        (tmp_path / "urls.txt").write_text("\n".join(server.url(f"/{n}.jpg") for n in range(len(bodies))) + "\n")
        env = {**os.environ, "DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
        env.pop("DATABASE_URL", None)
        child = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "import-urls", "urls.txt", "--class", "Munich", "--workers", "2"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            _wait_for(lambda: len(_image_rows(database)) == FIRST and f"/{FIRST}.jpg" in server.requested)
            time.sleep(0.3)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
        assert child.returncode == -signal.SIGKILL
        assert len(_image_rows(database)) == FIRST

        held.set()
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("DATA_DIR", str(data))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        assert main(["import-urls", "urls.txt", "--class", "Munich", "--json"]) == 0
        assert '"already_stored": 6' in capsys.readouterr().out
        downloads = [path for path in server.requested if path.endswith(".jpg")]

    rows = _image_rows(database)
    assert sorted(sha for sha, _path in rows) == sorted(sha256_hex(body) for body in bodies)
    assert all(downloads.count(f"/{n}.jpg") == 1 for n in range(FIRST))  # stored ones were not fetched again
    files = [path for path in (data / "images").rglob("*") if path.is_file()]
    assert sorted(str(path.relative_to(data / "images")) for path in files) == sorted(path for _sha, path in rows)
    assert all(sha256_hex(path.read_bytes()) == path.stem for path in files)
