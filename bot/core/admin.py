"""Admin actions shared by every front end: retrain, run reports, status, models, rollback, add city.

Every method takes the acting `UserRef` and raises `NotAuthorised` (logged with the user id) unless
the front end marked that user as an admin from its own list of numeric ids.
Training goes through the trainer's `trainer.runner.request_training`, which runs it in a child
process, so this module never imports torch or fastai.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import func, select

from bot.core.errors import NotAuthorised, UnknownVersion
from bot.core.live_model import LiveModel
from bot.core.results import CityInfo
from bot.core.users import UserRef
from bot.core.watched_runs import WatchedRuns
from storage.cities import add_city
from storage.labels import effective_label_counts, unlabelled_image_count
from storage.models import TrainingRun
from storage.store import LabelStore
from storage import versions

log = logging.getLogger(__name__)

REPORT_PLOTS = ("confusion", "lr_find")  # the plots an admin gets as photos after a run


@dataclass(frozen=True)
class RetrainOutcome:
    """The answer to /retrain: a new run started, or the id of the one already running."""

    run_id: Optional[int]
    started: bool
    message: str


@dataclass(frozen=True)
class RunReport:
    """A training run as an admin sees it: progress while running, the verdict and plots when done."""

    run_id: int
    status: str
    finished: bool
    progress: dict[str, Any]
    outcome: Optional[str] = None
    reason: Optional[str] = None
    error: Optional[str] = None
    candidate_version: Optional[str] = None
    accuracy: Optional[float] = None
    live_accuracy: Optional[float] = None
    plots: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class VersionInfo:
    """One model version for /models."""

    version: str
    status: str
    accuracy: Optional[float]
    reason: Optional[str]
    created_at: Any


@dataclass(frozen=True)
class StatusReport:
    """/status: live model, label counts, pending photos and the last runs."""

    live_version: Optional[str]
    live_accuracy: Optional[float]
    counts: dict[str, int]
    pending: int
    runs: list[RunReport]


def require_admin(user: UserRef, action: str) -> None:
    """Raise NotAuthorised (and log who tried) unless `user` is an admin."""
    if not user.is_admin:
        log.warning("not authorised: %s user %s tried %s", user.platform, user.external_id, action)
        raise NotAuthorised()


class Admin:
    """Admin actions over one label store and data directory."""

    def __init__(
        self,
        store: LabelStore,
        data_dir: Path,
        database_url: str,
        train_config: Any = None,
        live_model: Optional[LiveModel] = None,
    ) -> None:
        self.store = store
        self.data_dir = Path(data_dir)
        self.database_url = database_url
        self.train_config = train_config
        self.live_model = live_model
        self.watched = WatchedRuns()  # runs a chat watcher already reports, and to whom

    def retrain(self, user: UserRef, trigger: str) -> RetrainOutcome:
        """Queue a training run in a child process; "already running (run N)" if one is under way."""
        require_admin(user, "retrain")
        from trainer.runner import request_training  # the runner spawns the child; it imports no torch itself

        request = request_training(
            self.database_url, self.data_dir, self.train_config, trigger=trigger, requested_by=f"{user.platform}:{user.external_id}"
        )
        return RetrainOutcome(run_id=request.run_id, started=request.started, message=request.message)

    def run_report(self, run_id: int) -> RunReport:
        """The run's progress, or its outcome with accuracy vs the live model and the report plots."""
        with self.store.transaction() as session:
            run = session.get(TrainingRun, run_id)
            if run is None:
                raise UnknownVersion(f"no training run {run_id}")
            return self._report_of(session, run)

    def status(self, user: UserRef, last_runs: int = 3) -> StatusReport:
        """Live model, label counts per city, pending photos and the last few runs."""
        require_admin(user, "status")
        with self.store.transaction() as session:
            live = versions.live_version(session)
            runs = session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(last_runs))
            return StatusReport(
                live_version=live.version if live else None,
                live_accuracy=(live.metrics or {}).get("accuracy") if live else None,
                counts=effective_label_counts(session),
                pending=unlabelled_image_count(session),
                runs=[self._report_of(session, run) for run in runs],
            )

    def models(self, user: UserRef) -> list[VersionInfo]:
        """Every model version, newest first."""
        require_admin(user, "models")
        with self.store.transaction() as session:
            return [
                VersionInfo(row.version, row.status, (row.metrics or {}).get("accuracy"), row.reason, row.created_at)
                for row in versions.list_versions(session)
            ]

    def rollback(self, user: UserRef, version: Optional[str] = None) -> str:
        """Make `version` (default: the previous live one) live again; the bot swaps to it within a second."""
        require_admin(user, "rollback")
        with self.store.transaction() as session:
            live = versions.live_version(session)
            target = versions.rollback(session, version, by=f"{user.platform}:{user.external_id}")
            text = f"Rolled back: {live.version if live else 'nothing'} → {target.version} is live."
        if self.live_model is not None:
            self.live_model.refresh_now()
        return text

    def add_city(self, user: UserRef, name: str, aliases: Iterable[str] = ()) -> CityInfo:
        """Add (or reactivate) a city; it joins predictions after the next training run."""
        require_admin(user, "addcity")
        with self.store.transaction() as session:
            city = add_city(session, name, list(aliases))
            return CityInfo(city.name, list(city.aliases), effective_label_counts(session).get(city.name, 0))

    def _report_of(self, session, run: TrainingRun) -> RunReport:
        finished = run.status in ("succeeded", "failed")
        candidate = versions.get_version(session, run.candidate_version) if run.candidate_version else None
        metrics = (candidate.metrics or {}) if candidate else {}
        return RunReport(
            run_id=run.id,
            status=run.status,
            finished=finished,
            progress=dict(run.progress or {}),
            outcome=run.outcome,
            reason=candidate.reason if candidate else None,
            error=run.error,
            candidate_version=run.candidate_version,
            accuracy=metrics.get("accuracy"),
            live_accuracy=metrics.get("live_accuracy"),
            plots=self._plots(run) if finished else [],
        )

    def _plots(self, run: TrainingRun) -> list[Path]:
        if not run.report_path:
            return []
        where = self.data_dir / run.report_path
        folder = where if where.is_dir() else where.parent
        return sorted(path for path in folder.glob("*.png") if any(key in path.name for key in REPORT_PLOTS))
