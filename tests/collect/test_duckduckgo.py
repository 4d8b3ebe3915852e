"""The DuckDuckGo images client against recorded responses served from 127.0.0.1: parsing, paging, backoff."""

import pytest

from tests.collect.fake_duckduckgo import RECORDED_VQD, serve_duckduckgo
from tests.collect.image_server import ImageServer, Reply
from trainer.collect.errors import SearchStopped
from trainer.collect.search.duckduckgo import DuckDuckGoImages

IMAGES = ["marienplatz.jpg", "frauenkirche.jpg", "odeonsplatz.jpg", "english-garden.jpg", "olympiapark.jpg"]


@pytest.fixture
def server():
    """A local HTTP server, shut down after the test."""
    with ImageServer() as running:
        yield running


def _client(server: ImageServer, **options) -> DuckDuckGoImages:
    return DuckDuckGoImages(base_url=server.url(""), backoff_s=0.01, **options)


def test_results_are_parsed_across_pages_without_repeats(server):
    """Image links come in order over both recorded pages; repeats and entries without a link are dropped."""
    calls = serve_duckduckgo(server, "img.test")
    client = _client(server)
    results = list(client.search("Munich city", 50, photo_type="photo"))
    client.close()
    assert [result.image_url for result in results] == [f"http://img.test/{name}" for name in IMAGES]
    assert results[0].title == "Marienplatz, Munich - Wikipedia" and results[0].width == 2048
    assert [call.get("s") for call in calls] == [None, "100"]
    assert calls[0]["q"] == "Munich city" and calls[0]["vqd"] == RECORDED_VQD and calls[0]["f"] == ",,,type:photo,,"


def test_search_stops_at_max_results_without_asking_for_more_pages(server):
    """Asking for two results reads one page only."""
    calls = serve_duckduckgo(server, "img.test")
    client = _client(server)
    assert len(list(client.search("Munich city", 2))) == 2
    client.close()
    assert len(calls) == 1


def test_rate_limit_is_retried_then_succeeds(server):
    """Two 429 answers, then the page: the client waits and gets the results."""
    serve_duckduckgo(server, "img.test")
    recorded_pages = server.replies["/i.js"]
    answers = iter([Reply(429, b"", headers={"Retry-After": "0"}), Reply(403, b"", content_type="text/html")])
    server.replies["/i.js"] = lambda query: next(answers, None) or recorded_pages(query)
    client = _client(server)
    assert len(list(client.search("Munich city", 3))) == 3
    client.close()
    assert sum(path.startswith("/i.js") for path in server.requested) == 3


def test_persistent_rate_limit_stops_with_a_reason(server):
    """A provider that keeps refusing ends in SearchStopped naming the status, after the configured retries."""
    serve_duckduckgo(server, "img.test")
    server.replies["/i.js"] = Reply(429, b"slow down", content_type="text/plain", headers={"Retry-After": "0"})
    client = _client(server, retries=2)
    with pytest.raises(SearchStopped, match=r"gave up after 3 tries: HTTP 429 \(rate limited\)"):
        list(client.search("Munich city", 3))
    client.close()


def test_page_without_token_stops_with_a_reason(server):
    """A changed search page (no vqd) is reported, not a crash."""
    server.replies["/"] = Reply(body=b"<html>consent wall</html>", content_type="text/html")
    client = _client(server)
    with pytest.raises(SearchStopped, match="no vqd token"):
        list(client.search("Munich city", 3))
    client.close()
