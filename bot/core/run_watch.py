"""Following one training run for whoever asked: progress now and then, then the result and its plots.

Transport-free: the front end passes how to send a line of text and how to send the final report.
"""

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Coroutine

from bot.core.admin import Admin
from bot.core.admin_text import format_progress, format_run_result
from bot.core.formatting import TELEGRAM_TEXT_LIMIT

log = logging.getLogger(__name__)

SendText = Callable[[str], Awaitable[Any]]
SendResult = Callable[[str, list[Path]], Awaitable[Any]]  # the result text and the report plots (PNG paths)


async def watch_run(
    admin: Admin,
    run_id: int,
    send_text: SendText,
    send_result: SendResult,
    poll_every: float = 2.0,
    progress_every: float = 60.0,
    text_limit: int = TELEGRAM_TEXT_LIMIT,
) -> None:
    """Poll run `run_id`: a progress line when it changed (at most every `progress_every` s), then the result."""
    last_text, last_sent = None, time.monotonic()
    try:
        while True:
            report = await asyncio.to_thread(admin.run_report, run_id)
            if report.finished:
                await send_result(format_run_result(report, text_limit), report.plots)
                return
            text = format_progress(report)
            if text != last_text and time.monotonic() - last_sent >= progress_every:
                await send_text(text[:text_limit])
                last_text, last_sent = text, time.monotonic()
            await asyncio.sleep(poll_every)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("watching training run %s failed", run_id)
        await send_text(f"I lost track of training run {run_id}; /status shows how it ends.")


def start_watcher(watchers: set[asyncio.Task], watching: Coroutine[Any, Any, None], name: str) -> asyncio.Task:
    """Run `watching` in the background, kept in `watchers` (the front end cancels them on shutdown) until it ends."""
    task = asyncio.get_running_loop().create_task(watching, name=name)
    watchers.add(task)
    task.add_done_callback(watchers.discard)
    return task
