"""The one place bytes become images: verification on ingest and RGB decoding for training and inference."""

import io
import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from PIL import Image as PILImage
from PIL import ImageFile, UnidentifiedImageError

from storage.errors import BadImage

MAX_PIXELS = 40_000_000  # ~ a 7,300 × 5,500 photo; anything larger is treated as a decompression bomb
MIN_SIDE = 1
ALPHA_BACKGROUND = (255, 255, 255)
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
EXIF_ORIENTATION = 0x0112
ORIENTATION_TRANSPOSE = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class ImageInfo:
    """What verification learned about an image."""

    width: int
    height: int
    format: str


def verify_image(data: bytes, max_pixels: int = MAX_PIXELS, min_side: int = MIN_SIDE) -> ImageInfo:
    """Decode `data` fully and return its size and format, or raise BadImage with a reason a user can read."""
    if not data:
        raise BadImage("the file is empty (0 bytes)")
    image = _open(data)
    width, height = image.size
    if image.format not in ACCEPTED_FORMATS:
        raise BadImage(f"{image.format} images are not supported")
    if width * height > max_pixels:
        raise BadImage(f"the image is too large to decode safely ({width}×{height} pixels)")
    if min(width, height) < min_side:
        raise BadImage(f"the image is too small ({width}×{height}; at least {min_side} px a side)")
    _decode_fully(image)
    return ImageInfo(width=width, height=height, format=image.format)


def load_rgb(data: bytes, max_pixels: int = MAX_PIXELS, draft_size: tuple[int, int] | None = None) -> PILImage.Image:
    """Decode stored bytes to RGB: EXIF orientation applied, first frame, alpha over white, 16-bit scaled.

    `draft_size` lets JPEG decoding skip detail the caller will throw away (at least that size is kept).
    """
    image = _open(data)
    width, height = image.size
    if width * height > max_pixels:
        raise BadImage(f"the image is too large to decode safely ({width}×{height} pixels)")
    if draft_size is not None and image.format == "JPEG":
        image.draft("RGB", _draft_target(image, draft_size))
    _decode_fully(image)  # an opened image is at its first frame; asking n_frames would parse the rest
    return _to_rgb(_upright(image))


def _draft_target(image: PILImage.Image, draft_size: tuple[int, int]) -> tuple[int, int]:
    # draft() keeps at least the requested size; ask for the short side to stay >= the model's input.
    orientation = _orientation(image)
    want_w, want_h = draft_size
    if orientation in (5, 6, 7, 8):
        want_w, want_h = want_h, want_w
    width, height = image.size
    scale = max(want_w / width, want_h / height)
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _orientation(image: PILImage.Image) -> int:
    # Broken EXIF only costs the orientation; Pillow warns about it, which must not fail the photo.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(image.getexif().get(EXIF_ORIENTATION, 1))
    except (OSError, SyntaxError, ValueError, TypeError, struct.error):
        return 1


def _upright(image: PILImage.Image) -> PILImage.Image:
    # The same EXIF reading as _orientation, so training and inference rotate identically.
    orientation = _orientation(image)
    method = ORIENTATION_TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


def _open(data: bytes) -> PILImage.Image:
    try:
        with _pillow_warnings():
            return PILImage.open(io.BytesIO(data))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise BadImage(f"the image is too large to decode safely ({error})") from None
    except UnidentifiedImageError:
        raise BadImage("that is not an image I can read") from None
    except Exception as error:  # Pillow's parsers raise many kinds on hostile bytes; all mean "unreadable"
        raise BadImage(f"the image could not be read ({error or type(error).__name__})") from None


def _decode_fully(image: PILImage.Image) -> None:
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with _pillow_warnings():
            image.load()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise BadImage(f"the image is too large to decode safely ({error})") from None
    except Exception as error:  # as in _open: any decoder failure means a damaged file
        raise BadImage(f"the image is damaged or truncated ({error or type(error).__name__})") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


@contextmanager
def _pillow_warnings() -> Iterator[None]:
    # Bomb warnings become errors; Pillow's other warnings (corrupt EXIF, odd chunks) must not fail a photo.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        yield


def _to_rgb(image: PILImage.Image) -> PILImage.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        image = image.point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, ALPHA_BACKGROUND + (255,))
        return PILImage.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
