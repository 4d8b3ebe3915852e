"""The promotion gate: a candidate goes live only if it loads, passes a self-test and is at least as good as live."""

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from trainer.predictor import Predictor

SELF_TEST_TOLERANCE = 1e-3  # ONNX vs the trained PyTorch model on the same inputs; export bugs are far larger
CHANCE_MARGIN = 1 / 3  # a first model must close a third of the gap between the best constant guess and 100%


@dataclass(frozen=True)
class Decision:
    """Promote or not, and why (shown to admins)."""

    promote: bool
    reason: str


def self_test(predictor: Predictor, expected: np.ndarray, actual: np.ndarray, expected_classes: Sequence[str]) -> Optional[str]:
    """None if the loaded model has the expected classes and reproduces the trained model's outputs; else why not."""
    if list(predictor.classes) != list(expected_classes):
        return f"classes {predictor.classes} differ from the data set's {list(expected_classes)}"
    if actual.shape != expected.shape or not np.all(np.isfinite(actual)):
        return "the exported model gives malformed or non-finite outputs"
    difference = float(np.abs(actual - expected).max()) if actual.size else 0.0
    if difference > SELF_TEST_TOLERANCE:
        return f"the exported model differs from the trained one by {difference:.2e} (limit {SELF_TEST_TOLERANCE:g})"
    return None


def chance_bar(valid_cities: Sequence[str]) -> float:
    """The accuracy a first model must reach: the best constant guess plus a third of the way to 100%."""
    counts = {city: valid_cities.count(city) for city in set(valid_cities)}
    baseline = max(counts.values()) / len(valid_cities)
    return baseline + (1 - baseline) * CHANCE_MARGIN


def decide(
    candidate_accuracy: float,
    live_accuracy: Optional[float],
    margin: float,
    valid_cities: Sequence[str],
    self_test_problem: Optional[str],
) -> Decision:
    """Apply the gate: self-test, then accuracy against live (minus margin) or, for a first model, against chance."""
    if self_test_problem:
        return Decision(False, f"self-test failed: {self_test_problem}")
    if not math.isfinite(candidate_accuracy):
        return Decision(False, "no validation accuracy")
    if live_accuracy is None:
        bar = chance_bar(valid_cities)
        if candidate_accuracy >= bar:
            return Decision(True, f"first model: accuracy {candidate_accuracy:.3f} beats the chance bar {bar:.3f}")
        return Decision(False, f"accuracy {candidate_accuracy:.3f} does not clearly beat chance (needs {bar:.3f})")
    bar = live_accuracy - margin
    if candidate_accuracy >= bar:
        return Decision(True, f"accuracy {candidate_accuracy:.3f} vs live {live_accuracy:.3f} (margin {margin:g})")
    return Decision(False, f"accuracy {candidate_accuracy:.3f} is below live {live_accuracy:.3f} minus margin {margin:g}")
