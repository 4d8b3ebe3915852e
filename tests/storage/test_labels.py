"""Effective labels: trust-weighted votes, admin override, ties, 'none of these', inactive cities, exclusions."""

from datetime import datetime, timedelta, timezone

import pytest

from storage.cities import deactivate_city, get_city
from storage.labels import (
    effective_label_counts,
    effective_label_rows,
    effective_labels,
    labels_since,
    set_label,
    unlabelled_image_count,
)
from storage.models import Image
from storage.users import get_or_create_user

# Each vote: (trust, is_admin user, kind, city or None for "none of these").
SCENARIOS = {
    "plain majority": ([(1, False, "correction", "Munich")] * 2 + [(1, False, "correction", "Seoul")], "Munich"),
    "trust outweighs numbers": ([(1, False, "correction", "Munich")] * 2 + [(3, False, "correction", "Seoul")], "Seoul"),
    "tie is left out": ([(1, False, "correction", "Munich"), (1, False, "correction", "Seoul")], None),
    "float tie is left out": (
        [(0.1, False, "correction", "Munich"), (0.2, False, "correction", "Munich"), (0.3, False, "correction", "Seoul")],
        None,
    ),
    "admin user overrides majority": (
        [(1, False, "correction", "Munich")] * 3 + [(0.1, True, "correction", "Cebu")],
        "Cebu",
    ),
    "admin kind overrides majority": (
        [(5, False, "correction", "Munich"), (0.1, False, "admin", "Seoul")],
        "Seoul",
    ),
    "admin saying none of these leaves it out": (
        [(5, False, "correction", "Munich"), (1, True, "admin", None)],
        None,
    ),
    "none of these winning leaves it out": (
        [(1, False, "correction", None)] * 2 + [(1, False, "correction", "Munich")],
        None,
    ),
    "none of these losing does not block": (
        [(1, False, "correction", None)] + [(1, False, "confirmation", "Munich")] * 2,
        "Munich",
    ),
    "votes without trust are left out": ([(0, False, "correction", "Munich")], None),
    "single import label counts": ([(1, False, "import", "Cebu")], "Cebu"),
}


def make_image(session, key: str, excluded: bool = False) -> Image:
    """An image row (no file needed for label resolution)."""
    image = Image(sha256=key.ljust(64, "0")[:64], path=f"{key}.png", width=8, height=8, format="PNG", source="test", excluded=excluded)
    session.add(image)
    session.flush()
    return image


def cast_votes(session, image: Image, votes, prefix: str) -> None:
    """Each vote from its own user with the given trust and admin flag."""
    for number, (trust, admin, kind, city_name) in enumerate(votes):
        user = get_or_create_user(session, "telegram", f"{prefix}-{number}", is_admin=admin)
        user.trust = trust
        city = get_city(session, city_name) if city_name else None
        set_label(session, image, user, city, kind)


def resolved(session) -> dict[str, str]:
    """sha256 prefix -> effective city name."""
    return {image.path.removesuffix(".png"): city.name for image, city in effective_labels(session)}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(store, name):
    """Each voting pattern resolves to the expected city, or leaves the photo out of training."""
    votes, expected = SCENARIOS[name]
    with store.transaction() as session:
        cast_votes(session, make_image(session, "a1"), votes, "u")
    with store.transaction() as session:
        assert resolved(session).get("a1") == expected


def test_all_scenarios_agree_on_both_databases(any_store):
    """SQLite and PostgreSQL resolve every scenario the same way, all in one query."""
    keys = {}
    with any_store.transaction() as session:
        for number, (name, (votes, _expected)) in enumerate(SCENARIOS.items()):
            key = f"{number:02x}"
            keys[name] = key
            cast_votes(session, make_image(session, key), votes, key)
    with any_store.transaction() as session:
        result = resolved(session)
    assert {name: result.get(key) for name, key in keys.items()} == {name: exp for name, (_, exp) in SCENARIOS.items()}


def test_latest_admin_answer_wins(any_store):
    """When two admins disagree, the one who answered last decides."""
    with any_store.transaction() as session:
        image = make_image(session, "b1")
        first = get_or_create_user(session, "telegram", "admin-1", is_admin=True)
        second = get_or_create_user(session, "telegram", "admin-2", is_admin=True)
        set_label(session, image, first, get_city(session, "Munich"), "admin")
        set_label(session, image, second, get_city(session, "Seoul"), "admin")
    with any_store.transaction() as session:
        assert resolved(session) == {"b1": "Seoul"}
        set_label(session, image, first, get_city(session, "Cebu"), "admin")  # changes their mind last
    with any_store.transaction() as session:
        assert resolved(session) == {"b1": "Cebu"}


def test_changing_ones_mind_updates_the_label(any_store):
    """A user's second answer replaces the first; the effective label follows."""
    with any_store.transaction() as session:
        image = make_image(session, "c1")
        user = get_or_create_user(session, "discord", 42)
        set_label(session, image, user, get_city(session, "Munich"), "confirmation")
        set_label(session, image, user, get_city(session, "Seoul"), "correction")
    with any_store.transaction() as session:
        assert resolved(session) == {"c1": "Seoul"}


def test_inactive_city_and_excluded_image_are_left_out(any_store):
    """Photos of a removed city, or excluded by an admin, are not training data (but can be asked for)."""
    with any_store.transaction() as session:
        cast_votes(session, make_image(session, "d1"), [(1, False, "import", "Cebu")], "d1")
        cast_votes(session, make_image(session, "d2", excluded=True), [(1, False, "import", "Munich")], "d2")
        cast_votes(session, make_image(session, "d3"), [(1, False, "import", "Seoul")], "d3")
        deactivate_city(session, "Cebu")
    with any_store.transaction() as session:
        assert resolved(session) == {"d3": "Seoul"}
        assert effective_label_counts(session) == {"Munich": 0, "Seoul": 1}
        everything = effective_labels(session, active_only=False, include_excluded=True)
        assert {city.name for _image, city in everything} == {"Cebu", "Munich", "Seoul"}


def test_pending_photos_and_new_labels(any_store):
    """Unlabelled photos count as pending; human labels after a moment are counted, imports are not."""
    with any_store.transaction() as session:
        make_image(session, "e1")
        labelled = make_image(session, "e2")
        cast_votes(session, labelled, [(1, False, "import", "Cebu"), (1, False, "correction", "Munich")], "e2")
        assert unlabelled_image_count(session) == 1
        assert labels_since(session, None) == 1
        assert labels_since(session, datetime.now(timezone.utc) - timedelta(minutes=1)) == 1
        assert labels_since(session, datetime.now(timezone.utc) + timedelta(minutes=1)) == 0


def test_light_rows_match_the_orm_pairs(any_store):
    """effective_label_rows gives the same photos and cities as effective_labels, with path and group key."""
    with any_store.transaction() as session:
        for number, (name, (votes, _expected)) in enumerate(SCENARIOS.items()):
            cast_votes(session, make_image(session, f"{number:02x}"), votes, f"{number:02x}")
    with any_store.transaction() as session:
        pairs = [(image.id, image.sha256, image.path, image.group_key, city.name) for image, city in effective_labels(session)]
        rows = [tuple(row) for row in effective_label_rows(session)]
    assert rows == pairs and len(rows) == sum(1 for _votes, expected in SCENARIOS.values() if expected)
