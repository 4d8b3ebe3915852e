"""The benchmark model: a small mobilenet_v2 trained once with fastai on synthetic photos, cached under bench/out/model.

`python bench/model.py [--rebuild]` builds it (2-4 minutes); the bench scripts call `bench_model()`, which
builds it if missing. The same network is kept twice: fastai's `export.pkl` (for the course-style baseline)
and a citybot version directory (meta.json + model.onnx) for our Predictor.
"""

import subprocess
import sys
from pathlib import Path

from common import OUT, ROOT

MODEL_DIR = OUT / "model"
VERSION_DIR = MODEL_DIR / "version"
LEARNER_FILE = MODEL_DIR / "export.pkl"
IMAGE_SIZE = 224
PER_CITY = 40


def bench_model() -> tuple[Path, Path]:
    """(fastai export.pkl, citybot version dir) of the benchmark model, training it in a child process if missing."""
    if not (LEARNER_FILE.is_file() and (VERSION_DIR / "model.onnx").is_file()):
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--rebuild"], check=True)
    return LEARNER_FILE, VERSION_DIR


def _train() -> None:
    sys.path.insert(0, str(ROOT))
    import trainer.fastai_import  # noqa: F401
    from fastai.vision.all import (
        CategoryBlock, DataBlock, ImageBlock, RandomSplitter, Resize, error_rate, get_image_files, parent_label,
        vision_learner,
    )
    from tests.synthetic import write_city_folder
    from trainer.archs import get_architecture

    folder = write_city_folder(MODEL_DIR / "photos", PER_CITY, size=(320, 240))
    # The course recipe: folders of photos, Resize(224) crop, a pretrained body, fine-tuning.
    block = DataBlock(
        blocks=(ImageBlock, CategoryBlock), get_items=get_image_files, splitter=RandomSplitter(0.2, seed=42),
        get_y=parent_label, item_tfms=Resize(IMAGE_SIZE),
    )
    dls = block.dataloaders(folder, bs=16, num_workers=0)
    learn = vision_learner(dls, get_architecture("mobilenet_v2").constructor, metrics=error_rate)
    learn.fine_tune(1)
    learn.path = MODEL_DIR
    learn.export(LEARNER_FILE.name)
    _export(learn.model, list(dls.vocab))
    print(f"bench model: error rate {float(learn.validate()[1]):.3f}, saved under {MODEL_DIR}")


def _export(model, classes: list[str]) -> None:
    from trainer.artifacts import export_onnx, inference_meta, write_meta
    from trainer.learner import NORMALIZE_STATS

    VERSION_DIR.mkdir(parents=True, exist_ok=True)
    export_onnx(model, IMAGE_SIZE, VERSION_DIR / "model.onnx")
    write_meta(VERSION_DIR, inference_meta("bench-1", "mobilenet_v2", classes, IMAGE_SIZE, "crop", NORMALIZE_STATS))


if __name__ == "__main__":
    if "--rebuild" in sys.argv or not (LEARNER_FILE.is_file() and (VERSION_DIR / "model.onnx").is_file()):
        _train()
    else:
        print(f"bench model cached under {MODEL_DIR} (--rebuild to train it again)")
