"""Scoring a Predictor on the validation photos: accuracy, per-city precision/recall, confusion matrix."""

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from storage.imageio import load_rgb
from trainer.dataset import Example
from trainer.predictor import Predictor

BATCH = 32


@dataclass
class Evaluation:
    """Metrics plus, per photo, the probability given to its true city (for the top-losses grid)."""

    metrics: dict[str, Any]
    true_probability: list[float]
    predicted: list[str]
    probabilities: np.ndarray  # photos x predictor.classes


def evaluate(predictor: Predictor, examples: Sequence[Example], classes: Sequence[str]) -> Evaluation:
    """Run `predictor` on `examples` (decoded by the shared decoder) and score it against their cities."""
    predicted, true_probability, rows = [], [], []
    for start in range(0, len(examples), BATCH):
        chunk = examples[start:start + BATCH]
        probabilities = predictor.probabilities([load_rgb(example.path.read_bytes()) for example in chunk])
        rows.append(probabilities)
        for example, row in zip(chunk, probabilities):
            predicted.append(predictor.classes[int(np.argmax(row))])
            # A city the predictor does not know gets probability 0: that photo is simply wrong for it.
            known = example.city in predictor.classes
            true_probability.append(float(row[predictor.classes.index(example.city)]) if known else 0.0)
    actual = [example.city for example in examples]
    stacked = np.concatenate(rows) if rows else np.empty((0, len(predictor.classes)))
    return Evaluation(score(actual, predicted, classes), true_probability, predicted, stacked)


def score(actual: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> dict[str, Any]:
    """accuracy, per_city {precision, recall, support}, confusion[actual][predicted] over `classes` (+ "other")."""
    columns = list(classes) + (["other"] if any(name not in classes for name in predicted) else [])
    confusion = [[0] * len(columns) for _ in classes]
    for truth, guess in zip(actual, predicted):
        confusion[list(classes).index(truth)][columns.index(guess if guess in classes else "other")] += 1
    per_city = {}
    for index, city in enumerate(classes):
        hits = confusion[index][index]
        support = sum(confusion[index])
        guessed = sum(row[index] for row in confusion)
        per_city[city] = {
            "precision": hits / guessed if guessed else None,
            "recall": hits / support if support else None,
            "support": support,
        }
    correct = sum(truth == guess for truth, guess in zip(actual, predicted))
    return {
        "accuracy": correct / len(actual) if actual else math.nan,
        "n": len(actual),
        "per_city": per_city,
        "confusion": {"labels": list(classes), "columns": columns, "matrix": confusion},
    }
