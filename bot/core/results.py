"""What core calls return: plain frozen records any front end can render."""

from dataclasses import dataclass, field
from typing import Optional

Ranking = list[tuple[str, float]]


@dataclass(frozen=True)
class Answer:
    """A ranked answer to one photo; `duplicate` means the message was seen before (`reply_ref`: the reply sent then)."""

    prediction_id: int
    ranking: Ranking
    model_version: str
    sure: bool
    duplicate: bool = False
    reply_ref: Optional[str] = None


@dataclass(frozen=True)
class LabelOutcome:
    """What was recorded for a tap or reply: city None means "none of these"; `changed` False if it was already so."""

    prediction_id: int
    city: Optional[str]
    kind: str
    model_version: str
    changed: bool


@dataclass(frozen=True)
class TaughtOutcome:
    """A photo stored as a labelled example, with what the live model would have said (if one is live)."""

    image_id: int
    city: str
    ranking: Optional[Ranking]
    model_version: Optional[str]
    prediction_id: Optional[int]
    duplicate: bool = False


@dataclass(frozen=True)
class CityInfo:
    """An active city, its aliases and how many labelled examples it has."""

    name: str
    aliases: list[str]
    examples: int


@dataclass(frozen=True)
class ColdStart:
    """Whether a model is live, and how many more examples each city needs before training can start."""

    live: bool
    counts: dict[str, int]
    needs: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class UserStats:
    """One user's contributions next to the totals and the live model."""

    photos: int
    labels: int
    confirmations: int
    corrections: int
    captions: int
    total_images: int
    total_labels: int
    live_version: Optional[str]
    live_accuracy: Optional[float]


@dataclass(frozen=True)
class Forgotten:
    """What `forget` deleted."""

    photos: int
    labels: int
