"""The shared pipeline against a real local HTTP server: exactly the good unique images stored, each refusal explained."""

from pathlib import Path

from sqlalchemy import select

from storage.files import sha256_hex
from storage.models import Image, Label, User
from tests.collect.image_server import ImageServer, Reply
from tests.collect.images import encode, jpeg, photo, recompressed_copy, resized_copy, truncated
from trainer.collect.candidates import Candidate
from trainer.collect.pipeline import CityJob, CollectOptions, Collector


def _options(**changes) -> CollectOptions:
    settings = dict(source="import:test", kind="import", workers=4, timeout=1.5, max_bytes=200_000, progress=False)
    settings.update(changes)
    return CollectOptions(**settings)


def _url_job(server: ImageServer, city: str, paths: list[str]) -> CityJob:
    return CityJob(city, [Candidate(url=server.url(path)) for path in paths], total=len(paths))


def test_downloads_store_only_good_unique_images_and_explain_refusals(store):
    """Good images (also via redirects) are stored once; every bad link is refused with its reason."""
    original = photo("Munich", 1)
    good = {"/a.jpg": encode(original), "/b.png": encode(photo("Munich", 2), "PNG"), "/c.jpg": jpeg("Munich", 3)}
    with ImageServer() as server:
        server.replies.update({path: Reply(body=body) for path, body in good.items()})
        server.replies.update({
            "/hop1": Reply(302, content_type=None, headers={"Location": "/hop2"}),
            "/hop2": Reply(301, content_type=None, headers={"Location": server.url("/c.jpg")}),
            "/loop": Reply(302, content_type=None, headers={"Location": "/loop"}),
            "/page.jpg": Reply(body=b"<html><body>a gallery</body></html>", content_type="text/html"),
            "/lying.jpg": Reply(body=b"<html><body>a gallery</body></html>", content_type="image/jpeg"),
            "/cut.jpg": Reply(body=truncated(jpeg("Munich", 4))),
            "/huge.jpg": Reply(body=b"\xff\xd8\xff" + bytes(300_000)),
            "/endless.jpg": Reply(body=b"\xff\xd8\xff" + bytes(300_000), declare_length=False),
            "/slow.jpg": Reply(body=jpeg("Munich", 5), drip_delay=0.05),
            "/tiny.png": Reply(body=encode(photo("Munich", 6, (40, 30)), "PNG"), content_type="image/png"),
            "/again.jpg": Reply(body=good["/a.jpg"]),
            "/smaller.jpg": Reply(body=resized_copy(original)),
            "/blurry.jpg": Reply(body=recompressed_copy(original)),
        })
        paths = ["/a.jpg", "/b.png", "/hop1", "/loop", "/missing.jpg", "/page.jpg", "/lying.jpg", "/cut.jpg",
                 "/huge.jpg", "/endless.jpg", "/slow.jpg", "/tiny.png", "/again.jpg", "/smaller.jpg", "/blurry.jpg"]
        job = _url_job(server, "Munich", paths)
        job.candidates.append(Candidate(url="ftp://127.0.0.1/a.jpg"))
        summary = Collector(store, _options()).run([job])

    reasons = {refusal.item.rsplit("/", 1)[-1]: refusal.reason for refusal in summary.refusals}
    assert reasons == {
        "loop": "too many redirects",
        "missing.jpg": "HTTP 404",
        "page.jpg": "not an image",
        "lying.jpg": "not an image",
        "cut.jpg": "the image is damaged or truncated",
        "huge.jpg": "too large",
        "endless.jpg": "too large",
        "slow.jpg": "timed out",
        "tiny.png": "the image is too small",
        "a.jpg": "not an http(s) link",
    }
    munich = summary.cities["Munich"]
    assert (munich.found, munich.stored, munich.duplicates, munich.near_duplicates) == (16, 3, 1, 2)
    with store.transaction() as session:
        stored = session.scalars(select(Image)).all()
        assert sorted(image.source_url.rsplit("/", 1)[-1] for image in stored) == ["a.jpg", "b.png", "hop1"]
        assert {image.sha256 for image in stored} == {sha256_hex(body) for body in good.values()}
        labels = session.execute(select(Label.kind, User.external_id).join(User)).all()
        assert labels == [("import", "import:test")] * 3
        assert all(image.phash and image.source == "import:test" for image in stored)


def test_rerun_skips_stored_urls_without_downloading_them(any_store):
    """A second run over the same list downloads nothing already stored (SQLite and PostgreSQL)."""
    with ImageServer() as server:
        server.replies.update({f"/{n}.jpg": Reply(body=jpeg("Seoul", n)) for n in range(3)})
        paths = [f"/{n}.jpg" for n in range(3)]
        first = Collector(any_store, _options()).run([_url_job(server, "Seoul", paths)])
        requests_after_first = len(server.requested)
        second = Collector(any_store, _options()).run([_url_job(server, "Seoul", paths)])
        assert len(server.requested) == requests_after_first
    assert first.cities["Seoul"].stored == 3
    assert (second.cities["Seoul"].already_stored, second.cities["Seoul"].stored) == (3, 0)


def test_overall_deadline_stops_the_run_and_says_so(store):
    """A run past its deadline stops taking candidates and reports why."""
    with ImageServer() as server:
        server.replies["/slow.jpg"] = Reply(body=jpeg("Cebu", 1), drip_delay=0.1)
        server.replies.update({f"/{n}.jpg": Reply(body=jpeg("Cebu", n)) for n in range(2, 40)})
        paths = ["/slow.jpg"] + [f"/{n}.jpg" for n in range(2, 40)]
        summary = Collector(store, _options(workers=1, timeout=5, deadline_s=0.5)).run([_url_job(server, "Cebu", paths)])
    cebu = summary.cities["Cebu"]
    assert "deadline" in cebu.stopped
    assert any(refusal.item.endswith("/slow.jpg") and refusal.reason == "timed out" for refusal in summary.refusals)
    assert cebu.found < len(paths)


def test_max_side_shrinks_large_images_on_ingest(store, tmp_path: Path):
    """--max-side stores a downscaled copy of a large photo."""
    folder = tmp_path / "Munich"
    folder.mkdir()
    (folder / "big.jpg").write_bytes(jpeg("Munich", 7, (640, 480)))
    job = CityJob("Munich", [Candidate(path=folder / "big.jpg")])
    Collector(store, _options(max_side=200)).run([job])
    with store.transaction() as session:
        image = session.scalars(select(Image)).one()
        assert (image.width, image.height) == (200, 150)
