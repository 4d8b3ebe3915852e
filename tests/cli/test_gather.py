"""`citybot gather` end to end: a fake DuckDuckGo and image host on 127.0.0.1, the real CLI, the label store."""

import json

import pytest
from sqlalchemy import select

from bot.cli.main import main
from storage.models import Image, Label
from storage.store import open_store
from tests.collect.fake_duckduckgo import serve_duckduckgo
from tests.collect.image_server import ImageServer, Reply
from tests.collect.images import jpeg

NAMES = ["marienplatz", "frauenkirche", "odeonsplatz", "english-garden", "olympiapark"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The CLI pointed at a fresh data folder (and no stray .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def server(env, monkeypatch):
    """Fake DuckDuckGo plus the image host its recorded results point to, both on one local server."""
    with ImageServer() as running:
        serve_duckduckgo(running, running.url("").removeprefix("http://"))
        running.replies.update({f"/{name}.jpg": Reply(body=jpeg("Munich", seed)) for seed, name in enumerate(NAMES)})
        monkeypatch.setenv("IMAGE_SEARCH_URL", running.url(""))
        yield running


def _stored(env):
    store = open_store(f"sqlite:///{env / 'data' / 'citybot.sqlite3'}", env / "data")
    with store.transaction() as session:
        rows = session.execute(select(Image.query, Image.source_url, Label.kind).join(Label, Label.image_id == Image.id)).all()
    store.close()
    return rows


def test_gather_stores_search_images_labelled_with_their_query(server, env, capsys):
    """Three images per city are stored with kind "search", their link and the query; a re-run adds nothing."""
    assert main(["gather", "Munich", "--per-class", "3", "--suffix", "city", "--type", "photo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cities"]["Munich"]["stored"] == 3
    rows = _stored(env)
    assert sorted(url.rsplit("/", 1)[-1] for _query, url, _kind in rows) == ["frauenkirche.jpg", "marienplatz.jpg", "odeonsplatz.jpg"]
    assert {(query, kind) for query, _url, kind in rows} == {("Munich city", "search")}

    assert main(["gather", "Munich", "--per-class", "3", "--suffix", "city"]) == 0
    assert "already 3 images from 'Munich city'" in capsys.readouterr().out
    assert len(_stored(env)) == 3


def test_gather_reports_what_it_got_when_the_provider_stops(server, env, capsys):
    """Page two rate-limited for good: page one's images are kept and the reason is printed, no traceback."""
    recorded_pages = server.replies["/i.js"]
    server.replies["/i.js"] = lambda query: (
        Reply(429, b"", content_type="text/plain", headers={"Retry-After": "0"}) if "s=100" in query else recorded_pages(query)
    )
    assert main(["gather", "Munich", "--per-class", "10"]) == 0
    out = capsys.readouterr().out
    assert "Munich stopped early: DuckDuckGo gave up after 5 tries: HTTP 429 (rate limited)" in out
    assert len(_stored(env)) == 3


def test_gather_refuses_unknown_cities_without_add_classes(server, env, capsys):
    """An unknown city is named in a clear error and nothing is searched."""
    assert main(["gather", "Atlantis"]) == 1
    assert "unknown cities: Atlantis" in capsys.readouterr().err
    assert not any(path.startswith("/i.js") for path in server.requested)
