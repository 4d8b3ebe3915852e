"""Watching a training run for the admin who asked: progress now and then, then the result and its plots."""

import asyncio
import logging
import time

from telegram import Bot

from bot.core.admin_text import format_progress, format_run_result
from bot.telegram.deps import TelegramDeps

log = logging.getLogger(__name__)


def watch_run(bot: Bot, deps: TelegramDeps, chat_id: int, run_id: int) -> None:
    """Start a background watcher; it is cancelled when the bot shuts down."""
    task = asyncio.get_running_loop().create_task(_watch(bot, deps, chat_id, run_id), name=f"watch-run-{run_id}")
    deps.watchers.add(task)
    task.add_done_callback(deps.watchers.discard)


async def _watch(bot: Bot, deps: TelegramDeps, chat_id: int, run_id: int) -> None:
    last_text, last_sent = None, time.monotonic()
    try:
        while True:
            report = await asyncio.to_thread(deps.admin.run_report, run_id)
            if report.finished:
                await bot.send_message(chat_id, format_run_result(report))
                for plot in report.plots:
                    with open(plot, "rb") as handle:
                        await bot.send_photo(chat_id, handle.read(), caption=plot.stem.replace("_", " "))
                return
            text = format_progress(report)
            if text != last_text and time.monotonic() - last_sent >= deps.progress_every:
                await bot.send_message(chat_id, text)
                last_text, last_sent = text, time.monotonic()
            await asyncio.sleep(deps.poll_every)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("watching training run %s failed", run_id)
        await bot.send_message(chat_id, f"I lost track of training run {run_id}; /status shows how it ends.")
