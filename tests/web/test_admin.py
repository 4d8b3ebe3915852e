"""The /admin page: token sign-in, versions and rollback, disputed photos, relabel/remove, and a real retrain."""

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from storage.labels import effective_labels
from storage.models import Image, Label, ModelVersion
from storage.store import LabelStore
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes, seed_store
from tests.web.conftest import ADMIN_TOKEN, ClientFactory
from trainer.config import TrainConfig
from trainer.dataset import build_dataset
from trainer.runner import wait_for_run

TINY_TRAINING = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=0, lr_find_iterations=8, threads=1)


def signed_in(client: TestClient) -> TestClient:
    """The client after signing in with the admin token through the form."""
    response = client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    return client


def said(response) -> str:
    """The message an admin action redirected with."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(response.headers["location"]).query)["said"][0]


def test_without_admin_token_the_admin_page_does_not_exist(make_client: ClientFactory) -> None:
    """ADMIN_TOKEN unset: every /admin route is a 404, even with a guessed token."""
    client = make_client(admin_token=None)
    assert client.get("/admin").status_code == 404
    assert client.post("/admin/login", data={"token": ""}).status_code == 404
    assert client.post("/admin/retrain", headers={"Authorization": "Bearer "}).status_code == 404


def test_wrong_tokens_and_strangers_are_kept_out(client: TestClient, live: str, store: LabelStore) -> None:
    """Wrong token: 401 sign-in form; actions without the session change nothing; the bearer header works."""
    assert client.get("/admin").status_code == 401
    wrong = client.post("/admin/login", data={"token": ADMIN_TOKEN + "x"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    assert client.post("/admin/versions/v1/live").status_code == 401
    assert client.get("/admin/images/1").status_code == 401
    assert client.get("/admin", headers={"Authorization": "Bearer nope"}).status_code == 401
    bearer = client.get("/admin", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert bearer.status_code == 200 and "v1" in bearer.text


def test_admin_forms_posted_from_another_site_are_refused(client: TestClient, live: str, store: LabelStore, data_dir: Path, trained_version: Path) -> None:
    """A signed-in admin's browser posting from another origin cannot switch the live model."""
    install_live_version(store, data_dir, trained_version, "v2")
    signed_in(client)
    response = client.post("/admin/versions/v1/live", headers={"Origin": "https://evil.example"})
    assert response.status_code == 401
    with store.transaction() as session:
        assert session.scalars(select(ModelVersion.version).where(ModelVersion.status == "live")).one() == "v2"


def test_versions_are_listed_and_an_older_one_can_be_made_live_again(
    client: TestClient, live: str, store: LabelStore, data_dir: Path, trained_version: Path
) -> None:
    """The page lists versions with accuracy; "Make live" on v1 swaps the model the page serves, without a restart."""
    install_live_version(store, data_dir, trained_version, "v2", accuracy=0.7)
    signed_in(client)
    page = client.get("/admin").text
    assert "v1" in page and "80.0 %" in page and "v2" in page and "70.0 %" in page
    response = client.post("/admin/versions/v1/live", follow_redirects=False)
    assert "v1 is live" in said(response)
    photo = {"file": ("a.jpg", photo_bytes("Cebu", seed=1), "image/jpeg")}
    assert client.post("/api/classify", files=photo).json()["model_version"] == "v1"
    again = client.post("/admin/versions/v1/live")
    assert again.status_code == 409 and "already live" in again.json()["error"]


