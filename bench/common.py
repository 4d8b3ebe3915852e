"""Shared by the bench scripts: the 50 benchmark photos, cached under bench/out/, and small timing helpers."""

import io
import os
import statistics
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))  # bench scripts run as files; tests/synthetic.py lives at the repo root

from tests.synthetic import CITIES, make_city_photo  # noqa: E402

# (count, size, format, EXIF orientation): a mix like a chat's uploads, phone photos included.
PHOTO_MIX = [
    (12, (4000, 3000), "JPEG", 1),
    (4, (4000, 3000), "JPEG", 6),  # portrait phone photo stored sideways with an EXIF rotation
    (10, (1600, 1200), "JPEG", 1),
    (10, (1280, 720), "JPEG", 1),
    (6, (800, 600), "PNG", 1),
    (4, (1024, 768), "WEBP", 1),
    (4, (320, 240), "JPEG", 1),
]


def _encode(city: str, seed: int, size: tuple[int, int], fmt: str, orientation: int) -> bytes:
    image = make_city_photo(city, seed, size)
    buffer = io.BytesIO()
    options: dict = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    if orientation != 1:
        exif = image.getexif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def bench_photos() -> list[tuple[str, str, bytes]]:
    """The 50 benchmark photos as (city, file name, bytes); generated once (~1 min), then read from bench/out/photos."""
    folder = OUT / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    index = 0
    for count, size, fmt, orientation in PHOTO_MIX:
        for _ in range(count):
            city = CITIES[index % len(CITIES)]
            name = f"{index:02d}-{city}-{size[0]}x{size[1]}-o{orientation}.{fmt.lower()}"
            path = folder / name
            if not path.exists():
                path.write_bytes(_encode(city, 1000 + index, size, fmt, orientation))
            photos.append((city, name, path.read_bytes()))
            index += 1
    return photos


def unique_jpeg(data: bytes, tag: str) -> bytes:
    """The same JPEG with a comment (COM segment) after the start marker: new bytes (a new stored photo), same pixels.

    Other formats come back unchanged.
    """
    if not data.startswith(b"\xff\xd8"):
        return data
    comment = tag.encode()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def percentile(values: list[float], pct: float) -> float:
    """The `pct`-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    """Median and p95 of a list of seconds, in milliseconds."""
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms"


def cpu_note() -> str:
    """How many cores this run had, for the README figures."""
    return f"{len(os.sched_getaffinity(0))} cores"
