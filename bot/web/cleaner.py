"""The ImageCleaner of the admin page: the last run's model scored on every labelled photo, worst first.

The trainer's report keeps a top-losses *picture*; relabel buttons need photo ids, so the candidate of
the newest finished run is loaded (ONNX Runtime, no torch) and scored with the trainer's own data set
split and evaluation, training and validation photos alike.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.files import ImageFiles
from storage.models import ModelVersion, TrainingRun
from trainer.dataset import build_dataset
from trainer.errors import DatasetError
from trainer.evaluate import evaluate


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


def highest_losses(
    session: Session,
    files: ImageFiles,
    data_dir: Path,
    valid_pct: float,
    load_predictor: Callable[[Path], object],
    limit: int = 24,
) -> CleanerView:
    """The last run's model scored on the labelled photos still in training; the `limit` worst, loss first."""
    row = last_run_version(session)
    if row is None:
        return CleanerView(None, note="No finished training run yet.")
    predictor = load_predictor(Path(data_dir) / row.artifact_path)
    try:
        dataset = build_dataset(session, files, valid_pct=valid_pct, min_images_per_class=1)
    except DatasetError as error:
        return CleanerView(row.version, note=str(error))
    examples = [example for example in dataset.examples if example.city in predictor.classes]
    evaluation = evaluate(predictor, examples, predictor.classes)
    scored = [
        HighLoss(
            image_id=example.image_id,
            split="validation" if example.is_valid else "training",
            actual=example.city,
            predicted=guess,
            probability=probability,
            loss=-math.log(max(probability, 1e-12)),
        )
        for example, guess, probability in zip(examples, evaluation.predicted, evaluation.true_probability)
    ]
    scored.sort(key=lambda item: -item.loss)
    return CleanerView(row.version, scored[:limit])
