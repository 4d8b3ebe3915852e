"""The training set from the label store: effective labels of active cities, split stably by content."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy.orm import Session

from storage.cities import list_cities
from storage.files import ImageFiles
from storage.labels import effective_label_rows
from trainer.errors import DatasetError

SPLIT_BUCKETS = 10_000


@dataclass(frozen=True)
class Example:
    """One labelled photo: where its bytes are, its city, and which split it belongs to."""

    image_id: int
    sha256: str
    path: Path
    city: str
    is_valid: bool


@dataclass(frozen=True)
class Dataset:
    """Every example plus the classes in model output order."""

    classes: list[str]
    examples: list[Example]

    @property
    def train(self) -> list[Example]:
        """The training examples."""
        return [example for example in self.examples if not example.is_valid]

    @property
    def valid(self) -> list[Example]:
        """The validation examples."""
        return [example for example in self.examples if example.is_valid]

    def counts(self) -> dict[str, dict[str, int]]:
        """Photos per city in each split: {"train": {...}, "valid": {...}}."""
        result = {}
        for split, examples in (("train", self.train), ("valid", self.valid)):
            tally = Counter(example.city for example in examples)
            result[split] = {city: tally.get(city, 0) for city in self.classes}
        return result


def is_validation(split_key: str, valid_pct: float) -> bool:
    """Whether a photo with this key (group key or content hash) is in the validation split; stable forever."""
    bucket = int(hashlib.sha256(split_key.encode("utf-8")).hexdigest()[:8], 16) % SPLIT_BUCKETS
    return bucket < round(valid_pct * SPLIT_BUCKETS)


def split_key(sha256: str, group_key: Optional[str]) -> str:
    """Near-duplicates share a group key, so they land in the same split; otherwise the content hash decides."""
    return group_key or sha256


def build_dataset(session: Session, files: ImageFiles, valid_pct: float, min_images_per_class: int) -> Dataset:
    """The data set of every active city; DatasetError names the cities with too few photos in either split."""
    # Light rows, not ORM objects: resolving labels stays quick at hundreds of thousands of photos.
    examples = [
        Example(
            image_id=row.image_id,
            sha256=row.sha256,
            path=files.path_of(row.path),
            city=row.city,
            is_valid=is_validation(split_key(row.sha256, row.group_key), valid_pct),
        )
        for row in effective_label_rows(session)
    ]
    classes = sorted(city.name for city in list_cities(session))
    if len(classes) < 2:
        raise DatasetError(f"training needs at least two active cities; there are {len(classes)}")
    dataset = Dataset(classes=classes, examples=examples)
    check_enough(dataset, min_images_per_class)
    return dataset


def check_enough(dataset: Dataset, min_images_per_class: int) -> None:
    """Raise DatasetError naming every city with too few photos (or none to train on), or an empty validation split."""
    counts = dataset.counts()
    problems = []
    for city in dataset.classes:
        train, valid = counts["train"][city], counts["valid"][city]
        if train + valid < min_images_per_class:
            problems.append(f"{city} ({train + valid} photos, need {min_images_per_class})")
        elif train == 0:
            problems.append(f"{city} (all {valid} photos fell into the validation split; add a few more)")
    if problems:
        raise DatasetError("not enough labelled photos to train: " + "; ".join(problems))
    if not dataset.valid:
        raise DatasetError("no photo fell into the validation split yet; add more photos or raise VALID_PCT")
