"""The JSON routes through Starlette's test client: classify (upload and URL), labels, health, every bad input."""

import math
from typing import Iterator

import pytest
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from storage.models import Image, Label, Prediction, User
from storage.store import LabelStore
from tests.fakes.trained_model import install_live_version
from tests.storage.image_samples import BAD
from tests.synthetic import CITIES, photo_bytes
from tests.web.conftest import ClientFactory
from tests.web.servers import RecordingServer, Reply, serving

PHOTO = photo_bytes("Seoul", seed=3)


def upload(client: TestClient, data: bytes = PHOTO, name: str = "city.jpg", kind: str = "image/jpeg"):
    """POST /api/classify with the photo in field `file`."""
    return client.post("/api/classify", files={"file": (name, data, kind)})


def count(store: LabelStore, model) -> int:
    """Rows of a table."""
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


async def resolve_photos_test(host: str, port: int) -> list:
    """The test's DNS: photos.test is the loopback server, nothing else exists."""
    import ipaddress

    if host != "photos.test":
        raise OSError("unknown host")
    return [ipaddress.ip_address("127.0.0.1")]


@pytest.fixture
def photo_server() -> Iterator[RecordingServer]:
    """A loopback server serving the photo at /seoul.jpg."""
    with serving("127.0.0.1") as server:
        server.replies["/seoul.jpg"] = Reply(200, PHOTO, {"Content-Type": "image/jpeg"})
        yield server


def test_upload_ranks_every_city_best_first_and_stores_the_prediction(live: str, client: TestClient, store: LabelStore) -> None:
    """An uploaded photo gets every city with probabilities summing to 1, best first, and the live version."""
    response = upload(client)
    assert response.status_code == 200
    body = response.json()
    probabilities = [p for _, p in body["predictions"]]
    assert sorted(city for city, _ in body["predictions"]) == sorted(CITIES)
    assert probabilities == sorted(probabilities, reverse=True)
    assert math.isclose(sum(probabilities), 1.0, abs_tol=1e-4)
    assert body["model_version"] == "v1"
    with store.transaction() as session:
        prediction = session.get(Prediction, body["prediction_id"])
        owner = session.get(User, prediction.user_id)
        assert (prediction.platform, owner.platform, owner.external_id) == ("web", "web", client.cookies["citybot_visitor"])


def test_classify_url_answers_the_course_shape_with_the_same_probabilities(
    live: str, make_client: ClientFactory, photo_server: RecordingServer
) -> None:
    """/classify-url gives {"predictions": [[city, p], ...], "model_version"} — the same numbers as an upload."""
    client = make_client(url_resolver=resolve_photos_test)
    by_url = client.get("/classify-url", params={"url": photo_server.url("/seoul.jpg", host="photos.test")})
    assert by_url.status_code == 200
    assert by_url.json()["predictions"] == upload(client).json()["predictions"]
    assert by_url.json()["model_version"] == "v1"
    assert [hit.host for hit in photo_server.received] == [f"photos.test:{photo_server.port}"]


@pytest.mark.parametrize(
    "url, status, words",
    [
        ("http://127.0.0.2:{port}/seoul.jpg", 400, "private or reserved"),
        ("http://2130706434:{port}/seoul.jpg", 400, "private or reserved"),
        ("http://[::ffff:127.0.0.2]:{port}/seoul.jpg", 400, "private or reserved"),
        ("http://169.254.169.254/latest/meta-data/", 400, "private or reserved"),
        ("file:///etc/passwd", 400, "only http"),
        ("http://user:pw@photos.test:{port}/seoul.jpg", 400, "user name or password"),
        ("", 400, "add the photo's address"),
    ],
)
def test_classify_url_refuses_internal_and_odd_urls_without_contacting_them(
    live: str, make_client: ClientFactory, url: str, status: int, words: str
) -> None:
    """Refused URLs are a 400 saying why, and the internal server receives nothing."""
    client = make_client(url_resolver=resolve_photos_test)
    with serving("127.0.0.2") as internal:
        internal.replies["/seoul.jpg"] = Reply(200, PHOTO, {"Content-Type": "image/jpeg"})
        response = client.get("/classify-url", params={"url": url.format(port=internal.port)})
    assert response.status_code == status
    assert words in response.json()["error"]
    assert internal.received == []


