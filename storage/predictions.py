"""Predictions shown to users, stored once per platform message."""

from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Image, Prediction, User


def find_prediction(session: Session, platform: str, source_ref: str) -> Optional[Prediction]:
    """The prediction made for this platform message, if one was stored."""
    return session.scalars(
        select(Prediction).where(Prediction.platform == platform, Prediction.source_ref == source_ref)
    ).one_or_none()


def find_prediction_by_reply(session: Session, platform: str, reply_ref: str) -> Optional[Prediction]:
    """The prediction whose answer is the bot message `reply_ref` (for replies and button taps)."""
    return session.scalars(
        select(Prediction).where(Prediction.platform == platform, Prediction.reply_ref == reply_ref)
    ).first()


def record_prediction(
    session: Session,
    image: Image,
    user: Optional[User],
    model_version: str,
    ranking: Sequence[tuple[str, float]],
    platform: str,
    source_ref: str,
) -> tuple[Prediction, bool]:
    """Store a prediction unless this platform message already has one; returns (prediction, created)."""
    existing = find_prediction(session, platform, source_ref)
    if existing is not None:
        return existing, False
    prediction = Prediction(
        image_id=image.id,
        user_id=user.id if user is not None else None,
        model_version=model_version,
        ranking=[[city, float(probability)] for city, probability in ranking],
        platform=platform,
        source_ref=source_ref,
    )
    try:
        with session.begin_nested():
            session.add(prediction)
    except IntegrityError:  # another worker stored the same message a moment ago
        return find_prediction(session, platform, source_ref), False
    return prediction, True
