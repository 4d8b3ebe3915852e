"""Content-addressed image files under `DATA_DIR/images/`, written atomically."""

import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_PREFIX = ".incoming-"
STALE_TEMP_SECONDS = 3600  # a write in flight takes milliseconds; an hour-old temp file was left by a killed process


def sha256_hex(data: bytes) -> str:
    """The content hash that names a stored image."""
    return hashlib.sha256(data).hexdigest()


class ImageFiles:
    """Stores bytes once under their hash: temp file, fsync, rename; a crash leaves no partial file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def relative_path(self, sha256: str, fmt: str) -> str:
        """Where an image with this hash lives, relative to the root (two-level fan-out)."""
        return f"{sha256[:2]}/{sha256}.{fmt.lower()}"

    def path_of(self, relative: str) -> Path:
        """The absolute path of a stored image."""
        return self.root / relative

    def write(self, data: bytes, relative: str) -> Path:
        """Write `data` at `relative` atomically; an existing file (same hash) is left as it is."""
        final = self.root / relative
        if final.exists():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=final.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, final)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_directory(final.parent)
        return final

    def remove_stale_temp_files(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Delete temp files a killed writer left behind (untouched for `older_than` s); return how many."""
        cutoff = time.time() - older_than
        removed = 0
        for temp in [*self.root.glob(f"{TEMP_PREFIX}*"), *self.root.glob(f"*/{TEMP_PREFIX}*")]:
            try:
                if temp.is_file() and temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
            except FileNotFoundError:  # another process finished or cleaned it meanwhile
                continue
        if removed:
            log.info("removed %d unfinished image write(s) left in %s", removed, self.root)
        return removed

    def read(self, relative: str) -> bytes:
        """The stored bytes."""
        return (self.root / relative).read_bytes()

    def delete(self, relative: str) -> None:
        """Remove a stored image file if present."""
        (self.root / relative).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
