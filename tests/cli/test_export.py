"""`citybot export DIR`: the effective data set as DIR/<city>/<sha256>.<ext>, with a summary line."""

import hashlib

import pytest

from bot.cli.main import main
from storage.cities import deactivate_city, get_city
from storage.ingest import ingest_image
from storage.labels import set_label
from storage.store import open_store
from storage.users import get_or_create_user, system_user
from tests.storage.image_samples import noise_jpeg, sixteen_bit_png


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    """A SQLite store the CLI opens through DATA_DIR, as a user would."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CLASSES", "Cebu,Munich,Seoul,Los Angeles")
    store = open_store(f"sqlite:///{(tmp_path / 'data' / 'citybot.sqlite3').resolve()}", tmp_path / "data", ["Cebu", "Munich", "Seoul", "Los Angeles"])
    yield store
    store.close()


def seed(store) -> dict[str, str]:
    """Labelled photos: 2 Munich, 1 Los Angeles, 1 tie, 1 excluded, 1 of a removed city, 1 unlabelled. Returns name -> sha."""
    photos = {name: noise_jpeg(seed=number) for number, name in enumerate(("m1", "m2", "la", "tie", "excluded", "cebu", "pending"))}
    photos["m2"] = sixteen_bit_png()
    shas = {}
    with store.transaction() as session:
        importer = system_user(session, "import:folder")
        images = {name: ingest_image(session, store.files, data, "import").image for name, data in photos.items()}
        shas = {name: image.sha256 for name, image in images.items()}
        for name, city in (("m1", "Munich"), ("m2", "Munich"), ("la", "Los Angeles"), ("tie", "Munich"), ("excluded", "Seoul"), ("cebu", "Cebu")):
            set_label(session, images[name], importer, get_city(session, city), "import")
        set_label(session, images["tie"], get_or_create_user(session, "telegram", 1), get_city(session, "Seoul"), "correction")
        images["excluded"].excluded = True
        deactivate_city(session, "Cebu")
    return shas


def test_export_writes_one_folder_per_city(cli_store, tmp_path, capsys):
    """Only clearly labelled training photos are exported, named by content hash, byte for byte."""
    shas = seed(cli_store)
    target = tmp_path / "export"
    assert main(["export", str(target)]) == 0
    written = sorted(str(path.relative_to(target)) for path in target.rglob("*") if path.is_file())
    assert written == sorted([f"Los Angeles/{shas['la']}.jpeg", f"Munich/{shas['m1']}.jpeg", f"Munich/{shas['m2']}.png"])
    assert hashlib.sha256((target / "Munich" / f"{shas['m2']}.png").read_bytes()).hexdigest() == shas["m2"]
    assert capsys.readouterr().out.strip() == f"exported 3 photos of 2 cities to {target} (Los Angeles 1, Munich 2)"


def test_export_refuses_a_folder_with_files(cli_store, tmp_path, capsys):
    """Exporting over an earlier export would mix data sets, so a non-empty folder is refused and left alone."""
    seed(cli_store)
    target = tmp_path / "export"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["export", str(target)]) == 1
    assert "must be a new or empty folder" in capsys.readouterr().out
    assert [path.name for path in target.iterdir()] == ["notes.txt"]


def test_export_reports_missing_files(cli_store, tmp_path, capsys):
    """A stored photo whose file was deleted is skipped and reported; the rest is exported."""
    shas = seed(cli_store)
    (cli_store.files.root / shas["m1"][:2] / f"{shas['m1']}.jpeg").unlink()
    assert main(["export", str(tmp_path / "export")]) == 0
    out = capsys.readouterr().out
    assert "exported 2 photos" in out and "1 stored files were missing and skipped" in out
    assert f"missing: {shas['m1'][:2]}/{shas['m1']}.jpeg" in out
