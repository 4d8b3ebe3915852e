"""CityBot: classify a photo, record taps/replies/captions as labels — the calls every front end makes.

Plain synchronous methods (front ends run them with `asyncio.to_thread`). Errors: `NotTrained`,
`RateLimited`, `UnknownPrediction` (bot.core.errors), `BadImage`, `UnknownCity` (storage.errors).
Every label is committed before the method returns, so a front end may say "saved" right after.
"""

from typing import Optional

from sqlalchemy import select

from bot.core import account
from bot.core.batcher import BatchedPredictions
from bot.core.errors import NotTrained, UnknownPrediction
from bot.core.live_model import LiveModel
from bot.core.ratelimit import SlidingWindowLimit
from bot.core.results import Answer, CityInfo, ColdStart, Forgotten, LabelOutcome, Ranking, TaughtOutcome, UserStats
from bot.core.users import UserRef, user_row
from storage.cities import list_cities, match_city
from storage.files import sha256_hex
from storage.ingest import find_image, ingest_image
from storage.labels import effective_label_counts, set_label
from storage.models import Label, Prediction, User
from storage.predictions import find_prediction, find_prediction_by_reply, record_prediction
from storage.store import LabelStore
from storage.versions import live_version


class CityBot:
    """The bot's behaviour without any transport: one instance per serving process."""

    def __init__(
        self,
        store: LabelStore,
        live_model: LiveModel,
        confidence_threshold: float = 0.5,
        photo_rate_limit_per_minute: int = 20,
        min_images_per_class: int = 5,
        batched: Optional[BatchedPredictions] = None,
    ) -> None:
        self.store = store
        self.batched = batched  # None: each request runs the model on its own thread
        self.live_model = live_model
        self.confidence_threshold = confidence_threshold
        self.min_images_per_class = min_images_per_class
        self.photo_limit = SlidingWindowLimit(photo_rate_limit_per_minute)

    def classify(self, data: bytes, user: UserRef, platform: str, source_ref: str) -> Answer:
        """Rank every city for a photo, storing the photo and the prediction once per platform message."""
        stored = self._stored_answer(platform, source_ref)
        if stored is not None:
            return stored
        self.photo_limit.hit((user.platform, user.external_id))
        predictor = self.live_model.current()
        if predictor is None:
            raise NotTrained(self.cold_start().needs)
        ranking = [(city, float(p)) for city, p in self._predict(predictor, data)]  # raises BadImage before storing
        with self.store.transaction() as session:
            image = ingest_image(session, self.store.files, data, source=platform, uploader=user_row(session, user)).image
            prediction, created = record_prediction(
                session, image, user_row(session, user), predictor.version, ranking, platform, source_ref
            )
            return self._answer_of(prediction, duplicate=not created)

    def _predict(self, predictor, data: bytes) -> Ranking:
        # Through the micro-batcher when serving (Busy when its queue is full), directly otherwise.
        return self.batched.predict(predictor, data) if self.batched is not None else predictor.predict(data)

    def attach_reply(self, prediction_id: int, reply_ref: str) -> None:
        """Remember which bot message shows this prediction (for taps, replies and redelivered updates)."""
        with self.store.transaction() as session:
            prediction = session.get(Prediction, prediction_id)
            if prediction is None:
                raise UnknownPrediction()
            prediction.reply_ref = reply_ref

    def answer(self, prediction_id: int, user: UserRef, city_name: Optional[str]) -> LabelOutcome:
        """Record a tap: a city (confirmation if it is the top prediction, else correction) or None for "none of these"."""
        with self.store.transaction() as session:
            prediction = session.get(Prediction, prediction_id)
            if prediction is None:
                raise UnknownPrediction()
            return self._label(session, prediction, user, city_name)

    def answer_choice(self, prediction_id: int, user: UserRef, index: Optional[int]) -> LabelOutcome:
        """Record a tap given as a position in the stored ranking (compact button data); None is "none of these"."""
        with self.store.transaction() as session:
            prediction = session.get(Prediction, prediction_id)
            if prediction is None or (index is not None and not 0 <= index < len(prediction.ranking)):
                raise UnknownPrediction()
            city_name = prediction.ranking[index][0] if index is not None else None
            return self._label(session, prediction, user, city_name)

    def relabel_from_reply(self, platform: str, reply_ref: str, user: UserRef, text: str) -> LabelOutcome:
        """Record a city typed as a reply to the bot's answer (case, accents, aliases, small typos forgiven)."""
        with self.store.transaction() as session:
            prediction = find_prediction_by_reply(session, platform, reply_ref)
            if prediction is None:
                raise UnknownPrediction()
            return self._label(session, prediction, user, text)

    def teach(self, data: bytes, caption: str, user: UserRef, platform: str, source_ref: str) -> TaughtOutcome:
        """Store a photo labelled by its caption (kind "caption"), with what the live model would have said."""
        with self.store.transaction() as session:
            city = match_city(session, caption).name  # UnknownCity: nothing stored
            prediction = find_prediction(session, platform, source_ref)
            already = self._taught(session, data, user, city)
            if prediction is not None or already is not None:
                return TaughtOutcome(
                    image_id=prediction.image_id if prediction else already,
                    city=city,
                    ranking=[tuple(pair) for pair in prediction.ranking] if prediction else None,
                    model_version=prediction.model_version if prediction else None,
                    prediction_id=prediction.id if prediction else None,
                    duplicate=True,
                )
        self.photo_limit.hit((user.platform, user.external_id))
        predictor = self.live_model.current()
        ranking: Optional[Ranking] = None
        if predictor is not None:
            ranking = [(name, float(p)) for name, p in self._predict(predictor, data)]
        with self.store.transaction() as session:
            person = user_row(session, user)
            image = ingest_image(session, self.store.files, data, source=platform, uploader=person).image
            prediction = None
            if ranking is not None:
                prediction, _ = record_prediction(session, image, person, predictor.version, ranking, platform, source_ref)
            set_label(session, image, person, match_city(session, city), "caption", prediction)
            return TaughtOutcome(
                image_id=image.id,
                city=city,
                ranking=ranking,
                model_version=predictor.version if predictor is not None else None,
                prediction_id=prediction.id if prediction is not None else None,
            )

    def cities(self) -> list[CityInfo]:
        """The active cities with their aliases and labelled-example counts."""
        with self.store.transaction() as session:
            counts = effective_label_counts(session)
            return [CityInfo(c.name, list(c.aliases), counts.get(c.name, 0)) for c in list_cities(session)]

    def cold_start(self) -> ColdStart:
        """Whether a model is live and how many examples each city still needs for a first training run."""
        with self.store.transaction() as session:
            counts = effective_label_counts(session)
            live = live_version(session) is not None
        needs = {city: self.min_images_per_class - n for city, n in counts.items() if n < self.min_images_per_class}
        return ColdStart(live=live, counts=counts, needs=needs)

    def user_stats(self, user: UserRef) -> UserStats:
        """The user's contributions, the totals and the live model's accuracy."""
        with self.store.transaction() as session:
            return account.user_stats(session, user)

    def forget(self, user: UserRef) -> Forgotten:
        """Delete the user's labels, and their photos nobody else labelled (files too)."""
        return account.forget(self.store, user)

    def _stored_answer(self, platform: str, source_ref: str) -> Optional[Answer]:
        with self.store.transaction() as session:
            prediction = find_prediction(session, platform, source_ref)
            return self._answer_of(prediction, duplicate=True) if prediction is not None else None

    def _answer_of(self, prediction: Prediction, duplicate: bool) -> Answer:
        ranking = [(city, float(p)) for city, p in prediction.ranking]
        return Answer(
            prediction_id=prediction.id,
            ranking=ranking,
            model_version=prediction.model_version,
            sure=bool(ranking) and ranking[0][1] >= self.confidence_threshold,
            duplicate=duplicate,
            reply_ref=prediction.reply_ref,
        )

    def _label(self, session, prediction: Prediction, user: UserRef, city_name: Optional[str]) -> LabelOutcome:
        city = match_city(session, city_name) if city_name is not None else None
        person = user_row(session, user)
        previous = session.scalars(
            select(Label).where(Label.image_id == prediction.image_id, Label.user_id == person.id)
        ).one_or_none()
        before = (previous.city_id, previous.prediction_id) if previous is not None else None
        top = prediction.ranking[0][0] if prediction.ranking else None
        kind = "confirmation" if city is not None and city.name == top else "correction"
        label = set_label(session, prediction.image, person, city, kind, prediction)
        return LabelOutcome(
            prediction_id=prediction.id,
            city=city.name if city is not None else None,
            kind=kind,
            model_version=prediction.model_version,
            changed=before != (label.city_id, label.prediction_id),
        )

    def _taught(self, session, data: bytes, user: UserRef, city: str) -> Optional[int]:
        """The image id if this user already taught these exact bytes as this city (a redelivered message)."""
        image = find_image(session, sha256_hex(data))
        if image is None:
            return None
        label = session.scalars(
            select(Label)
            .join(User, User.id == Label.user_id)
            .where(
                Label.image_id == image.id,
                Label.kind == "caption",
                User.platform == user.platform,
                User.external_id == user.external_id,
            )
        ).one_or_none()
        return image.id if label is not None and label.city is not None and label.city.name == city else None