def test_disputed_photos_are_shown_and_the_admin_label_settles_them(
    make_client: ClientFactory, live: str, store: LabelStore
) -> None:
    """Two browsers answering differently put the photo on the admin page; the admin's relabel wins."""
    photo = {"file": ("a.jpg", photo_bytes("Munich", seed=4), "image/jpeg")}
    for city in ("Munich", "Seoul"):
        visitor = make_client()
        prediction_id = visitor.post("/api/classify", files=photo).json()["prediction_id"]
        assert visitor.post("/api/labels", json={"prediction_id": prediction_id, "city": city}).status_code == 200
    admin = signed_in(make_client())
    page = admin.get("/admin").text
    with store.transaction() as session:
        image_id = session.scalars(select(Image.id)).one()
        assert effective_labels(session) == []  # a tie: no training label yet
    assert f'id="image-{image_id}"' in page and "Munich × 1" in page and "Seoul × 1" in page
    assert admin.get(f"/admin/images/{image_id}").headers["content-type"] == "image/jpeg"
    response = admin.post(f"/admin/images/{image_id}/label", data={"city": "seoul"}, follow_redirects=False)
    assert said(response) == f"Photo {image_id} is now labelled Seoul."
    with store.transaction() as session:
        assert [(image.id, city.name) for image, city in effective_labels(session)] == [(image_id, "Seoul")]
        assert session.scalars(select(Label.kind).where(Label.kind == "admin")).all() == ["admin"]
    assert "admin says <b>Seoul</b>" in admin.get("/admin").text


def test_admin_actions_on_missing_things_say_so(client: TestClient, live: str) -> None:
    """Unknown photos, versions, cities and plots: 4xx naming the problem."""
    signed_in(client)
    assert client.get("/admin/images/999").status_code == 404
    assert client.post("/admin/images/999/exclude", data={"excluded": "1"}).status_code == 404
    assert client.post("/admin/versions/v9/live").status_code == 409
    assert client.get("/admin/runs/999/plots/confusion.png").status_code == 404


@pytest.mark.slow
def test_retrain_now_runs_a_real_training_run_whose_report_and_cleaner_the_admin_sees(
    make_client: ClientFactory, store: LabelStore, sqlite_url: str, data_dir: Path
) -> None:
    """"Retrain now" starts one run (a second press hears "already running"); its plots and highest-loss photos appear."""
    seed_store(store, per_city=8, size=(80, 64))
    client = signed_in(make_client(train_config=TINY_TRAINING))
    first = said(client.post("/admin/retrain", follow_redirects=False))
    second = said(client.post("/admin/retrain", follow_redirects=False))
    assert first == "training started (run 1)"
    assert second in ("already running (run 1)", "already running (starting)")
    run = wait_for_run(sqlite_url, 1, timeout=240)
    assert run["status"] == "succeeded", run["error"]
    page = client.get("/admin").text
    assert f"run 1</b>: {run['outcome']}" in page
    for plot in ("lr_find_frozen.png", "confusion.png", "top_losses.png"):
        assert f"/admin/runs/1/plots/{plot}" in page
    assert client.get("/admin/runs/1/plots/top_losses.png").headers["content-type"] == "image/png"
    assert client.get("/admin/runs/1/plots/..%2F..%2Fmeta.json").status_code == 404

    cleaner = client.get("/admin/cleaner").text
    assert "loss" in cleaner and "training:" in cleaner and "validation:" in cleaner
    worst = int(cleaner.split('id="image-', 1)[1].split('"', 1)[0])
    suggested = cleaner.split(f'id="image-{worst}"', 1)[1].split('" selected>', 1)[0].rsplit('"', 1)[1]
    client.post(f"/admin/images/{worst}/label", data={"city": suggested, "back": "/admin/cleaner"})
    relabelled = client.get("/admin/cleaner").text
    if f'id="image-{worst}"' in relabelled:  # still among the worst, now judged against the admin's city
        caption = relabelled.split(f'id="image-{worst}"', 1)[1].split("</figcaption>", 1)[0]
        assert f"labelled <b>{suggested}</b>" in caption
    removed = client.post(f"/admin/images/{worst}/exclude", data={"excluded": "1", "back": "/admin/cleaner"}, follow_redirects=False)
    assert removed.headers["location"].startswith("/admin/cleaner?")
    with store.transaction() as session:
        assert session.get(Image, worst).excluded is True
    assert f'id="image-{worst}"' not in client.get("/admin/cleaner").text


