"""`citybot status`: counts per city, pending photos, new labels since training, live model, recent runs."""

import json
from datetime import timedelta

import pytest

from bot.cli.main import main
from storage.cities import get_city
from storage.labels import set_label
from storage.models import Image, TrainingRun, utcnow
from storage.store import open_store
from storage.users import get_or_create_user, system_user
from storage.versions import add_version, promote


@pytest.fixture
def cli_store(database_url, tmp_path, monkeypatch):
    """The store the CLI will open, named through the environment as a user would."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CLASSES", "Cebu,Munich,Seoul")
    store = open_store(database_url, tmp_path / "data", ["Cebu", "Munich", "Seoul"])
    yield store
    store.close()


def add_image(session, number: int) -> Image:
    """An image row (status reads no files)."""
    image = Image(sha256=f"{number:064x}", path=f"{number}.png", width=8, height=8, format="PNG", source="test")
    session.add(image)
    session.flush()
    return image


def seed(store) -> None:
    """3 Munich + 1 Seoul imports, a finished run, then 2 corrections (one making a tie) and a confirmation; photo 5 unlabelled."""
    earlier = utcnow() - timedelta(hours=1)
    with store.transaction() as session:
        importer = system_user(session, "import:folder")
        images = [add_image(session, number) for number in range(6)]
        for image, city in zip(images, ("Munich", "Munich", "Munich", "Seoul")):
            set_label(session, image, importer, get_city(session, city), "import")
        add_version(session, "v1", "resnet18", ["Cebu", "Munich", "Seoul"], "models/v1", "0" * 64, {"accuracy": 0.875}, None)
        promote(session, "v1")
        session.add(TrainingRun(trigger="cli", status="succeeded", outcome="promoted", candidate_version="v1", created_at=earlier, started_at=earlier, finished_at=earlier))
        session.add(TrainingRun(trigger="cron", status="failed", error="CUDA? no: out of disk"))
    with store.transaction() as session:
        alice = get_or_create_user(session, "telegram", 1)
        set_label(session, images[4], alice, get_city(session, "Cebu"), "correction")
        set_label(session, images[0], alice, get_city(session, "Munich"), "confirmation")
        set_label(session, images[1], get_or_create_user(session, "telegram", 2), get_city(session, "Seoul"), "correction")


def test_status_json_is_one_object_with_everything(cli_store, capsys):
    """`status --json` prints one JSON object a script can read."""
    seed(cli_store)
    assert main(["status", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cities"] == {"Cebu": 1, "Munich": 2, "Seoul": 1}  # photo 1 is a Munich/Seoul tie: left out
    assert report["pending"] == 1
    assert (report["new_labels_since_training"], report["corrections_since_training"]) == (3, 2)
    assert report["live_model"]["version"] == "v1" and report["live_model"]["accuracy"] == 0.875
    assert [(run["trigger"], run["status"]) for run in report["training_runs"]] == [("cron", "failed"), ("cli", "succeeded")]


def test_status_text_reads_well(cli_store, capsys):
    """The plain output names each city with its count, the pending photos, and the live model's accuracy."""
    seed(cli_store)
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Munich  2" in out
    assert "waiting for a label: 1" in out
    assert "Live model: v1 (resnet18, accuracy 87.5%)" in out
    assert "cron: failed" in out and "out of disk" in out


def test_status_of_a_new_install(cli_store, capsys):
    """A fresh store shows zero counts and says no model and no run exist yet."""
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Live model: none yet" in out and "Last training runs: none yet" in out
    assert main(["status", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cities"] == {"Cebu": 0, "Munich": 0, "Seoul": 0} and report["live_model"] is None
