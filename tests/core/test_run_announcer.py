"""Which runs get announced: those finishing after start-up (even if started before), once, never again after a restart."""

from pathlib import Path

from bot.core.admin import Admin, RunReport
from bot.core.run_announcer import Audience, RunAnnouncer
from storage.store import LabelStore
from storage.versions import finish_run, start_run


def announcer_over(any_store: LabelStore, tmp_path: Path, heard: list[tuple[int, int]]) -> RunAnnouncer:
    """An announcer for admins 1 and 2 whose private messages land in `heard` as (admin, run id)."""

    async def send(admin_id: int, report: RunReport) -> None:
        heard.append((admin_id, report.run_id))

    announcer = RunAnnouncer(Admin(any_store, tmp_path / "data", "unused://"), poll_every=0.1)
    announcer.add_audience(Audience("telegram", frozenset({1, 2}), send))
    announcer.remember_finished()
    return announcer


async def test_runs_finishing_after_start_up_are_announced_once_and_not_after_a_restart(any_store, tmp_path):
    """Old runs stay quiet; a run already going at start-up is announced when it ends, to each admin once; a restart repeats nothing."""
    with any_store.transaction() as session:
        old = start_run(session, "cron", None).id
        finish_run(session, old, "failed", error="old")
        going = start_run(session, "web", "web").id
    heard: list[tuple[int, int]] = []
    announcer = announcer_over(any_store, tmp_path, heard)
    assert announcer.newly_finished() == []
    with any_store.transaction() as session:
        finish_run(session, going, "failed", error="crashed")
    assert announcer.newly_finished() == [going]
    await announcer.announce(going)
    assert heard == [(1, going), (2, going)] and announcer.newly_finished() == []
    restarted = announcer_over(any_store, tmp_path, heard)
    assert restarted.newly_finished() == []