@pytest.mark.parametrize(
    "reply, status, words",
    [
        (Reply(404, b"<h1>secret admin panel</h1>", {"Content-Type": "text/html"}), 502, "HTTP 404"),
        (Reply(200, b"<html>a page</html>", {"Content-Type": "text/html"}), 415, "not an image"),
        (Reply(200, b"%PDF-1.4 not a photo", {"Content-Type": "image/jpeg"}), 400, "not an image"),
        (Reply(200, PHOTO * 100, {"Content-Type": "image/jpeg"}), 413, "larger than"),
    ],
)
def test_classify_url_reports_upstream_trouble_without_echoing_it(
    live: str, make_client: ClientFactory, photo_server: RecordingServer, reply: Reply, status: int, words: str
) -> None:
    """Upstream errors, pages, non-images and oversized photos are 4xx/5xx JSON that never repeat the upstream body."""
    client = make_client(url_resolver=resolve_photos_test, max_upload_bytes=len(PHOTO) * 10)
    photo_server.replies["/thing"] = reply
    response = client.get("/classify-url", params={"url": photo_server.url("/thing", host="photos.test")})
    assert response.status_code == status
    assert words in response.json()["error"]
    assert "secret" not in response.text


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_uploads_get_a_4xx_saying_what_is_wrong_and_store_nothing(
    live: str, client: TestClient, store: LabelStore, name: str
) -> None:
    """Empty, non-image, truncated and decompression-bomb uploads: 4xx JSON naming the problem, nothing stored."""
    data, words = BAD[name]
    response = upload(client, data())
    assert 400 <= response.status_code < 500
    assert words in response.json()["error"]
    assert count(store, Image) == 0 and count(store, Prediction) == 0


