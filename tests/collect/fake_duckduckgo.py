"""A fake DuckDuckGo images endpoint on 127.0.0.1 replaying recorded responses from tests/fixtures/search/."""

from pathlib import Path
from urllib.parse import parse_qs

from tests.collect.image_server import ImageServer, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "search"
RECORDED_VQD = "4-211029617471297461785573298813914617856"


def recorded(name: str) -> str:
    """A recorded response's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def serve_duckduckgo(server: ImageServer, image_host: str) -> list[dict[str, str]]:
    """Answer `/` with the recorded search page and `/i.js` with the recorded pages (image links on `image_host`).

    Returns the list that records each i.js request's parameters.
    """
    calls: list[dict[str, str]] = []

    def images(query: str) -> Reply:
        params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
        calls.append(params)
        if params.get("vqd") != RECORDED_VQD:
            return Reply(403, b"", content_type="text/html")
        page = "ddg_images_page2.json" if params.get("s") == "100" else "ddg_images_page1.json"
        return Reply(body=recorded(page).replace("IMAGE_HOST", image_host).encode(), content_type="application/json")

    server.replies["/"] = Reply(body=recorded("ddg_search_page.html").encode(), content_type="text/html; charset=UTF-8")
    server.replies["/i.js"] = images
    return calls
