"""Near-duplicate detection: perceptual hashes of every stored image, searched by Hamming distance."""

import logging
from dataclasses import dataclass
from typing import Optional

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.errors import BadImage
from storage.files import ImageFiles
from storage.models import Image
from trainer.collect.prepare import perceptual_hash

log = logging.getLogger(__name__)

# Measured (tests/collect/test_neardup.py, bench/collect.py): resizing and recompressing move the 64-bit phash by
# 0–2 bits, trimming 1–2 % a side by up to 6, 3 % by up to 10; different photos sit around 32, and even our
# look-alike synthetic city photos pair up at 8 or less only about once in 3,000 pairs.
NEAR_DUPLICATE_BITS = 8  # this close to a stored image: the same photo again, skipped
LOOKALIKE_BITS = 12  # this close: stored, but grouped with it so both land in the same split (no leakage)


@dataclass(frozen=True)
class Match:
    """The closest stored image and how many hash bits differ."""

    image_id: int
    sha256: str
    group_key: Optional[str]
    distance: int


class PhashIndex:
    """Perceptual hashes of stored images, kept in a numpy array for fast nearest-neighbour search."""

    def __init__(self) -> None:
        self._hashes: list[int] = []
        self._rows: list[tuple[int, str, Optional[str]]] = []
        self._position: dict[int, int] = {}
        self._array: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self._hashes)

    def add(self, phash: str, image_id: int, sha256: str, group_key: Optional[str]) -> None:
        """Remember one stored image."""
        self._hashes.append(int(phash, 16))
        self._position[image_id] = len(self._rows)
        self._rows.append((image_id, sha256, group_key))
        self._array = None

    def set_group(self, image_id: int, group_key: str) -> None:
        """Record that a stored image now belongs to a group."""
        position = self._position[image_id]
        self._rows[position] = self._rows[position][:2] + (group_key,)

    def nearest(self, phash: str) -> Optional[Match]:
        """The stored image whose hash is closest to `phash`, or None when the index is empty."""
        if not self._hashes:
            return None
        if self._array is None:
            self._array = np.array(self._hashes, dtype=np.uint64)
        distances = np.bitwise_count(self._array ^ np.uint64(int(phash, 16)))
        best = int(np.argmin(distances))
        image_id, sha256, group_key = self._rows[best]
        return Match(image_id, sha256, group_key, int(distances[best]))


def load_index(session: Session, files: ImageFiles) -> PhashIndex:
    """Every stored image's phash; images stored before (e.g. chat uploads) get theirs computed and saved now."""
    index = PhashIndex()
    columns = (Image.id, Image.sha256, Image.path, Image.phash, Image.group_key)
    rows = session.execute(select(*columns).order_by(Image.id)).all()
    missing = sum(row.phash is None for row in rows)
    if missing:
        log.info("computing perceptual hashes of %d stored images (once)", missing)
    for image_id, sha256, path, phash, group_key in rows:
        if phash is None:
            phash = _hash_stored(files, path)
            if phash is not None:
                session.execute(update(Image).where(Image.id == image_id).values(phash=phash))
        if phash is not None:
            index.add(phash, image_id, sha256, group_key)
    return index


def _hash_stored(files: ImageFiles, path: str) -> Optional[str]:
    try:
        return perceptual_hash(files.read(path))
    except (OSError, BadImage):
        return None  # a missing or damaged file is the storage checks' business, not a reason to stop