def test_malformed_upload_requests_are_refused_clearly(live: str, make_client: ClientFactory) -> None:
    """A JSON body, a missing `file` field, and a photo over the cap each get their own 4xx message."""
    client = make_client(max_upload_bytes=len(PHOTO) - 1)
    wrong_type = client.post("/api/classify", json={"url": "x"})
    assert (wrong_type.status_code, "multipart/form-data" in wrong_type.json()["error"]) == (400, True)
    no_field = client.post("/api/classify", files={"photo": ("a.jpg", PHOTO, "image/jpeg")})
    assert (no_field.status_code, "field called 'file'" in no_field.json()["error"]) == (400, True)
    too_big = upload(client)
    assert (too_big.status_code, "larger than" in too_big.json()["error"]) == (413, True)
    way_too_big = upload(client, PHOTO * 60)
    assert (way_too_big.status_code, "larger than" in way_too_big.json()["error"]) == (413, True)

    def endless_upload():
        yield b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n"
        for _ in range(100):
            yield PHOTO  # no Content-Length: the cap must hold while the body streams in

    streamed = client.post("/api/classify", content=endless_upload(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert (streamed.status_code, "larger than" in streamed.json()["error"]) == (413, True)


def test_before_any_model_the_api_and_page_say_how_to_train_one(client: TestClient, store: LabelStore) -> None:
    """With no live model: classify is a 503 naming what each city needs; the page and health say so too."""
    response = upload(client)
    assert response.status_code == 503
    assert "citybot train" in response.json()["error"]
    assert response.json()["needs"] == {city: 5 for city in CITIES}
    assert "No model is live yet" in client.get("/").text
    assert client.get("/api/health").json()["model_version"] is None
    assert count(store, Image) == 0


def test_corrections_confirmations_and_none_of_these_land_in_the_store(live: str, client: TestClient, store: LabelStore) -> None:
    """Tapping a city stores a label for this browser's user: confirmation for the top city, else correction."""
    answer = upload(client).json()
    top, other = answer["predictions"][0][0], answer["predictions"][1][0]
    said = [client.post("/api/labels", json={"prediction_id": answer["prediction_id"], "city": city}).json() for city in (other, top, None)]
    assert [(s["city"], s["kind"], s["changed"]) for s in said] == [
        (other, "correction", True), (top, "confirmation", True), (None, "correction", True)
    ]
    with store.transaction() as session:
        labels = session.scalars(select(Label)).all()
        assert [(label.city_id, label.kind, label.user.platform, label.model_version) for label in labels] == [
            (None, "correction", "web", "v1")
        ]


def test_label_requests_are_checked(live: str, client: TestClient, make_client: ClientFactory, store: LabelStore) -> None:
    """Unknown cities, other browsers' predictions, bad ids and bad JSON are refused, and nothing is stored."""
    prediction_id = upload(client).json()["prediction_id"]
    unknown = client.post("/api/labels", json={"prediction_id": prediction_id, "city": "Atlantis"})
    assert unknown.status_code == 400 and "Known cities" in unknown.json()["error"]
    stranger = make_client().post("/api/labels", json={"prediction_id": prediction_id, "city": "Munich"})
    assert stranger.status_code == 404
    assert client.post("/api/labels", json={"prediction_id": "1", "city": "Munich"}).status_code == 400
    assert client.post("/api/labels", json={"prediction_id": prediction_id, "city": 7}).status_code == 400
    assert client.post("/api/labels", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/api/labels", json=[prediction_id]).status_code == 400
    assert count(store, Label) == 0


def test_sending_too_fast_is_answered_429_with_retry_after(live: str, make_client: ClientFactory, store: LabelStore) -> None:
    """Past the per-visitor rate limit the answer is 429 with Retry-After; the extra photo is not stored."""
    client = make_client(photo_rate_limit=2)
    assert [upload(client, photo_bytes("Cebu", seed=n)).status_code for n in range(2)] == [200, 200]
    third = upload(client, photo_bytes("Cebu", seed=9))
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    assert count(store, Image) == 2


def test_dropping_the_cookie_does_not_escape_the_per_address_limit(live: str, make_client: ClientFactory) -> None:
    """A fresh cookie per photo still meets the per-address limit."""
    client = make_client(photos_per_minute_per_address=2)
    statuses = []
    for seed in range(3):
        client.cookies.clear()
        statuses.append(upload(client, photo_bytes("Munich", seed=seed)).status_code)
    assert statuses == [200, 200, 429]


def test_a_new_live_model_is_used_without_a_restart(live: str, client: TestClient, store: LabelStore, data_dir, trained_version) -> None:
    """Promoting another version swaps the model under the running app; each answer names one version."""
    assert upload(client).json()["model_version"] == "v1"
    install_live_version(store, data_dir, trained_version, "v2")
    assert upload(client).json()["model_version"] == "v2"
    assert client.get("/api/health").json()["model_version"] == "v2"


def test_health_reports_version_uptime_and_label_counts(live: str, client: TestClient) -> None:
    """/api/health names the live version, the uptime and labelled photos per city."""
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["model_version"] == "v1"
    assert body["uptime_seconds"] >= 0
    assert body["labels"] == {city: 0 for city in CITIES}


def test_unknown_routes_and_methods_answer_json(client: TestClient) -> None:
    """404 and 405 come back in the same JSON error shape as everything else."""
    missing = client.get("/nope")
    assert (missing.status_code, missing.json()["error"]) == (404, "not found")
    wrong = client.get("/api/classify")
    assert wrong.status_code == 405 and "error" in wrong.json()


def test_a_fault_on_our_side_is_a_short_apology_and_a_logged_traceback(
    live: str, client: TestClient, store: LabelStore, caplog: pytest.LogCaptureFixture
) -> None:
    """When the database breaks under a request, the user gets a 500 apology without internals; the log has the traceback."""
    prediction_id = upload(client).json()["prediction_id"]
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE labels"))
    response = client.post("/api/labels", json={"prediction_id": prediction_id, "city": "Munich"})
    assert response.status_code == 500
    assert response.json() == {"error": "sorry, something went wrong on our side; it has been logged"}
    assert any(record.exc_info and "labels" in str(record.exc_info[1]) for record in caplog.records)
