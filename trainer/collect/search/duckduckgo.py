"""DuckDuckGo images over httpx: the search page gives a `vqd` token, then `i.js` returns JSON pages of 100.

Our own small client rather than the `ddgs` package: ddgs's HTTP client (primp) cannot be pointed at another base
URL, so it could only be tested against the real internet; this one takes a base URL and is tested at the HTTP
boundary against recorded responses served from 127.0.0.1. The request shape follows ddgs's DuckDuckGo engine.
"""

import json
import re
import time
from typing import Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import httpx

from trainer.collect.errors import SearchStopped
from trainer.collect.search.base import SearchResult

DEFAULT_BASE_URL = "https://duckduckgo.com"
RETRIED_STATUSES = {202, 403, 418, 429, 500, 502, 503, 504}  # DuckDuckGo signals rate limits with 202/403/429
VQD_PATTERNS = (re.compile(rb'vqd="([^"]+)"'), re.compile(rb"vqd='([^']+)'"), re.compile(rb"vqd=([\w-]+)&"))
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept-Language": "en-US,en;q=0.5",
}
MAX_RETRY_AFTER_S = 60.0
SAFESEARCH = {"on": "1", "moderate": "1", "off": "-1"}


class DuckDuckGoImages:
    """The default image search provider."""

    name = "duckduckgo"

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        retries: int = 4,
        backoff_s: float = 2.0,
        timeout: float = 15.0,
        region: str = "us-en",
        safesearch: str = "moderate",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self.region = region
        self.safesearch = SAFESEARCH[safesearch]
        self.client = httpx.Client(headers=BROWSER_HEADERS, timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        """Release connections."""
        self.client.close()

    def search(self, query: str, max_results: int, photo_type: Optional[str] = None) -> Iterator[SearchResult]:
        """Image results for `query`, page by page, until `max_results`, the last page, or the provider gives up."""
        params = {
            "l": self.region,
            "o": "json",
            "q": query,
            "vqd": self._vqd(query),
            "p": self.safesearch,
            "f": f",,,type:{photo_type},," if photo_type else ",,,,,",
        }
        seen: set[str] = set()
        while len(seen) < max_results:
            page = self._json("/i.js", params)
            results = page.get("results") or []
            for item in results:
                result = _parse_result(item)
                if result is None or result.image_url in seen:
                    continue
                seen.add(result.image_url)
                yield result
                if len(seen) >= max_results:
                    return
            offset = _next_offset(page.get("next"))
            if not results or offset is None:
                return
            params["s"] = offset

    def _vqd(self, query: str) -> str:
        """The per-query token DuckDuckGo embeds in its search page."""
        page = self._get("/", {"q": query})
        for pattern in VQD_PATTERNS:
            found = pattern.search(page.content)
            if found:
                return found.group(1).decode()
        raise SearchStopped("DuckDuckGo's search page had no vqd token (its format may have changed)")

    def _json(self, path: str, params: dict[str, str]) -> dict:
        response = self._get(path, params, referer=self.base_url + "/")
        try:
            payload = json.loads(response.content)
        except ValueError:
            raise SearchStopped("DuckDuckGo answered with something that is not JSON") from None
        if not isinstance(payload, dict):
            raise SearchStopped("DuckDuckGo answered with JSON of an unexpected shape")
        return payload

    def _get(self, path: str, params: dict[str, str], referer: Optional[str] = None) -> httpx.Response:
        """GET with backoff on rate limits and server errors; SearchStopped with the last reason when out of tries."""
        headers = {"Referer": referer} if referer else {}
        reason = ""
        wait = 0.0
        for attempt in range(self.retries + 1):
            time.sleep(wait)
            wait = self.backoff_s * 2**attempt
            try:
                response = self.client.get(self.base_url + path, params=params, headers=headers)
            except httpx.HTTPError as error:
                reason = f"network error ({type(error).__name__})"
                continue
            if response.status_code == 200:
                return response
            limited = response.status_code in (202, 403, 429)
            reason = f"HTTP {response.status_code}" + (" (rate limited)" if limited else "")
            if response.status_code not in RETRIED_STATUSES:
                break
            wait = _retry_after(response, default=wait)
        raise SearchStopped(f"DuckDuckGo gave up after {attempt + 1} tries: {reason}")


def _retry_after(response: httpx.Response, default: float) -> float:
    """The server's Retry-After in seconds (capped), or our own backoff when it sent none."""
    value = response.headers.get("retry-after", "")
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(value)))
    except ValueError:
        return default


def _parse_result(item: object) -> Optional[SearchResult]:
    if not isinstance(item, dict) or not isinstance(item.get("image"), str) or not item["image"]:
        return None
    return SearchResult(
        image_url=item["image"],
        title=str(item.get("title") or ""),
        page_url=str(item.get("url") or ""),
        width=_int_or_none(item.get("width")),
        height=_int_or_none(item.get("height")),
    )


def _int_or_none(value: object) -> Optional[int]:
    return value if isinstance(value, int) else None


def _next_offset(next_link: object) -> Optional[str]:
    """The `s` offset of the next page from DuckDuckGo's `next` link ("i.js?q=...&s=100&..."), if any."""
    if not isinstance(next_link, str) or not next_link:
        return None
    offsets = parse_qs(urlsplit(next_link).query).get("s")
    return offsets[0] if offsets else None
