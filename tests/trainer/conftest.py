"""Trainer fixtures: a small synthetic label store and one quickly trained tiny model shared by a module."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.store import LabelStore, open_store
from tests.synthetic import CITIES, seed_store


@dataclass
class TinyTrained:
    """A tiny model trained one epoch on synthetic photos, its learner, data set and published version dir."""

    store: LabelStore
    learn: object
    dataset: object
    version_dir: Path


@pytest.fixture(scope="module")
def tiny_trained(tmp_path_factory) -> TinyTrained:
    """Train the tiny arch at 64 px for one epoch and publish it as version "tiny-1" (shared by a test module)."""
    from trainer.archs import get_architecture
    from trainer.artifacts import inference_meta, publish, stage_version, write_meta, write_model_files
    from trainer.config import TrainConfig
    from trainer.dataset import build_dataset
    from trainer.learner import NORMALIZE_STATS, build_dataloaders, build_learner

    root = tmp_path_factory.mktemp("tiny")
    store = open_store(f"sqlite:///{root / 'db.sqlite3'}", root / "data", CITIES)
    seed_store(store, per_city=12, size=(80, 64))
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, valid_pct=0.25, min_images_per_class=5)
    config = TrainConfig(arch="tiny", image_size=64, batch_size=16)
    learn = build_learner(build_dataloaders(dataset, config, augment=False), get_architecture("tiny"), root / "work")
    learn.fit_one_cycle(1, 1e-2)
    staged = stage_version(root / "data" / "models", "tiny-1")
    write_model_files(staged, learn.model, config.image_size)
    write_meta(staged.temp_dir, inference_meta("tiny-1", "tiny", dataset.classes, 64, "crop", NORMALIZE_STATS))
    yield TinyTrained(store, learn, dataset, publish(staged))
    store.close()