def record_run_with_top_losses(store: LabelStore, data_dir: Path, version: str, photos: list[dict] | None) -> None:
    """A finished run whose report folder holds `photos` as top_losses.json (None: a run from before that file)."""
    from storage.versions import finish_run, start_run

    report = data_dir / "models" / version / "report"
    report.mkdir(parents=True)
    if photos is not None:
        (report / "top_losses.json").write_text(json.dumps({"version": version, "photos": photos}))
    with store.transaction() as session:
        run = start_run(session, "test", None)
        finish_run(session, run.id, "succeeded", outcome="rejected", report_path=f"models/{version}/report", candidate_version=version)


def recorded(image: Image, split: str, actual: str, probabilities: dict[str, float]) -> dict:
    """One top_losses.json entry as the trainer writes it."""
    probability = probabilities[actual]
    return {
        "image_id": image.id, "sha256": image.sha256, "actual": actual, "split": split,
        "predicted": max(probabilities, key=probabilities.get), "probability": probability,
        "loss": -math.log(probability), "probabilities": probabilities,
    }


def test_cleaner_lists_the_photos_the_run_recorded_without_any_model(
    client: TestClient, store: LabelStore, data_dir: Path
) -> None:
    """No model file exists, yet the cleaner shows exactly the recorded photos worst first; remove/relabel take effect."""
    images = seed_store(store, per_city=2, size=(48, 48)) + seed_store(store, per_city=4, size=(48, 48), first_seed=2)
    photos = [
        recorded(images[0], "training", "Cebu", {"Cebu": 0.05, "Munich": 0.9, "Seoul": 0.05}),
        recorded(images[2], "validation", "Munich", {"Cebu": 0.1, "Munich": 0.3, "Seoul": 0.6}),
        recorded(images[4], "training", "Seoul", {"Cebu": 0.2, "Munich": 0.2, "Seoul": 0.6}),
    ]
    record_run_with_top_losses(store, data_dir, "v7", photos)
    signed_in(client)
    page = client.get("/admin/cleaner").text
    shown = [int(part.split('"', 1)[0]) for part in page.split('id="image-')[1:]]
    assert shown == [images[0].id, images[2].id, images[4].id]
    assert "training: labelled <b>Cebu</b>, predicted <b>Munich</b>; p(Cebu) 5.0 %, loss 3.00" in page
    assert "validation: labelled <b>Munich</b>" in page and "v7" in page

    client.post(f"/admin/images/{images[0].id}/exclude", data={"excluded": "1", "back": "/admin/cleaner"})
    client.post(f"/admin/images/{images[4].id}/label", data={"city": "Cebu", "back": "/admin/cleaner"})
    page = client.get("/admin/cleaner").text
    shown = [int(part.split('"', 1)[0]) for part in page.split('id="image-')[1:]]
    assert shown == [images[4].id, images[2].id]  # now judged as Cebu (p 0.2, loss 1.61), worse than Munich's 1.20
    assert "labelled <b>Cebu</b>, predicted <b>Seoul</b>; p(Cebu) 20.0 %, loss 1.61" in page
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, valid_pct=0.5, min_images_per_class=1)
    assert images[0].id not in [example.image_id for example in dataset.examples]
    assert (images[4].id, "Cebu") in [(example.image_id, example.city) for example in dataset.examples]


def test_cleaner_explains_a_run_made_before_top_losses_were_recorded(client: TestClient, store: LabelStore, data_dir: Path) -> None:
    """A report folder without top_losses.json: a note saying to retrain; a damaged file: a note saying so."""
    seed_store(store, per_city=2, size=(48, 48))
    record_run_with_top_losses(store, data_dir, "v3", None)
    signed_in(client)
    page = client.get("/admin/cleaner").text
    assert "recorded no top losses" in page and "retrain" in page and 'id="image-' not in page
    record_run_with_top_losses(store, data_dir, "v4", None)
    (data_dir / "models" / "v4" / "report" / "top_losses.json").write_text('{"photos": [{"image_id": 1}]')
    damaged = client.get("/admin/cleaner")
    assert damaged.status_code == 200 and "top_losses.json could not be read" in damaged.text
