"""Watching a training run for the admin who asked: progress now and then, then the result with its plots attached."""

import asyncio
import logging
import time

import discord

from bot.core.admin_text import format_progress, format_run_result
from bot.discord.deps import TEXT_LIMIT, DiscordDeps

log = logging.getLogger(__name__)


def watch_run(channel: discord.abc.Messageable, deps: DiscordDeps, run_id: int) -> None:
    """Start a background watcher; the client cancels it when it shuts down."""
    task = asyncio.get_running_loop().create_task(_watch(channel, deps, run_id), name=f"discord-watch-run-{run_id}")
    deps.watchers.add(task)
    task.add_done_callback(deps.watchers.discard)


async def _watch(channel: discord.abc.Messageable, deps: DiscordDeps, run_id: int) -> None:
    last_text, last_sent = None, time.monotonic()
    try:
        while True:
            report = await asyncio.to_thread(deps.admin.run_report, run_id)
            if report.finished:
                files = [discord.File(plot, filename=plot.name) for plot in report.plots[:10]]  # Discord: 10 files a message
                await channel.send(format_run_result(report, TEXT_LIMIT), files=files)
                return
            text = format_progress(report)
            if text != last_text and time.monotonic() - last_sent >= deps.progress_every:
                await channel.send(text[:TEXT_LIMIT])
                last_text, last_sent = text, time.monotonic()
            await asyncio.sleep(deps.poll_every)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("watching training run %s failed", run_id)
        await channel.send(f"I lost track of training run {run_id}; /status shows how it ends.")
