"""Downloading candidate images for a data set: http/https only, few redirects, size cap, timeouts, sniffed bytes.

This is for building a data set on the user's own machine from links they chose or a search returned; the web
front end has its own SSRF-safe fetcher for links sent by strangers.
"""

import time
from typing import Optional
from urllib.parse import urljoin, urlsplit

import httpx

from trainer.collect.errors import Refused

DEFAULT_TIMEOUT_S = 15.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) citybot-dataset-builder/0.1"
# CDNs often label images as generic binary; the magic bytes decide then.
GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream", "application/binary"}
MAGIC_PREFIXES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def sniff_image_type(head: bytes) -> Optional[str]:
    """The image format the first bytes announce, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((fmt for prefix, fmt in MAGIC_PREFIXES.items() if head.startswith(prefix)), None)


class Downloader:
    """Fetches one image per call; thread-safe, so a pool of workers can share it."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        transport: Optional[httpx.BaseTransport] = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.client = httpx.Client(
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "image/*,*/*;q=0.5"},
            transport=transport,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()

    def fetch(self, url: str, deadline: Optional[float] = None) -> bytes:
        """The image bytes at `url`, or Refused; `deadline` (time.monotonic) cuts the whole request short."""
        give_up = time.monotonic() + self.timeout
        if deadline is not None:
            give_up = min(give_up, deadline)
        try:
            for _hop in range(self.max_redirects + 1):
                _check_scheme(url)
                next_url = self._get_once(url, give_up)
                if isinstance(next_url, bytes):
                    return next_url
                url = next_url
        except httpx.TimeoutException:
            raise Refused("timed out", f"no complete answer within {self.timeout:g} s") from None
        except httpx.InvalidURL as error:
            raise Refused("not a valid link", str(error)) from None
        except httpx.HTTPError as error:
            raise Refused("could not connect", type(error).__name__) from None
        raise Refused("too many redirects", f"more than {self.max_redirects}")

    def _get_once(self, url: str, give_up: float) -> bytes | str:
        """The body of a 200 answer, or the URL a redirect points to."""
        with self.client.stream("GET", url, timeout=_remaining(give_up)) as response:
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise Refused("bad redirect", "no Location header")
                return urljoin(str(response.url), location)
            if response.status_code != 200:
                raise Refused(f"HTTP {response.status_code}")
            _check_content_type(response.headers.get("content-type", ""))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise Refused("too large", f"{int(declared):,} bytes > {self.max_bytes:,}")
            return self._read_body(response, give_up)

    def _read_body(self, response: httpx.Response, give_up: float) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise Refused("too large", f"more than {self.max_bytes:,} bytes")
            if time.monotonic() > give_up:
                # httpx's read timeout is per chunk; a slow drip would otherwise never end.
                raise Refused("timed out", f"no complete answer within {self.timeout:g} s")
            chunks.append(chunk)
        data = b"".join(chunks)
        if sniff_image_type(data[:16]) is None:
            raise Refused("not an image", "the bytes are not JPEG, PNG, GIF, WebP, BMP or TIFF")
        return data


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("not an http(s) link", f"scheme {scheme or 'missing'!r}")


def _check_content_type(header: str) -> None:
    content_type = header.split(";")[0].strip().lower()
    if content_type and not content_type.startswith("image/") and content_type not in GENERIC_TYPES:
        raise Refused("not an image", f"the server sent {content_type}")


def _remaining(give_up: float) -> float:
    left = give_up - time.monotonic()
    if left <= 0:
        raise httpx.ReadTimeout("deadline passed")
    return left
