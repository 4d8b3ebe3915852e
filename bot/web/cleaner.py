"""The ImageCleaner of the admin page: the last finished run's highest-loss photos, read from its report."""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Image, TrainingRun

log = logging.getLogger(__name__)

TOP_LOSSES_FILE = "top_losses.json"  # written by the trainer next to the report's plots


@dataclass(frozen=True)
class HighLoss:
    """One photo the model got most wrong: its label, what the model said, how sure, and the loss."""

    image_id: int
    split: str
    actual: str
    predicted: str
    probability: float
    loss: float
    excluded: bool


def last_report_dir(session: Session, data_dir: Path) -> Path | None:
    """The report folder of the newest finished run that wrote one."""
    run = session.scalars(
        select(TrainingRun)
        .where(TrainingRun.status == "succeeded", TrainingRun.report_path.is_not(None))
        .order_by(TrainingRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    where = Path(data_dir) / run.report_path
    return where if where.is_dir() else where.parent


def highest_losses(session: Session, data_dir: Path, limit: int = 24) -> list[HighLoss]:
    """The last run's highest-loss training and validation photos that are still in the store, worst first."""
    folder = last_report_dir(session, data_dir)
    if folder is None or not (folder / TOP_LOSSES_FILE).is_file():
        return []
    try:
        entries = json.loads((folder / TOP_LOSSES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.exception("unreadable %s in %s", TOP_LOSSES_FILE, folder)
        return []
    entries = sorted((entry for entry in entries if isinstance(entry, dict)), key=lambda e: -float(e.get("loss", 0)))
    candidates = entries[: limit * 2]  # some may have been deleted since the run
    images = _images_of(session, candidates)
    found = []
    for entry in candidates:
        image = images.get(entry.get("sha256")) or images.get(entry.get("image_id"))
        if image is not None and len(found) < limit:
            found.append(
                HighLoss(
                    image_id=image.id,
                    split=str(entry.get("split", "")),
                    actual=str(entry.get("actual", "")),
                    predicted=str(entry.get("predicted", "")),
                    probability=float(entry.get("probability", 0.0)),
                    loss=float(entry.get("loss", 0.0)),
                    excluded=image.excluded,
                )
            )
    return found


def _images_of(session: Session, entries: list[dict]) -> dict:
    hashes = [entry["sha256"] for entry in entries if isinstance(entry.get("sha256"), str)]
    ids = [entry["image_id"] for entry in entries if isinstance(entry.get("image_id"), int)]
    rows = session.scalars(select(Image).where(Image.sha256.in_(hashes) | Image.id.in_(ids)))
    return {key: image for image in rows for key in (image.sha256, image.id)}
