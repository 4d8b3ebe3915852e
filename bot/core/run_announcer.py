"""Telling every admin about every training run that finishes, whoever started it (schedule, web, CLI, chat).

While `citybot serve` runs, a poller looks at the run table; each run that finishes after start-up is
reported once to each admin of each front end by private message — except to an admin whose chat
watcher already reports it. Runs that finished before start-up are never announced again.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from sqlalchemy import select

from bot.core.admin import Admin, RunReport
from bot.core.watched_runs import person_key
from storage.models import TrainingRun

log = logging.getLogger(__name__)

FINISHED = ("succeeded", "failed")


@dataclass(frozen=True)
class Audience:
    """One front end's admins and how it sends a finished run's report to one of them privately."""

    platform: str
    admin_ids: frozenset[int]
    send: Callable[[int, RunReport], Awaitable[None]]


class RunAnnouncer:
    """Polls for newly finished runs and hands each one's report to every audience, once per admin."""

    def __init__(self, admin: Admin, poll_every: float = 10.0) -> None:
        self.admin = admin
        self.poll_every = poll_every
        self.audiences: list[Audience] = []
        self._floor: Optional[int] = None  # runs below this id had finished before start-up
        self._announced: set[int] = set()

    def add_audience(self, audience: Audience) -> None:
        """Announce to these admins too (front ends add themselves as they are built)."""
        self.audiences.append(audience)

    def remember_finished(self) -> None:
        """Note the runs already finished now, so they are never announced (call once at start-up)."""
        with self.admin.store.read() as session:
            rows = session.execute(select(TrainingRun.id, TrainingRun.status)).all()
        unfinished = [run_id for run_id, status in rows if status not in FINISHED]
        self._floor = min(unfinished) if unfinished else max((run_id for run_id, _ in rows), default=0) + 1
        self._announced = {run_id for run_id, status in rows if status in FINISHED and run_id >= self._floor}

    def newly_finished(self) -> list[int]:
        """Ids of runs finished since start-up and not announced yet, oldest first."""
        if self._floor is None:
            self.remember_finished()
        with self.admin.store.read() as session:
            finished = session.scalars(
                select(TrainingRun.id).where(TrainingRun.id >= self._floor, TrainingRun.status.in_(FINISHED)).order_by(TrainingRun.id)
            ).all()
        return [run_id for run_id in finished if run_id not in self._announced]

    async def announce(self, run_id: int) -> None:
        """Send run `run_id`'s report to every admin not already hearing it in their own chat."""
        self._announced.add(run_id)  # first, so one failing admin never makes the others hear it twice
        report = await asyncio.to_thread(self.admin.run_report, run_id)
        watching = self.admin.watched.pop(run_id)
        for audience in self.audiences:
            for admin_id in sorted(audience.admin_ids):
                if person_key(audience.platform, admin_id) in watching:
                    continue
                try:
                    await audience.send(admin_id, report)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # e.g. an admin who never opened a chat with the bot
                    log.warning("could not tell %s admin %s about training run %s: %s", audience.platform, admin_id, run_id, error)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; a failed look (database away) is logged and tried again next time."""
        if self._floor is None:
            try:
                await asyncio.to_thread(self.remember_finished)
            except Exception:
                log.exception("could not read the training runs at start-up; trying again at the next look")
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_every)
            if stop.is_set():
                return
            try:
                for run_id in await asyncio.to_thread(self.newly_finished):
                    await self.announce(run_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("looking for finished training runs failed; trying again in %.0f s", self.poll_every)
