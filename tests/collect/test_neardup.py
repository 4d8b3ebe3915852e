"""Near-duplicates (resized, recompressed, slightly cropped) are caught; different photos are not; look-alikes are grouped."""

import pytest
from sqlalchemy import select

from storage.ingest import ingest_image
from storage.models import Image
from tests.collect.images import cropped_copy, encode, photo, recompressed_copy, resized_copy
from trainer.collect.candidates import Candidate
from trainer.collect.neardup import LOOKALIKE_BITS, NEAR_DUPLICATE_BITS, PhashIndex
from trainer.collect.pipeline import CityJob, CollectOptions, Collector
from trainer.collect.prepare import prepare_image

COPIES = {"resized": resized_copy, "recompressed": recompressed_copy, "cropped 2%": cropped_copy}


def _distance(a: bytes, b: bytes) -> int:
    index = PhashIndex()
    index.add(prepare_image(a).phash, 1, "a", None)
    return index.nearest(prepare_image(b).phash).distance


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("copy", COPIES)
def test_edited_copies_are_near_duplicates(copy, seed):
    """Resizing, recompressing or trimming a photo keeps it within the near-duplicate distance."""
    original = photo("Seoul", seed)
    assert _distance(encode(original), COPIES[copy](original)) <= NEAR_DUPLICATE_BITS


def test_different_photos_are_not_look_alikes():
    """Different photos, even of the same city, stay further apart than the look-alike distance."""
    photos = [encode(photo(city, seed)) for city in ("Cebu", "Munich", "Seoul") for seed in range(5)]
    closest = min(_distance(a, b) for i, a in enumerate(photos) for b in photos[i + 1 :])
    assert closest > LOOKALIKE_BITS


def _run(store, tmp_path, files: dict[str, bytes], **options) -> None:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    job = CityJob("Seoul", [Candidate(path=folder / name) for name in files])
    Collector(store, CollectOptions(source="import:test", kind="import", progress=False, **options)).run([job])


def test_pipeline_skips_near_duplicates_of_stored_images(store, tmp_path):
    """Only the first of a photo and its edited copies is stored; other photos are all kept."""
    original = photo("Seoul", 0)
    files = {"0.jpg": encode(original), **{f"copy {name}.jpg": make(original) for name, make in COPIES.items()}}
    files.update({f"other {seed}.jpg": encode(photo("Seoul", seed)) for seed in (1, 2, 3)})
    _run(store, tmp_path, files)
    with store.transaction() as session:
        stored = session.scalars(select(Image).order_by(Image.id)).all()
        assert len(stored) == 4
        assert all(image.group_key is None for image in stored)


def test_look_alikes_share_a_group_key(store, tmp_path):
    """A more heavily cropped copy is kept but grouped with its original, so both land in the same split."""
    original = photo("Munich", 0)
    trimmed = cropped_copy(original, 0.05)
    assert NEAR_DUPLICATE_BITS < _distance(encode(original), trimmed) <= LOOKALIKE_BITS
    _run(store, tmp_path, {"0.jpg": encode(original), "trimmed.jpg": trimmed, "other.jpg": encode(photo("Munich", 5))})
    with store.transaction() as session:
        first, second, other = session.scalars(select(Image).order_by(Image.id)).all()
        assert first.group_key == second.group_key == first.sha256
        assert other.group_key is None


def test_images_stored_elsewhere_get_a_phash_and_catch_near_copies(store, tmp_path):
    """A photo uploaded in chat (no phash yet) is hashed on the next run and its resized copy is skipped."""
    original = photo("Cebu", 3)
    with store.transaction() as session:
        ingest_image(session, store.files, encode(original), "telegram")
    _run(store, tmp_path, {"small.jpg": resized_copy(original)})
    with store.transaction() as session:
        (image,) = session.scalars(select(Image)).all()
        assert image.source == "telegram" and image.phash == prepare_image(encode(original)).phash
