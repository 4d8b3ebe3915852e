"""Image files: temp files left by a writer killed before its rename are cleaned up when the store opens."""

import os
import time

from storage.store import open_store


def test_open_store_removes_old_temp_files_and_keeps_fresh_ones(tmp_path):
    """An hour-old `.incoming-*` file is deleted on open; a fresh one (a write in flight elsewhere) and real images stay."""
    database_url = f"sqlite:///{tmp_path / 'citybot.sqlite3'}"
    fan_out = tmp_path / "data" / "images" / "ab"
    fan_out.mkdir(parents=True)
    old, fresh, image = fan_out / ".incoming-killed", fan_out / ".incoming-in-flight", fan_out / "ab12.jpg"
    for path in (old, fresh, image):
        path.write_bytes(b"\xff\xd8 partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(image, (two_hours_ago, two_hours_ago))
    open_store(database_url, tmp_path / "data").close()
    assert not old.exists()
    assert fresh.exists() and image.exists()
