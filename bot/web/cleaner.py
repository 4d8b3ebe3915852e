"""The ImageCleaner of the admin page: the highest-loss photos the last training run recorded, with today's labels.

The trainer writes report/top_losses.json (the worst photos of the training and validation splits, by id,
with every city's probability), so this page runs no model: it reads the file and checks each photo against
the label store. Removed photos drop out; a relabelled photo's loss is recomputed from the stored
probabilities. Runs made before the trainer wrote that file show a note instead (retrain to get one).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.labels import effective_labels_query
from storage.models import City, Image, TrainingRun
from trainer.top_losses import TOP_LOSSES_FILE, loss_of, read_top_losses


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
    """The model version whose losses these are and its worst photos, or a note saying why there are none."""

    version: Optional[str]
    photos: list[HighLoss] = field(default_factory=list)
    note: Optional[str] = None


def last_successful_run(session: Session) -> Optional[TrainingRun]:
    """The newest successful training run that made a candidate."""
    return session.scalars(
        select(TrainingRun)
        .where(TrainingRun.status == "succeeded", TrainingRun.candidate_version.is_not(None))
        .order_by(TrainingRun.id.desc())
        .limit(1)
    ).first()


def highest_losses(session: Session, data_dir: Path) -> CleanerView:
    """The last run's top_losses.json, minus photos no longer in training, relabelled ones re-judged; worst first."""
    run = last_successful_run(session)
    if run is None:
        return CleanerView(None, note="No finished training run yet.")
    path = Path(data_dir) / (run.report_path or "") / TOP_LOSSES_FILE
    try:
        recorded = read_top_losses(path)
        labels = current_labels(session, [int(entry["image_id"]) for entry in recorded])
        photos = [_judged(entry, labels[entry["image_id"]]) for entry in recorded if entry["image_id"] in labels]
    except FileNotFoundError:
        return CleanerView(run.candidate_version, note=f"Run {run.id} recorded no top losses (it predates them); retrain to see its worst photos.")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:  # a damaged file: say so, keep the page up
        return CleanerView(run.candidate_version, note=f"Run {run.id}'s top_losses.json could not be read: {error!r}")
    photos.sort(key=lambda item: (-item.loss, item.image_id))
    return CleanerView(run.candidate_version, photos)


def current_labels(session: Session, image_ids: list[int]) -> dict[int, str]:
    """Effective city of each of these photos that is still in training (not removed, city active, label clear)."""
    if not image_ids:
        return {}
    resolved = effective_labels_query().subquery("effective")
    query = (
        select(Image.id, City.name)
        .join(resolved, resolved.c.image_id == Image.id)
        .join(City, City.id == resolved.c.city_id)
        .where(Image.id.in_(image_ids), Image.excluded.is_(False), City.active.is_(True))
    )
    return {image_id: city for image_id, city in session.execute(query)}


def _judged(entry: dict[str, Any], city: str) -> HighLoss:
    if city == entry["actual"]:
        probability, loss = entry["probability"], entry["loss"]
    else:  # relabelled since the run: the model's answer is the same, only which probability counts changed
        probability = entry["probabilities"].get(city, 0.0)
        loss = loss_of(probability)
    return HighLoss(entry["image_id"], entry["split"], city, entry["predicted"], probability, loss)
