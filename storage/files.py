"""Content-addressed image files under `DATA_DIR/images/`, written atomically."""

import hashlib
import os
import tempfile
from pathlib import Path


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
        handle, temp_name = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
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
