"""The synthetic photo generator other tests rely on."""

import io

from PIL import Image as PILImage

from storage.labels import effective_label_counts
from tests.synthetic import CITIES, make_city_photo, photo_bytes, seed_store, write_city_folder


def test_photos_are_deterministic_and_differ_by_seed():
    """The same city and seed give the same pixels; another seed gives other pixels."""
    assert make_city_photo("Cebu", 3).tobytes() == make_city_photo("Cebu", 3).tobytes()
    assert make_city_photo("Cebu", 3).tobytes() != make_city_photo("Cebu", 4).tobytes()
    assert make_city_photo("Seoul", 0, size=(64, 48)).size == (64, 48)


def test_cities_differ_in_colour():
    """Each city's average colour is far from the others' (a model has something to learn)."""
    means = {city: PILImage.open(io.BytesIO(photo_bytes(city, 1))).resize((1, 1)).getpixel((0, 0)) for city in CITIES}
    for first in CITIES:
        for second in CITIES:
            if first < second:
                assert sum(abs(a - b) for a, b in zip(means[first], means[second])) > 60


def test_folder_and_store(tmp_path, store):
    """write_city_folder makes one folder per city; seed_store labels every image."""
    root = write_city_folder(tmp_path / "photos", per_city=2, size=(32, 32))
    assert sorted(path.relative_to(root).as_posix() for path in root.rglob("*.jpg")) == [
        f"{city}/{n:04d}.jpg" for city in CITIES for n in range(2)
    ]
    images = seed_store(store, per_city=3, size=(32, 32))
    assert len(images) == 9
    with store.transaction() as session:
        assert effective_label_counts(session) == {city: 3 for city in CITIES}
