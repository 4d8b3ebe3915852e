"""Named errors of the data-set builder."""


class CollectError(Exception):
    """Base of every data-set builder error; the message is meant for the user."""


class Refused(CollectError):
    """One candidate was not stored; `reason` is short (counted in the summary), `detail` says more."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} ({detail})" if detail else reason)
        self.reason = reason
        self.detail = detail


class SearchStopped(CollectError):
    """The image search gave up (rate limit, provider error); what it found before still counts."""


class BadSource(CollectError):
    """A folder or URL list cannot be used as given (missing, unreadable, no class column, unknown cities)."""
