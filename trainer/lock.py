"""One training run at a time across processes: an flock on `DATA_DIR/training.lock`, released by the kernel on death."""

import fcntl
import os
from pathlib import Path
from typing import Optional

LOCK_FILE = "training.lock"


def try_lock(data_dir: Path) -> Optional[int]:
    """The file descriptor holding the lock, or None if another process holds it."""
    path = Path(data_dir) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def unlock(descriptor: int) -> None:
    """Release the lock (closing the last descriptor that shares it)."""
    os.close(descriptor)


def is_locked(data_dir: Path) -> bool:
    """Whether some process holds the training lock right now."""
    descriptor = try_lock(data_dir)
    if descriptor is None:
        return True
    unlock(descriptor)
    return False
