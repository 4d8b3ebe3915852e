"""Training wall time: citybot's cycle vs the plain course recipe (lr_find + fine_tune), same data, same run.

`python bench/train_cycle.py [--per-city N] [--size PX] [--epochs E]` — a few hundred synthetic photos, mobilenet_v2
with the offline ImageNet weights. Both recipes see the same photos, the same train/validation split, the same
item and batch transforms (Resize crop + aug_transforms) and the same number of unfrozen epochs:

- course:  vision_learner (bs 64, fastai's default) → lr_find() → fine_tune(E, base_lr=valley) (1 frozen epoch)
- citybot: our TrainConfig defaults (bs 32): head lr_find + fit_one_cycle frozen on cached body features,
           unfreeze, bounded lr_find, fit_one_cycle(E, slice(lo, hi)) — i.e. trainer.cycle.train_cycle

Accuracy is fastai's validate() on the validation split for both. Also printed: a whole `citybot train` run
(cycle + ONNX export + evaluation of candidate + report) for context.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # both recipes get the same OpenMP setting (set before torch)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import trainer.fastai_import  # noqa: E402,F401
from fastai.callback.progress import ProgressCallback  # noqa: E402
from fastai.metrics import accuracy  # noqa: E402
from fastai.vision.learner import vision_learner  # noqa: E402
from storage.store import open_store  # noqa: E402
from tests.synthetic import CITIES, seed_store  # noqa: E402
from trainer.archs import get_architecture  # noqa: E402
from trainer.config import TrainConfig  # noqa: E402
from trainer.cycle import train_cycle  # noqa: E402
from trainer.dataset import build_dataset  # noqa: E402
from trainer.learner import build_dataloaders, build_learner, log_recorder_row  # noqa: E402
from trainer.progress import Progress  # noqa: E402
from trainer.runner import run_training  # noqa: E402

COURSE_BATCH_SIZE = 64  # fastai's DataLoaders default


def course_recipe(dataset, config: TrainConfig, workdir: Path) -> tuple[float, float]:
    """lr_find + fine_tune as the course teaches; returns (seconds, validation accuracy)."""
    dls = build_dataloaders(dataset, TrainConfig(**{**config.as_dict(), "batch_size": COURSE_BATCH_SIZE}), augment=config.augment)
    started = time.perf_counter()
    learn = vision_learner(dls, get_architecture(config.arch).constructor, metrics=accuracy, path=workdir)
    learn.remove_cb(ProgressCallback)
    learn.logger = log_recorder_row
    suggested = learn.lr_find(show_plot=False)
    learn.fine_tune(config.unfrozen_epochs, base_lr=suggested.valley)
    seconds = time.perf_counter() - started
    return seconds, float(learn.validate()[1])


def our_cycle(dataset, config: TrainConfig, workdir: Path) -> tuple[float, float, dict]:
    """citybot's cycle; returns (seconds, validation accuracy, seconds per stage)."""
    dls = build_dataloaders(dataset, config, augment=config.augment)
    stamps = []
    started = time.perf_counter()
    learn = build_learner(dls, get_architecture(config.arch), workdir)
    train_cycle(learn, config, Progress(lambda state: stamps.append((state["stage"], time.perf_counter())), min_interval=1e9))
    seconds = time.perf_counter() - started
    stages = {}
    for (stage, at), (_, until) in zip(stamps, stamps[1:] + [("end", started + seconds)]):
        stages[stage] = stages.get(stage, 0.0) + until - at
    return seconds, float(learn.validate()[1]), stages


def main() -> None:
    """Build the photos, time both recipes in this process, print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-city", type=int, default=100)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--epochs", type=int, default=TrainConfig().unfrozen_epochs)
    args = parser.parse_args()
    config = TrainConfig(image_size=args.size, unfrozen_epochs=args.epochs)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as scratch:
        root = Path(scratch)
        url = f"sqlite:///{root / 'db.sqlite3'}"
        store = open_store(url, root / "data", CITIES)
        seed_store(store, per_city=args.per_city, size=(args.size, args.size))
        with store.transaction() as session:
            dataset = build_dataset(session, store.files, config.valid_pct, config.min_images_per_class)
        store.close()
        print(f"bench/train_cycle.py: {len(dataset.train)} train + {len(dataset.valid)} valid synthetic {args.size}-px photos, "
              f"mobilenet_v2, {config.unfrozen_epochs} unfrozen epochs, torch threads {torch.get_num_threads()}, {os.cpu_count()} cores")
        ours_seconds, ours_accuracy, stages = our_cycle(dataset, config, root / "ours")
        print(f"  (citybot cycle done: {ours_seconds:.1f} s, accuracy {ours_accuracy:.3f})", flush=True)
        course_seconds, course_accuracy = course_recipe(dataset, config, root / "course")
        print(f"  (course recipe done: {course_seconds:.1f} s, accuracy {course_accuracy:.3f})", flush=True)
        started = time.perf_counter()
        result = run_training(url, root / "data", config, trigger="bench")
        whole = time.perf_counter() - started
    print(f"{'recipe':44} {'seconds':>8} {'ratio':>7} {'accuracy':>9}")
    print(f"{'course: lr_find + fine_tune':44} {course_seconds:8.1f} {1:7.2f}× {course_accuracy:9.3f}")
    print(f"{'citybot cycle':44} {ours_seconds:8.1f} {ours_seconds / course_seconds:7.2f}× {ours_accuracy:9.3f}")
    print(f"{'citybot train (cycle+export+eval+report)':44} {whole:8.1f} {whole / course_seconds:7.2f}× {result.accuracy:9.3f}")
    print("citybot cycle by stage: " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in stages.items()))


if __name__ == "__main__":
    main()
