"""`citybot import` and `citybot import-urls` through the real CLI: every kind of file stored or refused with its reason."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from storage.models import City, Image, Label
from storage.store import open_store
from tests.collect.image_server import ImageServer, Reply
from tests.collect.images import (
    cmyk_jpeg, encode, exif_rotated_jpeg, jpeg, palette_png, photo, rgba_png, sixteen_bit_png, truncated,
)
from tests.storage.image_samples import png_declaring


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The CLI pointed at a fresh data folder (and no stray .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def _write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _labels(env: Path) -> list[tuple[str, str, str]]:
    """(file name in the store, city, label kind) of every stored image."""
    store = open_store(f"sqlite:///{env / 'data' / 'citybot.sqlite3'}", env / "data")
    with store.transaction() as session:
        rows = session.execute(
            select(Image.path, City.name, Label.kind).join(Label, Label.image_id == Image.id).join(City)
        ).all()
    store.close()
    return sorted(rows)


def _import_json(capsys, *argv: str) -> dict:
    assert main(["import", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_stores_good_images_and_refuses_bad_ones_with_reasons(env, capsys):
    """Good photos in any colour mode are stored; empty, fake, truncated and bomb files are refused by name."""
    good = jpeg("Munich", 1)
    _write(env / "photos" / "Munich", {
        "good.jpg": good, "other.jpg": jpeg("Munich", 2), "copy of good.jpg": good, "empty.jpg": b"",
        "notes.jpg": b"these are my holiday notes, not a photo\n", "cut.jpg": truncated(jpeg("Munich", 3)),
        "bomb.png": png_declaring(20000, 20000),
    })
    _write(env / "photos" / "Seoul", {
        "cmyk.jpg": cmyk_jpeg(photo("Seoul", 1)), "palette.png": palette_png(photo("Seoul", 2)),
        "rgba.png": rgba_png(photo("Seoul", 3)), "16bit.png": sixteen_bit_png(photo("Seoul", 4)),
        "rotated.jpg": exif_rotated_jpeg(photo("Seoul", 5)),
    })
    report = _import_json(capsys, "photos")
    refused = {Path(item["item"]).name: item["reason"] for item in report["refusals"]}
    assert refused == {
        "empty.jpg": "the file is empty",
        "notes.jpg": "that is not an image I can read",
        "cut.jpg": "the image is damaged or truncated",
        "bomb.png": "the image is too large to decode safely",
    }
    munich, seoul = report["cities"]["Munich"], report["cities"]["Seoul"]
    assert (munich["found"], munich["stored"], munich["duplicates"], munich["refused"]) == (7, 2, 1, 4)
    assert (seoul["found"], seoul["stored"], seoul["refused"]) == (5, 5, 0)
    labels = _labels(env)
    assert [(city, kind) for _path, city, kind in labels].count(("Seoul", "import")) == 5
    assert [(city, kind) for _path, city, kind in labels].count(("Munich", "import")) == 2
    images = env / "data" / "images"
    on_disk = sorted(str(path.relative_to(images)) for path in images.rglob("*") if path.is_file())
    assert on_disk == sorted(path for path, _city, _kind in labels)  # nothing half-written or unlisted


def test_second_import_of_the_same_folder_adds_nothing(env, capsys):
    """Re-running an import counts everything as duplicates and stores nothing twice."""
    _write(env / "photos" / "Cebu", {f"{n}.jpg": jpeg("Cebu", n) for n in range(3)})
    assert _import_json(capsys, "photos")["cities"]["Cebu"]["stored"] == 3
    again = _import_json(capsys, "photos")["cities"]["Cebu"]
    assert (again["stored"], again["duplicates"]) == (0, 3)
    assert len(_labels(env)) == 3


def test_unknown_folder_is_an_error_listing_it_unless_add_classes(env, capsys):
    """A folder named after no known city stops the import with its name; --add-classes adds the city."""
    _write(env / "photos" / "Paris", {"0.jpg": jpeg("Cebu", 9)})
    _write(env / "photos" / "Lisbon", {"0.jpg": jpeg("Seoul", 9)})
    assert main(["import", "photos"]) == 1
    error = capsys.readouterr().err
    assert "unknown cities: Lisbon, Paris" in error and "--add-classes" in error
    assert _labels(env) == []
    assert main(["import", "photos", "--add-classes"]) == 0
    assert sorted(city for _path, city, _kind in _labels(env)) == ["Lisbon", "Paris"]


def test_folder_named_by_an_alias_goes_to_its_city(env, capsys):
    """A `münchen` folder lands in Munich once München is an alias."""
    assert main(["classes", "add", "Munich", "--alias", "München"]) == 0
    _write(env / "photos" / "münchen", {"0.jpg": jpeg("Munich", 4)})
    assert main(["import", "photos"]) == 0
    assert "folder 'münchen' → Munich" in capsys.readouterr().out
    assert [city for _path, city, _kind in _labels(env)] == ["Munich"]


def test_import_urls_reads_a_csv_with_a_class_column(env, capsys):
    """A CSV of url,class rows downloads each link into its city."""
    with ImageServer() as server:
        server.replies.update({f"/{n}.jpg": Reply(body=jpeg("Cebu", n)) for n in range(3)})
        rows = [f"{server.url('/0.jpg')},Cebu", f"{server.url('/1.jpg')},Seoul", f"{server.url('/2.jpg')},cebu"]
        (env / "links.csv").write_text("url,class\n" + "\n".join(rows) + "\n")
        assert main(["import-urls", "links.csv"]) == 0
    assert sorted(city for _path, city, _kind in _labels(env)) == ["Cebu", "Cebu", "Seoul"]


def test_plain_url_list_needs_a_class(env, capsys):
    """One URL per line without --class is refused with a hint."""
    (env / "urls.txt").write_text("http://127.0.0.1:9/a.jpg\n")
    assert main(["import-urls", "urls.txt"]) == 1
    assert "--class CITY" in capsys.readouterr().err
