"""`citybot train`, `predict` and `models` as a user runs them, on a small synthetic store."""

import json

import pytest

from bot.cli.main import main
from storage.store import open_store
from tests.synthetic import CITIES, photo_bytes, seed_store


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """DATA_DIR with 10 labelled synthetic photos per city; a tiny 64-px model is what the user asks for."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for key, value in {"ARCH": "tiny", "IMAGE_SIZE": "64", "BATCH_SIZE": "16", "FROZEN_EPOCHS": "1", "UNFROZEN_EPOCHS": "1"}.items():
        monkeypatch.setenv(key, value)
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'citybot.sqlite3'}", tmp_path / "data", CITIES)
    seed_store(store, per_city=10, size=(64, 64))
    store.close()
    return tmp_path


def test_train_then_predict_and_list(cli_env, capsys):
    """train reports the candidate and its fate; predict ranks every city (JSON too); models lists the version."""
    assert main(["train"]) == 0
    out = capsys.readouterr()
    first_line = out.out.splitlines()[0]
    version = first_line.split()[0]
    assert "accuracy" in first_line and ("promoted" in first_line or "rejected" in first_line)
    assert "report:" in out.out and "training head" in out.err  # stage lines on a non-terminal
    photo = cli_env / "seoul.jpg"
    photo.write_bytes(photo_bytes("Seoul", 999, size=(90, 70)))
    (cli_env / "notes.txt").write_text("not a photo")
    assert main(["predict", str(photo), str(cli_env / "notes.txt"), "--json", "--version", version]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["version"] == version
    assert sorted(city for city, _ in lines[0]["ranking"]) == sorted(CITIES)
    assert abs(sum(p for _, p in lines[0]["ranking"]) - 1) < 1e-4
    assert lines[1]["image"].endswith("notes.txt") and "not an image" in lines[1]["error"]
    assert main(["predict", str(photo), "--version", version]) == 0
    assert capsys.readouterr().out.startswith(f"{photo}: ")
    assert main(["models"]) == 0
    assert version in capsys.readouterr().out


def test_predict_without_a_model_says_so(cli_env, capsys):
    """Before any training, predict explains that there is no live model yet."""
    photo = cli_env / "cebu.jpg"
    photo.write_bytes(photo_bytes("Cebu", 1))
    assert main(["predict", str(photo)]) == 1
    assert "no model is live yet" in capsys.readouterr().err


def test_train_with_too_few_photos_names_them(tmp_path, monkeypatch, capsys):
    """Training an almost empty store fails with the cities that need photos, not a traceback."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["train"]) == 1
    assert "not enough labelled photos to train: Cebu (0 photos, need 5)" in capsys.readouterr().err
