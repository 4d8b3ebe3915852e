"""Checking one candidate's bytes with the shared loader, shrinking very large ones, and taking its perceptual hash."""

import io
from dataclasses import dataclass
from typing import Optional

import imagehash
from PIL import Image as PILImage

from storage.errors import BadImage
from storage.files import sha256_hex
from storage.imageio import ImageInfo, load_rgb, verify_image
from trainer.collect.errors import Refused

DEFAULT_MIN_SIDE = 64  # smaller pictures are icons or thumbnails, useless for training
DOWNSCALE_QUALITY = 90
PHASH_DRAFT = (128, 128)  # phash looks at 32×32; decoding JPEGs at 1/8 scale is enough and much faster


@dataclass(frozen=True)
class Prepared:
    """Bytes ready to store, with what verification learned and the perceptual hash."""

    data: bytes
    info: ImageInfo
    sha256: str
    phash: str


def prepare_image(data: bytes, min_side: int = DEFAULT_MIN_SIDE, max_side: Optional[int] = None) -> Prepared:
    """Verify `data` fully (raises Refused with the loader's reason), downscale past `max_side`, hash it."""
    info = _verify(data, min_side)
    if max_side is not None and max(info.width, info.height) > max_side:
        data = _downscale(data, max_side)
        info = _verify(data, 1)
    return Prepared(data=data, info=info, sha256=sha256_hex(data), phash=perceptual_hash(data))


def perceptual_hash(data: bytes) -> str:
    """64-bit DCT hash (16 hex digits) of the image as training sees it (RGB, EXIF-rotated)."""
    return str(imagehash.phash(load_rgb(data, draft_size=PHASH_DRAFT)))


def _verify(data: bytes, min_side: int) -> ImageInfo:
    try:
        return verify_image(data, min_side=min_side)
    except BadImage as error:
        # The summary counts by the reason; the per-file detail in parentheses goes to the refusal list.
        message = str(error)
        reason = message.split(" (")[0]
        raise Refused(reason, message[len(reason):].strip(" ()")) from None


def _downscale(data: bytes, max_side: int) -> bytes:
    # Re-encoding the same input gives the same bytes, so a re-run still dedupes by content hash.
    image = load_rgb(data)
    image.thumbnail((max_side, max_side), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=DOWNSCALE_QUALITY)
    return buffer.getvalue()
