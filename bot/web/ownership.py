"""Whether a prediction was made for this browser: web visitors may only label their own photos."""

from sqlalchemy import select

from storage.models import Prediction, User
from storage.store import LabelStore


def owns_prediction(store: LabelStore, prediction_id: int, platform: str, external_id: str) -> bool:
    """True when the prediction answered a photo sent by this platform user."""
    query = (
        select(Prediction.id)
        .join(User, User.id == Prediction.user_id)
        .where(Prediction.id == prediction_id, User.platform == platform, User.external_id == external_id)
    )
    with store.transaction() as session:
        return session.scalar(query) is not None
