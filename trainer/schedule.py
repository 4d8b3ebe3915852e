"""Scheduled retraining on APScheduler 3: a cron job (RETRAIN_CRON) and a new-labels threshold job with a cooldown.

Both jobs go through `request_training`, so they share the lock and the "already running" answer with the bot
and the CLI. Fixed job ids with `replace_existing` mean a restart never duplicates them; missed runs are
coalesced into one and logged.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from storage.labels import labels_since
from storage.store import open_store
from storage.versions import last_started_run
from trainer.config import TrainConfig
from trainer.runner import RunRequest, request_training

log = logging.getLogger(__name__)

CRON_JOB_ID = "citybot-retrain-cron"
THRESHOLD_JOB_ID = "citybot-retrain-threshold"
THRESHOLD_CHECK_MINUTES = 5  # how often the label count is looked at; cheap (one COUNT query)
MISFIRE_GRACE_SECONDS = 3600  # a nightly run up to an hour late (host asleep, restart) still happens, once


@dataclass(frozen=True)
class ThresholdCheck:
    """Whether enough new labels arrived since the last run, and the reason either way."""

    due: bool
    reason: str


def check_threshold(session: Session, min_new_labels: int, cooldown_minutes: int, now: Optional[datetime] = None) -> ThresholdCheck:
    """Due when at least `min_new_labels` labels came since the last run started, and that run is past the cooldown."""
    now = now or datetime.now(timezone.utc)
    last = last_started_run(session)
    since = _aware(last.started_at or last.created_at) if last is not None else None
    if since is not None and now - since < timedelta(minutes=cooldown_minutes):
        return ThresholdCheck(False, f"cooling down: last run started {int((now - since).total_seconds() // 60)} min ago")
    new = labels_since(session, since)
    if new < min_new_labels:
        return ThresholdCheck(False, f"{new} new labels since the last run (threshold {min_new_labels})")
    return ThresholdCheck(True, f"{new} new labels since the last run (threshold {min_new_labels})")


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def cron_job(database_url: str, data_dir: str, config: dict[str, Any]) -> RunRequest:
    """The nightly retrain: request a run (answered "already running" if one is under way)."""
    request = request_training(database_url, Path(data_dir), TrainConfig(**config), trigger="cron", requested_by="schedule")
    log.info("scheduled retrain: %s", request.message)
    return request


def threshold_job(database_url: str, data_dir: str, config: dict[str, Any], min_new_labels: int, cooldown_minutes: int) -> Optional[RunRequest]:
    """Request a run when enough new labels arrived since the last one (and the cooldown has passed)."""
    store = open_store(database_url, Path(data_dir))
    try:
        with store.transaction() as session:
            check = check_threshold(session, min_new_labels, cooldown_minutes)
    finally:
        store.close()
    if not check.due:
        log.debug("threshold retrain not due: %s", check.reason)
        return None
    request = request_training(database_url, Path(data_dir), TrainConfig(**config), trigger="threshold", requested_by="schedule")
    log.info("threshold retrain (%s): %s", check.reason, request.message)
    return request


def log_job_event(event: JobExecutionEvent) -> None:
    """Missed and failed runs are logged; a late run that coalesced missed ones says so."""
    if event.code == EVENT_JOB_MISSED:
        log.warning("scheduled job %s missed its run at %s (coalesced into the next one)", event.job_id, event.scheduled_run_time)
    elif event.code == EVENT_JOB_ERROR:
        log.error("scheduled job %s failed: %s", event.job_id, event.exception, exc_info=event.exception)
    elif event.scheduled_run_time is not None:
        late = datetime.now(timezone.utc) - event.scheduled_run_time
        if late > timedelta(minutes=1):
            log.warning("scheduled job %s ran %d s late (missed runs coalesced into this one)", event.job_id, late.total_seconds())


def install_jobs(scheduler, settings: Any, check_every_minutes: int = THRESHOLD_CHECK_MINUTES) -> list:
    """Add (or replace) both retrain jobs; `settings` is duck-typed (data_dir, retrain_*, training fields, database)."""
    database_url = settings.effective_database_url
    data_dir = str(Path(settings.data_dir).resolve())
    config = TrainConfig.from_settings(settings).as_dict()
    common = {"replace_existing": True, "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}
    cron = scheduler.add_job(
        cron_job, CronTrigger.from_crontab(settings.retrain_cron, timezone=timezone.utc), id=CRON_JOB_ID,
        name="nightly retrain", kwargs={"database_url": database_url, "data_dir": data_dir, "config": config}, **common,
    )
    threshold = scheduler.add_job(
        threshold_job, IntervalTrigger(minutes=check_every_minutes, timezone=timezone.utc), id=THRESHOLD_JOB_ID,
        name="retrain on new labels",
        kwargs={
            "database_url": database_url, "data_dir": data_dir, "config": config,
            "min_new_labels": settings.retrain_min_new_labels, "cooldown_minutes": settings.retrain_cooldown_minutes,
        },
        **common,
    )
    scheduler.add_listener(log_job_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)
    return [cron, threshold]
