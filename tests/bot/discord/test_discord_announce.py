"""Discord admins (DISCORD_ADMIN_IDS) hear about every finished training run by DM, with the plots attached."""

import asyncio
import io
from pathlib import Path

from PIL import Image

from bot.core.run_announcer import RunAnnouncer
from bot.discord.progress import discord_audience
from storage.versions import finish_run, start_run
from tests.bot.discord.conftest import ADMIN, USER, running_discord


def png_bytes() -> bytes:
    """A small real PNG, standing for a plot the trainer drew."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_finished_run_reaches_the_admin_by_dm_with_plots_and_nobody_else(tmp_path: Path):
    """A run another process finished: the admin's DM gets the verdict with the confusion and lr_find plots; a user's DM stays empty."""
    async with running_discord(tmp_path, None) as running:
        fake = running.fake
        announcer = RunAnnouncer(running.admin, poll_every=0.2)
        announcer.add_audience(discord_audience(lambda: running.client, frozenset({ADMIN.id})))
        announcer.remember_finished()
        stop = asyncio.Event()
        polling = asyncio.create_task(announcer.run(stop))
        report_dir = running.data_dir / "runs" / "run-1"
        report_dir.mkdir(parents=True)
        for name in ("confusion.png", "lr_find_frozen.png"):
            (report_dir / name).write_bytes(png_bytes())
        with running.store.transaction() as session:
            run_id = start_run(session, "cron", None).id
            finish_run(session, run_id, "failed", error="validation split has no Seoul photos", report_path="runs/run-1")
        try:
            messages = await fake.wait_for_replies(1, fake.dm_channel(ADMIN.id))
        finally:
            stop.set()
            await polling
        assert messages[0]["content"] == f"Training run {run_id} failed: validation split has no Seoul photos"
        assert sorted(a["filename"] for a in messages[0]["attachments"]) == ["confusion.png", "lr_find_frozen.png"]
        assert fake.bot_messages(fake.dm_channel(USER.id)) == []
