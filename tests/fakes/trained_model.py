"""A real model version for front-end tests: the tiny architecture trained once on synthetic photos.

`train_tiny_version(root)` trains (a few seconds) and publishes a version directory;
`install_live_version(store, data_dir, trained_dir, version)` copies it into a test's DATA_DIR under
`version` (meta.json rewritten to match) and makes it the live row, retiring the previous live one.
"""

import json
import shutil
from pathlib import Path

from storage.versions import add_version, promote
from storage.store import LabelStore, open_store
from tests.synthetic import CITIES, seed_store

TRAINED_VERSION = "tiny-test-1"


def train_tiny_version(root: Path) -> Path:
    """Train the tiny arch at 64 px for one epoch on 12 synthetic photos per city; the published version dir."""
    from trainer.archs import get_architecture
    from trainer.artifacts import inference_meta, publish, stage_version, write_meta, write_model_files
    from trainer.config import TrainConfig
    from trainer.dataset import build_dataset
    from trainer.learner import NORMALIZE_STATS, build_dataloaders, build_learner

    store = open_store(f"sqlite:///{root / 'db.sqlite3'}", root / "data", CITIES)
    try:
        seed_store(store, per_city=12, size=(80, 64))
        with store.transaction() as session:
            dataset = build_dataset(session, store.files, valid_pct=0.25, min_images_per_class=5)
        config = TrainConfig(arch="tiny", image_size=64, batch_size=16)
        learn = build_learner(build_dataloaders(dataset, config, augment=False), get_architecture("tiny"), root / "work")
        with learn.no_bar(), learn.no_logging():
            learn.fit_one_cycle(1, 1e-2)
        staged = stage_version(root / "models", TRAINED_VERSION)
        write_model_files(staged, learn.model, config.image_size)
        write_meta(staged.temp_dir, inference_meta(TRAINED_VERSION, "tiny", dataset.classes, 64, "crop", NORMALIZE_STATS))
        return publish(staged)
    finally:
        store.close()


def install_live_version(store: LabelStore, data_dir: Path, trained_dir: Path, version: str, accuracy: float = 0.9) -> str:
    """Copy the trained artifact in as `version` and make it the one live row; returns the version."""
    relative = f"models/{version}"
    target = Path(data_dir) / relative
    shutil.copytree(trained_dir, target)
    meta_path = target / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with store.transaction() as session:
        add_version(session, version, meta["arch"], meta["classes"], relative, "0" * 64, {"accuracy": accuracy}, None)
        promote(session, version, reason="installed by a test")
    return version
