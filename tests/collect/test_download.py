"""The downloader on its own: refusals a user can read for dead hosts, odd links and disguised bytes."""

import socket

import pytest

from tests.collect.image_server import ImageServer, Reply
from tests.collect.images import encode, jpeg, photo
from trainer.collect.download import Downloader, sniff_image_type
from trainer.collect.errors import Refused


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"http://127.0.0.1:{_closed_port()}/a.jpg", "could not connect"),
        ("file:///etc/passwd", "not an http(s) link"),
        ("www.example.com/a.jpg", "not an http(s) link"),
    ],
)
def test_unusable_links_are_refused_with_a_reason(url, reason):
    """A dead host, a local file link and a link without a scheme are each refused, not raised."""
    downloader = Downloader(timeout=2)
    with pytest.raises(Refused) as refusal:
        downloader.fetch(url)
    downloader.close()
    assert refusal.value.reason == reason


def test_generic_content_type_is_judged_by_the_bytes():
    """application/octet-stream carrying a JPEG is accepted; the same type carrying text is not."""
    with ImageServer() as server:
        server.replies["/photo"] = Reply(body=jpeg(), content_type="application/octet-stream")
        server.replies["/text"] = Reply(body=b"hello", content_type="application/octet-stream")
        downloader = Downloader(timeout=2)
        assert downloader.fetch(server.url("/photo")) == jpeg()
        with pytest.raises(Refused, match="not an image"):
            downloader.fetch(server.url("/text"))
        downloader.close()


def test_sniffing_knows_the_formats_the_store_accepts():
    """JPEG, PNG, GIF, WebP, BMP and TIFF are recognised by their first bytes; HTML is not."""
    image = photo(size=(16, 16))
    found = {fmt: sniff_image_type(encode(image, fmt)[:16]) for fmt in ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")}
    assert found == {fmt: fmt for fmt in found}
    assert sniff_image_type(b"<!DOCTYPE html>") is None
