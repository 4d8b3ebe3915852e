"""Label resolution counts a person once however many linked accounts they voted from."""

from datetime import datetime, timedelta, timezone

from storage.cities import get_city
from storage.labels import effective_labels, set_label
from storage.models import Image
from storage.users import get_or_create_user, link_users, unlink_user


def photo(session) -> Image:
    """An image row (no file needed for label resolution)."""
    image = Image(sha256="c" * 64, path="c.png", width=8, height=8, format="PNG", source="test")
    session.add(image)
    session.flush()
    return image


def winner(session) -> str | None:
    """The photo's effective city, or None when it has none."""
    labels = effective_labels(session)
    return labels[0][1].name if labels else None


def vote(session, image, platform, external_id, city, minutes_ago=0, is_admin=False):
    """`platform:external_id` answers `city` for the photo, `minutes_ago` minutes ago."""
    user = get_or_create_user(session, platform, external_id, is_admin=is_admin)
    label = set_label(session, image, user, get_city(session, city), "correction")
    label.updated_at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    session.flush()
    return user


def test_linked_accounts_agreeing_count_once(any_store):
    """Two linked accounts naming Munich against one user naming Seoul tie 1-1 (left out), not win 2-1; unlinked they win."""
    with any_store.transaction() as session:
        image = photo(session)
        ann_tg = vote(session, image, "telegram", 1, "Munich", minutes_ago=5)
        ann_dc = vote(session, image, "discord", 1, "Munich")
        vote(session, image, "telegram", 2, "Seoul")
        assert winner(session) == "Munich"
        link_users(session, ann_tg, ann_dc)
        assert winner(session) is None
        unlink_user(session, ann_dc)
        assert winner(session) == "Munich"


def test_a_person_counts_with_their_latest_answer_at_the_primary_trust(any_store):
    """A person who changed their mind on another account counts with the newer answer, weighted by the primary's trust."""
    with any_store.transaction() as session:
        image = photo(session)
        ann_tg = vote(session, image, "telegram", 1, "Seoul", minutes_ago=10)
        ann_dc = vote(session, image, "discord", 1, "Cebu", minutes_ago=1)
        bob = vote(session, image, "telegram", 2, "Seoul")
        link_users(session, ann_tg, ann_dc)
        assert winner(session) is None  # Ann now says Cebu (1) against Bob's Seoul (1)
        ann_tg.trust, ann_dc.trust, bob.trust = 2.0, 0.1, 1.0
        session.flush()
        assert winner(session) == "Cebu"  # her primary's trust 2 counts, not the linked account's 0.1


def test_an_admin_linked_account_still_wins_as_admin(any_store):
    """A person with an admin account wins as an admin even when they last answered from their other account."""
    with any_store.transaction() as session:
        image = photo(session)
        ann_admin = vote(session, image, "telegram", 1, "Cebu", minutes_ago=10, is_admin=True)
        for number in range(3):
            vote(session, image, "telegram", 10 + number, "Seoul")
        assert winner(session) == "Cebu"
        ann_dc = vote(session, image, "discord", 1, "Munich")
        link_users(session, ann_admin, ann_dc)
        assert winner(session) == "Munich"
