"""Constraints a user relies on: one row per photo, one label per person per photo, one prediction per message."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.cities import get_city
from storage.labels import set_label
from storage.models import Image, Label, Prediction, User
from storage.predictions import find_prediction_by_reply, record_prediction
from storage.store import open_store
from storage.users import get_or_create_user, system_user


def make_image(session, sha: str = "a" * 64) -> Image:
    """An image row without a file."""
    image = Image(sha256=sha, path=f"{sha[:2]}/{sha}.png", width=4, height=4, format="PNG", source="test")
    session.add(image)
    session.flush()
    return image


def test_same_content_hash_is_refused_twice(any_store):
    """Two image rows with one sha256 cannot exist."""
    with pytest.raises(IntegrityError):
        with any_store.transaction() as session:
            make_image(session)
            session.add(Image(sha256="a" * 64, path="x.png", width=1, height=1, format="PNG", source="test"))
            session.flush()


def test_one_label_per_user_per_image(any_store):
    """Answering again updates the one label row; a second raw row is refused."""
    with any_store.transaction() as session:
        image = make_image(session)
        user = get_or_create_user(session, "telegram", 7, display_name="Ana")
        first = set_label(session, image, user, get_city(session, "Cebu"), "confirmation")
        second = set_label(session, image, user, get_city(session, "Seoul"), "correction")
        assert first.id == second.id
    with any_store.transaction() as session:
        rows = session.scalars(select(Label)).all()
        assert [(row.city.name, row.kind) for row in rows] == [("Seoul", "correction")]
    with pytest.raises(IntegrityError):
        with any_store.transaction() as session:
            session.add(Label(image_id=image.id, user_id=user.id, city_id=None, kind="correction"))
            session.flush()


def test_redelivered_message_stores_one_prediction(any_store):
    """The same platform message twice gives the first prediction back, not a second row."""
    with any_store.transaction() as session:
        image = make_image(session)
        user = get_or_create_user(session, "telegram", 7)
        ranking = [("Munich", 0.7), ("Seoul", 0.2), ("Cebu", 0.1)]
        first, created = record_prediction(session, image, user, "v1", ranking, "telegram", "100:5")
        again, created_again = record_prediction(session, image, user, "v2", ranking, "telegram", "100:5")
        other, _ = record_prediction(session, image, user, "v1", ranking, "discord", "100:5")
        first.reply_ref = "100:6"
    assert (created, created_again, again.id) == (True, False, first.id)
    assert other.id != first.id
    with any_store.transaction() as session:
        assert session.scalar(select(func.count(Prediction.id))) == 2
        assert find_prediction_by_reply(session, "telegram", "100:6").ranking == [[c, p] for c, p in ranking]
    with pytest.raises(IntegrityError):
        with any_store.transaction() as session:
            session.add(Prediction(image_id=image.id, model_version="v1", ranking=[], platform="telegram", source_ref="100:5"))
            session.flush()


def test_users_are_unique_per_platform(any_store):
    """The same numeric id on two platforms is two people; on one platform it is one."""
    with any_store.transaction() as session:
        telegram = get_or_create_user(session, "telegram", 7)
        assert get_or_create_user(session, "telegram", "7", is_admin=True) is telegram
        assert get_or_create_user(session, "discord", 7) is not telegram
        assert system_user(session, "import:folder") is system_user(session, "import:folder")
    with any_store.transaction() as session:
        assert session.scalar(select(func.count(User.id))) == 3
        assert session.scalars(select(User).where(User.platform == "telegram")).one().is_admin


def test_unknown_label_kind_is_refused(any_store):
    """A misspelt kind is a bug that would hide labels from the counts, so it fails loudly."""
    with any_store.transaction() as session:
        image = make_image(session)
        user = get_or_create_user(session, "telegram", 7)
        with pytest.raises(ValueError, match="unknown label kind 'corection'"):
            set_label(session, image, user, get_city(session, "Cebu"), "corection")


def race(database_url, tmp_path, work) -> dict:
    """Run `work(session, who)` in two stores at once: 'first' holds its transaction open while 'second' starts."""
    stores = {who: open_store(database_url, tmp_path) for who in ("first", "second")}
    outcome = {}

    def second() -> None:
        with stores["second"].transaction() as session:
            outcome["second"] = work(session, "second")

    try:
        with stores["first"].transaction() as session:
            outcome["first"] = work(session, "first")
            worker = threading.Thread(target=second)
            worker.start()
            worker.join(0.5)  # it waits on our lock (SQLite) or our uncommitted unique key (PostgreSQL)
        worker.join(30)
    finally:
        for store in stores.values():
            store.close()
    return outcome


def test_same_new_user_twice_at_once(database_url, tmp_path):
    """A new person's photo and button tap handled at the same moment create one user, no error."""
    outcome = race(database_url, tmp_path, lambda session, who: get_or_create_user(session, "telegram", 99, display_name=who).id)
    assert outcome["first"] == outcome["second"]


def test_double_tap_stores_one_label(database_url, tmp_path):
    """Two taps of one person on the same photo at the same moment leave one label: the later answer."""
    with open_store(database_url, tmp_path, ["Cebu", "Munich", "Seoul"]).transaction() as session:
        image_id = make_image(session).id
        get_or_create_user(session, "telegram", 5)

    def tap(session, who):
        city = get_city(session, "Cebu" if who == "first" else "Seoul")
        user = get_or_create_user(session, "telegram", 5)
        return set_label(session, session.get(Image, image_id), user, city, "correction").id

    outcome = race(database_url, tmp_path, tap)
    assert outcome["first"] == outcome["second"]
    store = open_store(database_url, tmp_path)
    with store.read() as session:
        assert [label.city.name for label in session.scalars(select(Label))] == ["Seoul"]
    store.close()
