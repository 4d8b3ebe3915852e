"""Cleaner and data-set bench: the admin cleaner's first look before/after top_losses.json; build_dataset ORM vs rows.

    python bench/cleaner_and_dataset.py [--photos 3000] [--images 200000] [--labels 1000000]

Part 1 (cleaner): `--photos` real synthetic 640x480 JPEGs in a SQLite store and the tiny model. "before" is what
/admin/cleaner used to do on its first look: build the data set, load the model and score every labelled photo
(serving decoder, batches of 32), worst first. "after" is what it does now: read the run's top_losses.json and
check those photos' labels. "trainer cost" is the extra pass the trainer now makes over the training split
(the validation split it already scored), once per nightly run instead of at the admin's first look.

Part 2 (data set): `--images` photos with `--labels` labels (bench/label_store.py's generator, bulk inserts,
no image files); build_dataset() as it was (effective_labels(): ORM Image/City objects) vs now (light rows).
"""

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file from anywhere

from bench.label_store import best_of, fill, generate  # noqa: E402
from bot.web.cleaner import highest_losses  # noqa: E402
from storage.cities import list_cities  # noqa: E402
from storage.labels import effective_labels  # noqa: E402
from storage.store import open_store  # noqa: E402
from storage.versions import finish_run, start_run  # noqa: E402
from tests.fakes.trained_model import train_tiny_version  # noqa: E402
from tests.synthetic import CITIES, seed_store  # noqa: E402
from trainer.dataset import Dataset, Example, build_dataset, is_validation, split_key  # noqa: E402
from trainer.evaluate import evaluate  # noqa: E402
from trainer.predictor import Predictor  # noqa: E402
from trainer.top_losses import write_top_losses  # noqa: E402

VALID_PCT = 0.2
BATCH = 32
OLD_LIMIT = 24  # photos the old cleaner showed


def old_first_look(store, version_dir: Path) -> list[tuple[float, int]]:
    """The cleaner before this change: data set, model, every photo scored, the 24 worst."""
    with store.read() as session:
        dataset = build_dataset(session, store.files, VALID_PCT, 1)
    predictor = Predictor.load(version_dir)
    scored = []
    for start in range(0, len(dataset.examples), BATCH):
        chunk = dataset.examples[start : start + BATCH]
        rows = predictor.probabilities([predictor.decode(example.path.read_bytes()) for example in chunk])
        for example, row in zip(chunk, rows):
            probability = float(row[predictor.classes.index(example.city)])
            scored.append((-math.log(max(probability, 1e-12)), example.image_id))
    return sorted(scored, reverse=True)[:OLD_LIMIT]


def cleaner_part(photos: int) -> None:
    """Time the old and new first look of /admin/cleaner on the same store and model."""
    with tempfile.TemporaryDirectory(prefix="citybot-bench-") as folder:
        root = Path(folder)
        store = open_store(f"sqlite:///{root / 'db.sqlite3'}", root / "data", CITIES)
        started = time.perf_counter()
        seed_store(store, per_city=photos // len(CITIES), size=(640, 480))  # phone-photo sized: decoding is most of the old cost
        print(f"[cleaner] {photos:,} photos ingested in {time.perf_counter() - started:.1f} s")
        (root / "train").mkdir()
        trained = train_tiny_version(root / "train")
        version_dir = root / "data" / "models" / "v1"
        shutil.copytree(trained, version_dir)
        with store.read() as session:
            dataset = build_dataset(session, store.files, VALID_PCT, 1)
        predictor = Predictor.load(version_dir)
        valid_evaluation = evaluate(predictor, dataset.valid, dataset.classes)
        trainer_seconds, train_evaluation = best_of(1, lambda: evaluate(predictor, dataset.train, dataset.classes))
        report = version_dir / "report"
        report.mkdir()
        write_top_losses(report, "v1", dataset.classes, [("training", dataset.train, train_evaluation), ("validation", dataset.valid, valid_evaluation)])
        with store.transaction() as session:
            run = start_run(session, "bench", None)
            finish_run(session, run.id, "succeeded", report_path="models/v1/report", candidate_version="v1")
        before, _ = best_of(1, lambda: old_first_look(store, version_dir))

        def new_first_look():
            with store.read() as session:
                return highest_losses(session, root / "data")

        after, view = best_of(3, new_first_look)
        print(f"[cleaner] first look before (score all {len(dataset.examples):,})  {before:8.3f} s   {before / after:8.1f}x")
        print(f"[cleaner] first look after (read {len(view.photos)} from json)  {after:8.3f} s   {1.0:8.1f}x")
        print(f"[cleaner] trainer's extra pass over {len(dataset.train):,} training photos  {trainer_seconds:8.3f} s (once per run)")
        store.close()


def old_build_examples(session, files) -> Dataset:
    """build_dataset's body before this change: Image/City objects from effective_labels()."""
    examples = [
        Example(image.id, image.sha256, files.path_of(image.path), city.name, is_validation(split_key(image.sha256, image.group_key), VALID_PCT))
        for image, city in effective_labels(session)
    ]
    return Dataset(sorted(city.name for city in list_cities(session)), examples)


def dataset_part(images: int, labels: int) -> None:
    """Time the data set built from ORM objects and from light rows on the same filled database, alternating."""
    data = generate(images, labels, 3_000, seed=2)
    with tempfile.TemporaryDirectory(prefix="citybot-bench-") as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite3", Path(folder))
        started = time.perf_counter()
        fill(store, data)
        print(f"\n[dataset] {labels:,} labels over {images:,} photos filled in {time.perf_counter() - started:.1f} s")
        orm, rows = float("inf"), float("inf")
        for _ in range(2):  # alternate so the shared machine's load hits both
            with store.read() as session:
                seconds, old = best_of(1, lambda: old_build_examples(session, store.files))
            orm = min(orm, seconds)
            with store.read() as session:
                seconds, new = best_of(1, lambda: build_dataset(session, store.files, VALID_PCT, 1))
            rows = min(rows, seconds)
        print(f"[dataset] same examples: {old.examples == new.examples} ({len(new.examples):,})")
        print(f"[dataset] build_dataset from ORM objects (before)  {orm:7.2f} s   {orm / rows:5.2f}x")
        print(f"[dataset] build_dataset from light rows (after)    {rows:7.2f} s   {1.0:5.2f}x")
        store.close()


def main() -> None:
    """Parse options and run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=3000)
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--labels", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{len(os.sched_getaffinity(0))} cores")
    cleaner_part(args.photos)
    dataset_part(args.images, args.labels)


if __name__ == "__main__":
    main()
