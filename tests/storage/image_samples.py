"""Good and bad image bytes for tests, generated in memory (the reliability catalogue's image cases)."""

import io
import struct
import zlib

import numpy as np
from PIL import Image as PILImage

EXIF_ORIENTATION = 0x0112


def encode(image: PILImage.Image, fmt: str = "PNG", **options) -> bytes:
    """`image` saved to bytes in `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def noise_jpeg(size: tuple[int, int] = (64, 48), seed: int = 0) -> bytes:
    """A JPEG of random pixels (incompressible, so cutting it loses real data)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return encode(PILImage.fromarray(pixels), "JPEG", quality=90)


def truncated_jpeg() -> bytes:
    """A JPEG cut in half."""
    data = noise_jpeg((128, 128))
    return data[: len(data) // 2]


def jpeg_declaring(width: int, height: int) -> bytes:
    """A tiny JPEG whose header claims `width`×`height` pixels (a decompression bomb)."""
    data = bytearray(encode(PILImage.new("RGB", (16, 16), (200, 10, 10)), "JPEG"))
    start = data.index(b"\xff\xc0")  # SOF0: marker, length(2), precision(1), height(2), width(2)
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG (valid checksums) whose header claims `width`×`height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def halves(mode: str, size: tuple[int, int], left, right) -> PILImage.Image:
    """An image in `mode` whose left half is `left` and right half `right`."""
    image = PILImage.new(mode, size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def exif_rotated_jpeg(orientation: int = 6) -> bytes:
    """A 40×20 JPEG, red left / blue right, tagged to be shown rotated (6 = turn 90° clockwise)."""
    exif = PILImage.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return encode(halves("RGB", (40, 20), (255, 0, 0), (0, 0, 255)), "JPEG", exif=exif, quality=95)


def palette_with_transparency() -> bytes:
    """A palette PNG whose left half is the transparent index."""
    image = halves("P", (20, 10), 0, 1)
    image.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    return encode(image, "PNG", transparency=0)


def sixteen_bit_png() -> bytes:
    """A 16-bit grayscale PNG: left half black, right half full white (65535)."""
    pixels = np.zeros((10, 20), dtype=np.uint16)
    pixels[:, 10:] = 65535
    return encode(PILImage.fromarray(pixels), "PNG")


def animated_gif() -> bytes:
    """A two-frame GIF: red, then blue."""
    frames = [PILImage.new("RGB", (12, 12), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG (print workflows produce these)."""
    return encode(PILImage.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")  # pure red in CMYK


# name -> (bytes, the colour load_rgb must give at the top-left pixel, or None to skip the colour check)
GOOD = {
    "jpeg": (lambda: noise_jpeg(), None),
    "cmyk": (cmyk_jpeg, (255, 0, 0)),
    "palette with transparency": (palette_with_transparency, (255, 255, 255)),
    "rgba": (lambda: encode(halves("RGBA", (20, 10), (0, 0, 0, 0), (0, 0, 255, 255))), (255, 255, 255)),
    "la": (lambda: encode(halves("LA", (20, 10), (0, 0), (0, 255))), (255, 255, 255)),
    "grayscale": (lambda: encode(PILImage.new("L", (20, 10), 128)), (128, 128, 128)),
    "1-bit": (lambda: encode(PILImage.new("1", (20, 10), 1)), (255, 255, 255)),
    "16-bit": (sixteen_bit_png, (0, 0, 0)),
    "webp": (lambda: encode(PILImage.new("RGB", (20, 10), (0, 128, 0)), "WEBP", lossless=True), (0, 128, 0)),
    "animated gif": (animated_gif, (255, 0, 0)),
    "1x1": (lambda: encode(PILImage.new("RGB", (1, 1), (9, 9, 9))), (9, 9, 9)),
    "1x10000": (lambda: encode(PILImage.new("RGB", (1, 10000), (9, 9, 9))), (9, 9, 9)),
}

# name -> (bytes, words the refusal must contain)
BAD = {
    "zero bytes": (lambda: b"", "empty"),
    "text named .jpg": (lambda: b"<html><body>not a photo</body></html>\n", "not an image"),
    "truncated jpeg": (truncated_jpeg, "truncated"),
    "bomb jpeg 20000x20000": (lambda: jpeg_declaring(20000, 20000), "too large"),
    "bomb png 20000x20000": (lambda: png_declaring(20000, 20000), "too large"),
    "pillow warn band 10000x10000": (lambda: png_declaring(10000, 10000), "too large"),
    "over our limit 8000x6000": (lambda: jpeg_declaring(8000, 6000), "too large"),
    "pdf": (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "not an image"),
}


def broken_exif_jpeg() -> bytes:
    """A JPEG whose EXIF orientation entry claims far more data than the file holds (Pillow warns)."""
    data = bytearray(exif_rotated_jpeg(6))
    entry = data.index(b"\x01\x12\x00\x03")  # tag 0x0112, type SHORT (big-endian TIFF header from Pillow)
    data[entry + 4 : entry + 8] = (0xFFFF).to_bytes(4, "big")
    return bytes(data)


def gif_with_cut_second_frame() -> bytes:
    """An animated GIF whose second frame is cut off: the first frame is still a good photo."""
    data = animated_gif()
    return data[: len(data) - 30]  # inside frame 2's header: counting frames used to raise IndexError
