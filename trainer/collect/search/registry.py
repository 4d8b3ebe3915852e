"""Image search providers by name; adding one is a class with `name`, `search` and `close`, and a line here."""

from trainer.collect.search.base import ImageSearch
from trainer.collect.search.duckduckgo import DuckDuckGoImages

PROVIDERS = {DuckDuckGoImages.name: DuckDuckGoImages}
DEFAULT_PROVIDER = DuckDuckGoImages.name


def make_provider(name: str, base_url: str) -> ImageSearch:
    """The provider called `name`, talking to `base_url`."""
    return PROVIDERS[name](base_url=base_url)
