"""Opening the store: several processes starting at once on a fresh database all succeed, cities seeded once."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.models import City
from storage.store import open_store

ROOT = Path(__file__).resolve().parents[2]
OPEN = "import sys; from pathlib import Path; from storage.store import open_store; open_store(sys.argv[1], Path(sys.argv[2]), ['Cebu', 'Munich', 'Seoul']).close()"


def test_simultaneous_first_starts(database_url, tmp_path):
    """Three processes (say the bot, the trainer child and a CLI command) migrate and seed one fresh database together."""
    processes = [
        subprocess.Popen([sys.executable, "-c", OPEN, database_url, str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], errors
    store = open_store(database_url, tmp_path)
    with store.read() as session:
        assert sorted(session.scalars(select(City.name))) == ["Cebu", "Munich", "Seoul"]
    store.close()
