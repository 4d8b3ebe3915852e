"""The training set from the label store: stable splits, look-alikes together, clear errors for too few photos."""

import hashlib

import pytest

from storage.cities import deactivate_city
from storage.models import Image
from tests.synthetic import seed_store
from trainer.dataset import build_dataset, is_validation, split_key
from trainer.errors import DatasetError


def test_split_is_stable_and_near_the_requested_share():
    """The same key always lands in the same split, and about valid_pct of keys are validation."""
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(2000)]
    first = [is_validation(key, 0.2) for key in keys]
    assert first == [is_validation(key, 0.2) for key in keys]
    assert 0.17 < sum(first) / len(first) < 0.23
    assert sum(is_validation(key, 0.5) for key in keys) > sum(first)


def test_look_alikes_share_a_split(store):
    """Photos with the same group key (near-duplicates) are all in training or all in validation."""
    names = [f"scene-{n}" for n in range(50)]
    groups = [name for name in names if is_validation(name, 0.3)][:2] + [name for name in names if not is_validation(name, 0.3)][:2]
    images = seed_store(store, per_city=8, size=(32, 32))
    with store.transaction() as session:
        for number, image in enumerate(images):
            session.get(Image, image.id).group_key = groups[number % len(groups)]
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, valid_pct=0.3, min_images_per_class=1)
        group_of = {image.sha256: image.group_key for image in session.query(Image)}
    splits = {}
    for example in dataset.examples:
        splits.setdefault(group_of[example.sha256], set()).add(example.is_valid)
    assert splits == {groups[0]: {True}, groups[1]: {True}, groups[2]: {False}, groups[3]: {False}}
    assert split_key("abc", None) == "abc"


def test_too_few_photos_names_the_cities(store):
    """A city below the minimum is named with its count; deactivated cities are left out."""
    seed_store(store, per_city=3, size=(32, 32))
    with store.transaction() as session:
        with pytest.raises(DatasetError, match=r"Cebu \(3 photos, need 5\).*Munich \(3 photos, need 5\).*Seoul \(3 photos, need 5\)"):
            build_dataset(session, store.files, valid_pct=0.2, min_images_per_class=5)
    seed_store(store, per_city=12, size=(32, 32), first_seed=100)
    with store.transaction() as session:
        deactivate_city(session, "Seoul")
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, valid_pct=0.2, min_images_per_class=5)
    assert dataset.classes == ["Cebu", "Munich"]
    assert {example.city for example in dataset.examples} == {"Cebu", "Munich"}
    counts = dataset.counts()
    assert counts["train"]["Cebu"] + counts["valid"]["Cebu"] == 15
