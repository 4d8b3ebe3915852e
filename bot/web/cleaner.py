"""The ImageCleaner of the admin page: the last run's model scored on every labelled photo, worst first.

The trainer's report keeps a top-losses *picture*; relabel buttons need photo ids, so the candidate of
the newest finished run is loaded (ONNX Runtime, no torch) and run on the trainer's own data set (same
labels, same split), training and validation photos alike. Scores are cached per (version, photo), so
only photos new since the last look are run again; relabelling only changes which probability counts.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.files import ImageFiles
from storage.models import ModelVersion, TrainingRun
from trainer.dataset import Example, build_dataset
from trainer.errors import DatasetError

BATCH = 32  # photos per model call while scoring


@dataclass(frozen=True)
class HighLoss:
    """One photo the model got most wrong: its label, what the model said, how sure, and the loss."""

    image_id: int
    split: str
    actual: str
    predicted: str
    probability: float
    loss: float
    excluded: bool = False


@dataclass(frozen=True)
class CleanerView:
    """The model version that was scored and its worst photos, or a note saying why there are none."""

    version: Optional[str]
    photos: list[HighLoss] = field(default_factory=list)
    note: Optional[str] = None


def last_run_version(session: Session) -> Optional[ModelVersion]:
    """The candidate model of the newest successful training run."""
    run = session.scalars(
        select(TrainingRun)
        .where(TrainingRun.status == "succeeded", TrainingRun.candidate_version.is_not(None))
        .order_by(TrainingRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    return session.scalars(select(ModelVersion).where(ModelVersion.version == run.candidate_version)).one_or_none()


class ScoreCache:
    """Probabilities per (model version, photo hash): a version's answer for a photo never changes, so score it once."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries  # ~100 bytes each for a handful of cities
        self._rows: dict[tuple[str, str], dict[str, float]] = {}

    def get(self, version: str, sha256: str) -> Optional[dict[str, float]]:
        """The cached probabilities of this photo under this version, if scored before."""
        return self._rows.get((version, sha256))

    def put(self, version: str, sha256: str, row: dict[str, float]) -> None:
        """Remember a photo's probabilities (forgetting everything when full: simpler than LRU, rarely hit)."""
        if len(self._rows) >= self.max_entries:
            self._rows.clear()
        self._rows[(version, sha256)] = row


def highest_losses(
    session: Session,
    files: ImageFiles,
    data_dir: Path,
    valid_pct: float,
    load_predictor: Callable[[Path], Any],
    cache: ScoreCache,
    limit: int = 24,
) -> CleanerView:
    """The last run's model on the labelled photos still in training (only unscored ones are run); the worst first."""
    row = last_run_version(session)
    if row is None:
        return CleanerView(None, note="No finished training run yet.")
    try:
        dataset = build_dataset(session, files, valid_pct=valid_pct, min_images_per_class=1)
    except DatasetError as error:
        return CleanerView(row.version, note=str(error))
    _score_missing(dataset.examples, row.version, Path(data_dir) / row.artifact_path, load_predictor, cache)
    scored = []
    for example in dataset.examples:
        probabilities = cache.get(row.version, example.sha256)
        probability = probabilities.get(example.city, 0.0)  # a city the model does not know: simply wrong
        scored.append(
            HighLoss(
                image_id=example.image_id,
                split="validation" if example.is_valid else "training",
                actual=example.city,
                predicted=max(probabilities, key=probabilities.get),
                probability=probability,
                loss=-math.log(max(probability, 1e-12)),
            )
        )
    scored.sort(key=lambda item: -item.loss)
    return CleanerView(row.version, scored[:limit])


def _score_missing(
    examples: list[Example], version: str, version_dir: Path, load_predictor: Callable[[Path], Any], cache: ScoreCache
) -> None:
    missing = [example for example in examples if cache.get(version, example.sha256) is None]
    if not missing:
        return
    predictor = load_predictor(version_dir)
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        # The serving decoder, so the losses are what users of this model would have seen.
        rows = predictor.probabilities([predictor.decode(example.path.read_bytes()) for example in chunk])
        for example, probabilities in zip(chunk, rows):
            cache.put(version, example.sha256, {city: float(p) for city, p in zip(predictor.classes, probabilities)})
