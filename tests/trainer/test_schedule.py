"""Scheduled retraining: fixed jobs that never duplicate, and the new-labels threshold with its cooldown."""

import logging
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from bot.settings import load_settings
from storage.cities import get_city
from storage.labels import set_label
from storage.models import Image, TrainingRun
from storage.users import get_or_create_user
from trainer.schedule import CRON_JOB_ID, THRESHOLD_JOB_ID, check_threshold, install_jobs, log_job_event


def test_installing_twice_keeps_two_jobs(tmp_path):
    """A restart that installs the jobs again replaces them: still one cron and one threshold job."""
    settings = load_settings(data_dir=tmp_path, retrain_cron="30 2 * * *")
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, settings)
        install_jobs(scheduler, settings)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert sorted(jobs) == sorted([CRON_JOB_ID, THRESHOLD_JOB_ID])
        assert jobs[CRON_JOB_ID].coalesce and "hour='2'" in str(jobs[CRON_JOB_ID].trigger)
        assert jobs[THRESHOLD_JOB_ID].kwargs["min_new_labels"] == settings.retrain_min_new_labels
    finally:
        scheduler.shutdown(wait=False)


def add_corrections(session, count: int, first: int = 0) -> None:
    """`count` users each correct their own photo."""
    munich = get_city(session, "Munich")
    for number in range(first, first + count):
        image = Image(sha256=f"{number:064x}", path=f"{number}.png", width=8, height=8, format="PNG", source="test")
        session.add(image)
        session.flush()
        set_label(session, image, get_or_create_user(session, "telegram", number), munich, "correction")


def test_threshold_counts_labels_since_last_run_and_respects_cooldown(store):
    """Due at the threshold; not due during the cooldown after a run; due again once enough new labels arrive."""
    with store.transaction() as session:
        add_corrections(session, 3)
        now = datetime.now(timezone.utc)
        assert not check_threshold(session, min_new_labels=4, cooldown_minutes=60, now=now).due
        assert check_threshold(session, min_new_labels=3, cooldown_minutes=60, now=now).due
        session.add(TrainingRun(trigger="cron", status="succeeded", started_at=now))
        session.flush()
        check = check_threshold(session, min_new_labels=1, cooldown_minutes=60, now=now + timedelta(minutes=10))
        assert not check.due and "cooling down" in check.reason
        later = now + timedelta(hours=2)
        assert not check_threshold(session, min_new_labels=1, cooldown_minutes=60, now=later).due  # labels predate the run
        add_corrections(session, 2, first=10)
        assert check_threshold(session, min_new_labels=2, cooldown_minutes=60, now=later).due


def test_missed_runs_are_logged(caplog):
    """A missed nightly run leaves a warning naming the job."""
    event = JobExecutionEvent(EVENT_JOB_MISSED, CRON_JOB_ID, "default", datetime.now(timezone.utc) - timedelta(hours=2))
    with caplog.at_level(logging.WARNING, logger="trainer.schedule"):
        log_job_event(event)
    assert CRON_JOB_ID in caplog.text and "missed" in caplog.text
