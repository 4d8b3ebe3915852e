"""The core on SQLite and PostgreSQL with a real trained model: classify once per message, labels, teaching, forgetting."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.errors import NotTrained, UnknownPrediction
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.core.users import UserRef
from storage.errors import BadImage, UnknownCity
from storage.models import Image, Label, Prediction
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes

ANN = UserRef("web", "ann", "Ann")
BOB = UserRef("web", "bob", "Bob")


@pytest.fixture
def core(any_store, tmp_path: Path, trained_version: Path) -> CityBot:
    """A core over a store where version v1 is live."""
    data_dir = tmp_path / "data"
    install_live_version(any_store, data_dir, trained_version, "v1")
    return CityBot(any_store, LiveModel(any_store, data_dir), confidence_threshold=0.5, photo_rate_limit_per_minute=50)


def _count(store, model) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_classify_stores_once_per_message_and_ranks_every_city(core):
    """Every city ranked, probabilities summing to 1; the same message again is the stored answer, marked duplicate."""
    first = core.classify(photo_bytes("Munich", 1), ANN, "web", "m1")
    assert sorted(city for city, _ in first.ranking) == ["Cebu", "Munich", "Seoul"]
    assert abs(sum(p for _, p in first.ranking) - 1) < 1e-5 and first.model_version == "v1"
    again = core.classify(photo_bytes("Munich", 1), ANN, "web", "m1")
    assert again.duplicate and again.prediction_id == first.prediction_id and again.ranking == first.ranking
    assert _count(core.store, Prediction) == 1 and _count(core.store, Image) == 1


def test_taps_bind_to_prediction_and_version_and_reject_unknown(core):
    """A tap of the top city is a confirmation, another a correction; an unknown prediction or city stores nothing."""
    answer = core.classify(photo_bytes("Seoul", 2), ANN, "web", "m2")
    top, other = answer.ranking[0][0], answer.ranking[1][0]
    assert core.answer(answer.prediction_id, ANN, top).kind == "confirmation"
    outcome = core.answer(answer.prediction_id, ANN, other)
    assert (outcome.kind, outcome.city, outcome.model_version, outcome.changed) == ("correction", other, "v1", True)
    with pytest.raises(UnknownPrediction):
        core.answer(answer.prediction_id + 99, ANN, top)
    with pytest.raises(UnknownCity, match="Known cities: Cebu, Munich, Seoul"):
        core.answer(answer.prediction_id, BOB, "Atlantis")
    assert _count(core.store, Label) == 1


def test_bad_image_and_unknown_caption_store_nothing(core):
    """Text named .jpg is refused with a reason; a caption naming no city stores nothing."""
    with pytest.raises(BadImage):
        core.classify(b"not an image at all", ANN, "web", "m3")
    with pytest.raises(UnknownCity):
        core.teach(photo_bytes("Cebu", 3), "Atlantis", ANN, "web", "m4")
    assert _count(core.store, Image) == 0 and _count(core.store, Prediction) == 0


def test_forget_keeps_photos_someone_else_labelled(core):
    """Forgetting Ann deletes her labels and her unshared photo; a photo Bob labelled stays (without her as uploader)."""
    shared = core.classify(photo_bytes("Cebu", 4), ANN, "web", "m5")
    core.teach(photo_bytes("Munich", 5), "Munich", ANN, "web", "m6")
    core.answer(shared.prediction_id, ANN, "Cebu")
    core.answer(shared.prediction_id, BOB, "Seoul")
    gone = core.forget(ANN)
    assert (gone.photos, gone.labels) == (1, 2)
    with core.store.transaction() as session:
        images = list(session.scalars(select(Image)))
        labels = [(label.user.external_id, label.city.name) for label in session.scalars(select(Label))]
    assert len(images) == 1 and images[0].uploader_id is None and labels == [("bob", "Seoul")]
    assert core.user_stats(ANN).labels == 0 and core.user_stats(BOB).labels == 1


def test_not_trained_reports_what_each_city_needs(any_store, tmp_path: Path):
    """Before any model: NotTrained says how many examples each city still needs; teaching works meanwhile."""
    core = CityBot(any_store, LiveModel(any_store, tmp_path / "data"), min_images_per_class=3)
    core.teach(photo_bytes("Seoul", 6), "seoul", ANN, "web", "m7")
    with pytest.raises(NotTrained) as raised:
        core.classify(photo_bytes("Seoul", 7), ANN, "web", "m8")
    assert raised.value.needs == {"Cebu": 3, "Munich": 3, "Seoul": 2}
