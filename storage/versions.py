"""Model versions and training runs as rows: which version is live, and what each run did."""

from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage.errors import StorageError
from storage.models import ModelVersion, TrainingRun, utcnow

PROMOTION_LOCK_KEY = 0x43495459  # "CITY": the advisory lock that serialises promotions on PostgreSQL


def live_version(session: Session) -> Optional[ModelVersion]:
    """The model version serving users now, if any."""
    return session.scalars(select(ModelVersion).where(ModelVersion.status == "live")).one_or_none()


def get_version(session: Session, version: str) -> Optional[ModelVersion]:
    """The model version with this id."""
    return session.scalars(select(ModelVersion).where(ModelVersion.version == version)).one_or_none()


def list_versions(session: Session) -> list[ModelVersion]:
    """Every model version, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())))


class VersionError(StorageError):
    """A version cannot be promoted, rejected or rolled back to; the message says why."""


def version_dir(data_dir: Path, row: ModelVersion) -> Path:
    """The directory of a version's artifacts (`artifact_path` is relative to DATA_DIR)."""
    return Path(data_dir) / row.artifact_path


def add_version(
    session: Session,
    version: str,
    arch: str,
    classes: list[str],
    artifact_path: str,
    sha256: str,
    metrics: dict[str, Any],
    parent_version: Optional[str],
) -> ModelVersion:
    """Record a freshly written version as a candidate."""
    row = ModelVersion(
        version=version, arch=arch, classes=list(classes), artifact_path=artifact_path, sha256=sha256,
        metrics=dict(metrics), status="candidate", parent_version=parent_version,
    )
    session.add(row)
    session.flush()
    return row


def promote(session: Session, version: str, reason: Optional[str] = None) -> ModelVersion:
    """Make `version` the one live version; the previous live one is retired (all in the caller's transaction)."""
    _serialise_promotions(session)
    row = _require(session, version)
    for current in session.scalars(select(ModelVersion).where(ModelVersion.status == "live", ModelVersion.id != row.id)):
        current.status = "retired"
        current.reason = f"replaced by {row.version}"
    row.status = "live"
    row.reason = reason
    row.promoted_at = utcnow()
    session.flush()
    return row


def reject(session: Session, version: str, reason: str) -> ModelVersion:
    """Mark a candidate rejected with the reason (a live version must be rolled back instead)."""
    row = _require(session, version)
    if row.status == "live":
        raise VersionError(f"{version} is live; roll back to another version instead of rejecting it")
    row.status = "rejected"
    row.reason = reason
    session.flush()
    return row


def rollback(session: Session, version: Optional[str] = None, by: Optional[str] = None) -> ModelVersion:
    """Make `version` (default: the most recently live before the current one) live; the current one is rejected."""
    _serialise_promotions(session)
    current = live_version(session)
    if version is None:
        target = session.scalars(
            select(ModelVersion)
            .where(ModelVersion.status == "retired", ModelVersion.promoted_at.is_not(None))
            .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        ).first()
        if target is None:
            raise VersionError("there is no earlier live version to roll back to")
    else:
        target = _require(session, version)
        if current is not None and target.id == current.id:
            raise VersionError(f"{version} is already live")
    if current is not None:
        current.status = "rejected"
        current.reason = f"rolled back to {target.version}" + (f" by {by}" if by else "")
        session.flush()
    return promote(session, target.version, reason=f"rollback from {current.version if current else 'nothing'}")


def _require(session: Session, version: str) -> ModelVersion:
    row = get_version(session, version)
    if row is None:
        known = ", ".join(v.version for v in list_versions(session)[:5]) or "none yet"
        raise VersionError(f"no model version {version!r} (latest: {known})")
    return row


def _serialise_promotions(session: Session) -> None:
    # Two promotions at once must not leave two live rows. SQLite writers are already serialised (BEGIN
    # IMMEDIATE); PostgreSQL needs a transaction-scoped advisory lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PROMOTION_LOCK_KEY})


def start_run(session: Session, trigger: str, requested_by: Optional[str]) -> TrainingRun:
    """A new run row, status "running"."""
    run = TrainingRun(trigger=trigger, requested_by=requested_by, status="running", progress={"stage": "starting"}, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def running_run(session: Session) -> Optional[TrainingRun]:
    """The run marked running, if any (the newest, should an old crash have left one behind)."""
    return session.scalars(
        select(TrainingRun).where(TrainingRun.status.in_(("queued", "running"))).order_by(TrainingRun.id.desc())
    ).first()


def set_progress(session: Session, run_id: int, progress: dict[str, Any]) -> None:
    """Replace a run's progress JSON (stage, epoch, total, loss...)."""
    run = session.get(TrainingRun, run_id)
    if run is not None:
        run.progress = dict(progress)


def finish_run(
    session: Session,
    run_id: int,
    status: str,
    outcome: Optional[str] = None,
    error: Optional[str] = None,
    report_path: Optional[str] = None,
    candidate_version: Optional[str] = None,
) -> TrainingRun:
    """Mark a run succeeded or failed with what came of it."""
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise VersionError(f"no training run {run_id}")
    run.status = status
    run.outcome = outcome
    run.error = error
    run.report_path = report_path
    run.candidate_version = candidate_version or run.candidate_version
    run.finished_at = utcnow()
    return run


def last_finished_run(session: Session) -> Optional[TrainingRun]:
    """The most recent run that ended, however it ended."""
    return session.scalars(
        select(TrainingRun).where(TrainingRun.finished_at.is_not(None)).order_by(TrainingRun.finished_at.desc())
    ).first()


def last_started_run(session: Session) -> Optional[TrainingRun]:
    """The most recently started run, finished or not."""
    return session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc())).first()


def recent_training_runs(session: Session, limit: int = 5) -> list[TrainingRun]:
    """The last `limit` training runs, newest first."""
    return list(session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)))


def last_trained_at(session: Session) -> Optional[datetime]:
    """When the last successful training run started (the labels it saw), or None if none succeeded."""
    run = session.scalars(
        select(TrainingRun).where(TrainingRun.status == "succeeded").order_by(TrainingRun.id.desc()).limit(1)
    ).one_or_none()
    if run is None:
        return None
    return run.started_at or run.created_at
