"""The small interface every image search provider implements."""

from dataclasses import dataclass
from typing import Iterator, Optional, Protocol


@dataclass(frozen=True)
class SearchResult:
    """One image a search returned."""

    image_url: str
    title: str = ""
    page_url: str = ""
    width: Optional[int] = None
    height: Optional[int] = None


class ImageSearch(Protocol):
    """A provider: yields results lazily, raises SearchStopped (after its own retries) when it must give up."""

    name: str

    def search(self, query: str, max_results: int, photo_type: Optional[str] = None) -> Iterator[SearchResult]:
        """Up to `max_results` distinct images for `query`; `photo_type` like "photo", "clipart", "gif"."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
