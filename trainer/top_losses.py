"""report/top_losses.json: the highest-loss photos of each split with their ids, so the admin cleaner needs no re-scoring."""

import json
import math
from pathlib import Path
from typing import Any, Sequence

from trainer.dataset import Example
from trainer.evaluate import Evaluation

TOP_LOSSES_FILE = "top_losses.json"
TOP_LOSSES_PER_SPLIT = 50
MIN_PROBABILITY = 1e-12  # a probability of exactly 0 would make the loss infinite, which JSON cannot hold


def loss_of(probability: float) -> float:
    """Cross-entropy of one photo: minus the log of the probability given to its true city."""
    return -math.log(max(probability, MIN_PROBABILITY))


def top_losses(examples: Sequence[Example], evaluation: Evaluation, classes: Sequence[str], split: str, count: int) -> list[dict[str, Any]]:
    """The `count` photos of one split with the highest loss, worst first, each with every city's probability."""
    rows = []
    for index, example in enumerate(examples):
        probability = evaluation.true_probability[index]
        rows.append(
            {
                "image_id": example.image_id,
                "sha256": example.sha256,
                "actual": example.city,
                "predicted": evaluation.predicted[index],
                "probability": probability,
                "loss": loss_of(probability),
                "split": split,
                # Every city's probability, so a relabelled photo's new loss is known without running the model.
                "probabilities": {city: float(p) for city, p in zip(classes, evaluation.probabilities[index])},
            }
        )
    rows.sort(key=lambda row: (-row["loss"], row["image_id"]))
    return rows[:count]


def write_top_losses(
    directory: Path,
    version: str,
    classes: Sequence[str],
    splits: Sequence[tuple[str, Sequence[Example], Evaluation]],
    count: int = TOP_LOSSES_PER_SPLIT,
) -> Path:
    """Write top_losses.json: {"version", "classes", "per_split", "photos": [...]} with each split's worst `count`."""
    photos = [row for split, examples, evaluation in splits for row in top_losses(examples, evaluation, classes, split, count)]
    document = {"version": version, "classes": list(classes), "per_split": count, "photos": photos}
    path = Path(directory) / TOP_LOSSES_FILE
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def read_top_losses(path: Path) -> list[dict[str, Any]]:
    """The photos listed in a top_losses.json, as written."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["photos"]
