"""Storing photos: verified, stored once by content, refused with a reason, never half-written."""

import hashlib
import threading

import pytest
from sqlalchemy import func, select

from storage.errors import BadImage
from storage.files import ImageFiles
from storage.ingest import ingest_image
from storage.models import Image
from storage.store import open_store
from tests.storage.image_samples import BAD, GOOD, noise_jpeg


def stored_files(files: ImageFiles) -> list[str]:
    """Every file under the image root, temp files included, relative to it."""
    return sorted(str(path.relative_to(files.root)) for path in files.root.rglob("*") if path.is_file())


def test_photo_is_stored_with_its_file(any_store):
    """A good photo becomes one row whose file holds exactly the uploaded bytes."""
    data = noise_jpeg((64, 48))
    with any_store.transaction() as session:
        result = ingest_image(session, any_store.files, data, "telegram")
    assert result.created
    assert (result.image.width, result.image.height, result.image.format) == (64, 48, "JPEG")
    digest = hashlib.sha256(data).hexdigest()
    assert result.image.sha256 == digest
    assert any_store.files.read(result.image.path) == data
    assert stored_files(any_store.files) == [f"{digest[:2]}/{digest}.jpeg"]


def test_same_bytes_are_stored_once(any_store):
    """Sending the same photo again returns the first row, created=False, and writes nothing new."""
    data = noise_jpeg()
    with any_store.transaction() as session:
        first = ingest_image(session, any_store.files, data, "telegram")
    with any_store.transaction() as session:
        second = ingest_image(session, any_store.files, data, "discord")
        assert session.scalar(select(func.count(Image.id))) == 1
    assert (second.created, second.image.id, second.image.source) == (False, first.image.id, "telegram")
    assert len(stored_files(any_store.files)) == 1


def test_same_photo_at_the_same_moment_gives_one_row(database_url, tmp_path):
    """Two workers storing identical bytes concurrently end with one row and no error."""
    data = noise_jpeg(seed=5)
    first_store = open_store(database_url, tmp_path)
    second_store = open_store(database_url, tmp_path)
    outcome = {}

    def second_worker() -> None:
        with second_store.transaction() as session:
            outcome["second"] = ingest_image(session, second_store.files, data, "discord").created

    try:
        with first_store.transaction() as session:
            outcome["first"] = ingest_image(session, first_store.files, data, "telegram").created
            worker = threading.Thread(target=second_worker)
            worker.start()
            worker.join(0.5)  # it waits for us (SQLite write lock / PostgreSQL unique index)
        worker.join(30)
        with first_store.transaction() as session:
            assert session.scalar(select(func.count(Image.id))) == 1
        assert outcome == {"first": True, "second": False}
    finally:
        first_store.close()
        second_store.close()


def test_every_supported_kind_is_stored(store):
    """CMYK, palette, RGBA, LA, grayscale, 1-bit, 16-bit, WebP, GIF, 1×1 and 1×10000 are all kept with their files."""
    with store.transaction() as session:
        results = {name: ingest_image(session, store.files, make(), "import") for name, (make, _) in GOOD.items()}
    assert all(result.created for result in results.values())
    for result in results.values():
        assert store.files.path_of(result.image.path).is_file()
    assert (results["1x10000"].image.width, results["1x10000"].image.height) == (1, 10000)


@pytest.mark.parametrize("name", BAD)
def test_bad_photo_is_refused_and_leaves_nothing(store, name):
    """Empty, non-image, truncated and bomb files raise BadImage with a reason; no row, no file, no temp file."""
    make, words = BAD[name]
    with pytest.raises(BadImage, match=words):
        with store.transaction() as session:
            ingest_image(session, store.files, make(), "telegram")
    with store.transaction() as session:
        assert session.scalar(select(func.count(Image.id))) == 0
    assert stored_files(store.files) == []


def test_failed_file_write_leaves_no_temp_file(tmp_path):
    """If writing fails half-way, the temp file is removed, nothing reaches the final name, and the error surfaces."""
    files = ImageFiles(tmp_path / "images")
    with pytest.raises(TypeError):
        files.write("text is not bytes", "ab/abc.jpeg")  # fails inside the temp-file write
    assert stored_files(files) == []
