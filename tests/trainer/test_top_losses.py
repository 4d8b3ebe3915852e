"""report/top_losses.json after a real tiny run: the worst photos of each split, by id, worst first."""

import json
import math
from pathlib import Path

import numpy as np

from storage.store import open_store
from tests.synthetic import CITIES, seed_store
from trainer.config import TrainConfig
from trainer.dataset import Example, build_dataset
from trainer.evaluate import Evaluation
from trainer.predictor import Predictor
from trainer.runner import run_training
from trainer.top_losses import TOP_LOSSES_PER_SPLIT, read_top_losses, write_top_losses

QUICK = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=0, lr_find_iterations=8, threads=1)


def test_a_run_records_the_highest_loss_photos_of_both_splits_by_id(tmp_path):
    """Every training and validation photo (under 50 per split here) is listed once, with its id, hash and label, worst first."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    store = open_store(url, tmp_path / "data", CITIES)
    seed_store(store, per_city=8, size=(64, 64))
    with store.transaction() as session:
        dataset = build_dataset(session, store.files, QUICK.valid_pct, min_images_per_class=1)
    store.close()
    result = run_training(url, tmp_path / "data", QUICK, trigger="test")

    document = json.loads((result.version_dir / "report" / "top_losses.json").read_text())
    assert document["version"] == result.version and document["classes"] == list(CITIES)
    photos = document["photos"]
    for split, examples in (("training", dataset.train), ("validation", dataset.valid)):
        listed = [photo for photo in photos if photo["split"] == split]
        assert len(examples) < TOP_LOSSES_PER_SPLIT
        expected = {(example.image_id, example.sha256, example.city) for example in examples}
        assert {(photo["image_id"], photo["sha256"], photo["actual"]) for photo in listed} == expected
        assert len(listed) == len(expected)
        losses = [photo["loss"] for photo in listed]
        assert losses == sorted(losses, reverse=True)
        for photo in listed:
            assert math.isclose(photo["loss"], -math.log(max(photo["probability"], 1e-12)))
            assert photo["probability"] == photo["probabilities"][photo["actual"]]
            assert photo["predicted"] == max(photo["probabilities"], key=photo["probabilities"].get)

    # The numbers are the published model's: scoring the worst training photo again gives the same probability.
    worst = next(photo for photo in photos if photo["split"] == "training")
    example = next(example for example in dataset.train if example.image_id == worst["image_id"])
    predictor = Predictor.load(result.version_dir)
    again = predictor.probabilities([predictor.decode(example.path.read_bytes())])[0]
    assert math.isclose(float(again[predictor.classes.index(worst["actual"])]), worst["probability"], rel_tol=1e-4, abs_tol=1e-6)


def test_only_the_worst_of_each_split_are_kept_and_a_zero_probability_stays_finite(tmp_path):
    """Four photos, keep two: the two lowest true-city probabilities, a certain miss (p = 0) first with a finite loss."""
    examples = [Example(index, f"hash{index}", Path(f"{index}.jpg"), "Cebu", False) for index in range(4)]
    probabilities = np.array([[0.9, 0.1], [0.0, 1.0], [0.6, 0.4], [0.3, 0.7]])
    evaluation = Evaluation({}, [0.9, 0.0, 0.6, 0.3], ["Cebu", "Munich", "Cebu", "Munich"], probabilities)
    path = write_top_losses(tmp_path, "v1", ["Cebu", "Munich"], [("training", examples, evaluation)], count=2)
    photos = read_top_losses(path)
    assert [photo["image_id"] for photo in photos] == [1, 3]
    assert math.isfinite(photos[0]["loss"]) and photos[0]["loss"] > photos[1]["loss"] > 0
    assert photos[1]["probabilities"] == {"Cebu": 0.3, "Munich": 0.7}
