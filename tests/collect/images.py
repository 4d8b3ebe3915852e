"""Photo-like test images for the data-set builder: distinct photos, near-copies, and every colour mode."""

import io

import numpy as np
from PIL import Image as PILImage

from tests.synthetic import make_city_photo

EXIF_ORIENTATION = 0x0112


def encode(image: PILImage.Image, fmt: str = "JPEG", **options) -> bytes:
    """`image` saved to bytes in `fmt` (JPEG at quality 90 unless told)."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        options.setdefault("quality", 90)
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(city: str = "Munich", seed: int = 0, size: tuple[int, int] = (160, 120)) -> PILImage.Image:
    """A synthetic city photo; different (city, seed) pairs are different photos."""
    return make_city_photo(city, seed, size)


def jpeg(city: str = "Munich", seed: int = 0, size: tuple[int, int] = (160, 120)) -> bytes:
    """A synthetic city photo as JPEG bytes."""
    return encode(photo(city, seed, size))


def resized_copy(image: PILImage.Image, factor: float = 0.6) -> bytes:
    """The same photo smaller, re-encoded."""
    width, height = image.size
    return encode(image.resize((int(width * factor), int(height * factor)), PILImage.Resampling.LANCZOS))


def recompressed_copy(image: PILImage.Image, quality: int = 35) -> bytes:
    """The same photo at a low JPEG quality."""
    return encode(image, quality=quality)


def cropped_copy(image: PILImage.Image, fraction: float = 0.02) -> bytes:
    """The same photo with `fraction` of each side cut off."""
    width, height = image.size
    dx, dy = int(width * fraction), int(height * fraction)
    return encode(image.crop((dx, dy, width - dx, height - dy)))


def cmyk_jpeg(image: PILImage.Image) -> bytes:
    """The photo as a CMYK JPEG."""
    return encode(image.convert("CMYK"))


def palette_png(image: PILImage.Image) -> bytes:
    """The photo as a palette PNG whose index 0 is transparent."""
    return encode(image.quantize(64), "PNG", transparency=0)


def rgba_png(image: PILImage.Image) -> bytes:
    """The photo as RGBA with a half-transparent band."""
    rgba = image.convert("RGBA")
    alpha = np.full((image.height, image.width), 255, dtype=np.uint8)
    alpha[: image.height // 5] = 128
    rgba.putalpha(PILImage.fromarray(alpha, "L"))
    return encode(rgba, "PNG")


def sixteen_bit_png(image: PILImage.Image) -> bytes:
    """The photo as 16-bit grayscale."""
    pixels = np.asarray(image.convert("L"), dtype=np.uint16) * 257
    return encode(PILImage.fromarray(pixels), "PNG")


def exif_rotated_jpeg(image: PILImage.Image, orientation: int = 6) -> bytes:
    """The photo stored sideways with an EXIF tag saying how to turn it upright."""
    exif = PILImage.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return encode(image.transpose(PILImage.Transpose.ROTATE_90), exif=exif)


def truncated(data: bytes) -> bytes:
    """The first half of `data`."""
    return data[: len(data) // 2]
