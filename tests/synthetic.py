"""Small synthetic city photos for tests: Cebu, Munich and Seoul told apart by shapes and colours, with noise."""

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw

from storage.cities import get_city
from storage.ingest import ingest_image
from storage.labels import set_label
from storage.models import Image
from storage.store import LabelStore
from storage.users import system_user

CITIES = ("Cebu", "Munich", "Seoul")
SYSTEM_SOURCE = "import:synthetic"


def _jitter(rng: random.Random, colour: tuple[int, int, int], amount: int = 25) -> tuple[int, int, int]:
    return tuple(max(0, min(255, channel + rng.randint(-amount, amount))) for channel in colour)


def _draw_cebu(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    # A beach: turquoise sea under a pale sky, a yellow sun, green palm fronds.
    horizon = int(height * rng.uniform(0.35, 0.6))
    draw.rectangle((0, 0, width, horizon), fill=_jitter(rng, (150, 210, 245)))
    draw.rectangle((0, horizon, width, height), fill=_jitter(rng, (20, 170, 190)))
    radius = int(min(width, height) * rng.uniform(0.08, 0.16))
    cx, cy = rng.randint(radius, width - radius), rng.randint(radius, max(radius, horizon - radius))
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=_jitter(rng, (250, 220, 40)))
    for _ in range(rng.randint(2, 4)):
        x, y = rng.randint(0, width), rng.randint(horizon // 2, height)
        size = int(min(width, height) * rng.uniform(0.1, 0.22))
        draw.polygon([(x, y - size), (x - size, y + size // 2), (x + size, y + size // 2)], fill=_jitter(rng, (30, 150, 40)))


def _draw_munich(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    # Old town: cream walls with red gabled roofs and an onion-domed tower under a grey-white sky.
    draw.rectangle((0, 0, width, height), fill=_jitter(rng, (225, 225, 215)))
    ground = int(height * rng.uniform(0.75, 0.9))
    for _ in range(rng.randint(2, 4)):
        house_w = int(width * rng.uniform(0.2, 0.35))
        x = rng.randint(-house_w // 3, width - house_w // 2)
        top = int(height * rng.uniform(0.35, 0.6))
        draw.rectangle((x, top, x + house_w, ground), fill=_jitter(rng, (235, 205, 150)))
        draw.polygon([(x - 2, top), (x + house_w + 2, top), (x + house_w // 2, top - house_w // 2)], fill=_jitter(rng, (185, 45, 30)))
    tower_x = rng.randint(width // 8, width - width // 8)
    tower_w = max(4, width // 12)
    draw.rectangle((tower_x - tower_w // 2, height // 4, tower_x + tower_w // 2, ground), fill=_jitter(rng, (120, 80, 50)))
    draw.ellipse((tower_x - tower_w, height // 4 - tower_w, tower_x + tower_w, height // 4 + tower_w // 2), fill=_jitter(rng, (40, 110, 70)))
    draw.rectangle((0, ground, width, height), fill=_jitter(rng, (110, 110, 100)))


def _draw_seoul(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    # Night skyline: tall dark towers with lit windows and pink neon signs under a deep blue sky.
    draw.rectangle((0, 0, width, height), fill=_jitter(rng, (20, 20, 70)))
    for _ in range(rng.randint(4, 7)):
        tower_w = int(width * rng.uniform(0.08, 0.18))
        x = rng.randint(0, width - tower_w)
        top = int(height * rng.uniform(0.1, 0.5))
        draw.rectangle((x, top, x + tower_w, height), fill=_jitter(rng, (60, 60, 80), 15))
        for wy in range(top + 3, height - 3, max(3, height // 16)):
            for wx in range(x + 2, x + tower_w - 2, max(3, width // 24)):
                if rng.random() < 0.5:
                    draw.rectangle((wx, wy, wx + 1, wy + 1), fill=_jitter(rng, (250, 240, 150)))
    for _ in range(rng.randint(1, 3)):
        x, y = rng.randint(0, width - 10), rng.randint(height // 3, height - 6)
        draw.rectangle((x, y, x + width // 8, y + max(2, height // 24)), fill=_jitter(rng, (255, 60, 200)))


PAINTERS = {"Cebu": _draw_cebu, "Munich": _draw_munich, "Seoul": _draw_seoul}


def make_city_photo(city: str, seed: int, size: tuple[int, int] = (96, 96)) -> PILImage.Image:
    """A photo-like RGB image of `city` (Cebu, Munich or Seoul), different for every seed."""
    width, height = size
    rng = random.Random(f"{city}:{seed}:{width}x{height}")
    canvas = PILImage.new("RGB", size)
    PAINTERS[city](ImageDraw.Draw(canvas), rng, width, height)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 12, (height, width, 3))
    pixels = np.clip(np.asarray(canvas, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    return PILImage.fromarray(pixels, "RGB")


def photo_bytes(city: str, seed: int, size: tuple[int, int] = (96, 96), fmt: str = "JPEG") -> bytes:
    """`make_city_photo` encoded as `fmt` (JPEG by default)."""
    buffer = io.BytesIO()
    make_city_photo(city, seed, size).save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def write_city_folder(root: Path, per_city: int, size: tuple[int, int] = (96, 96)) -> Path:
    """`root/<City>/<n>.jpg` for every city, `per_city` photos each; returns `root`."""
    root = Path(root)
    for city in CITIES:
        folder = root / city
        folder.mkdir(parents=True, exist_ok=True)
        for seed in range(per_city):
            (folder / f"{seed:04d}.jpg").write_bytes(photo_bytes(city, seed, size))
    return root


def seed_store(store: LabelStore, per_city: int, size: tuple[int, int] = (96, 96), first_seed: int = 0) -> list[Image]:
    """Ingest `per_city` photos of each city and label them (kind "import", a system user); returns the images."""
    images = []
    with store.transaction() as session:
        importer = system_user(session, SYSTEM_SOURCE)
        for city_name in CITIES:
            city = get_city(session, city_name)
            for seed in range(first_seed, first_seed + per_city):
                image = ingest_image(session, store.files, photo_bytes(city_name, seed, size), SYSTEM_SOURCE).image
                set_label(session, image, importer, city, "import")
                images.append(image)
    return images
