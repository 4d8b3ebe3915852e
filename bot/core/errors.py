"""Named errors of the core; each message is written for the person who caused it.

`storage.errors.BadImage` and `storage.errors.UnknownCity` pass through the core unchanged.
"""

from typing import Mapping


class CoreError(Exception):
    """Base of every core error."""


class NotTrained(CoreError):
    """No model is live yet; `needs` says how many more examples each city needs."""

    def __init__(self, needs: Mapping[str, int]) -> None:
        super().__init__("I haven't been trained yet — send photos with the city as caption")
        self.needs = dict(needs)


class RateLimited(CoreError):
    """The user sent more photos than allowed per minute; `retry_after` is in seconds."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, round(retry_after))
        super().__init__(f"You're sending photos faster than I can look at them — try again in {seconds} s.")
        self.retry_after = seconds


class NotAuthorised(CoreError):
    """A non-admin asked for an admin action."""

    def __init__(self) -> None:
        super().__init__("not authorised")


class UnknownPrediction(CoreError):
    """A tap or reply refers to an answer the store does not know (e.g. a very old message)."""

    def __init__(self) -> None:
        super().__init__("I can't find that answer any more — send the photo again.")


class UnknownVersion(CoreError):
    """An admin named a model version that does not exist."""
