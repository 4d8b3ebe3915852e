"""Telegram's side of run reports: the watcher for the admin who asked, and announcements to every admin."""

from pathlib import Path

from telegram import Bot

from bot.core.admin import RunReport
from bot.core.admin_text import format_run_result
from bot.core.run_announcer import Audience
from bot.core.run_watch import start_watcher, watch_run
from bot.core.users import UserRef
from bot.telegram.deps import PLATFORM, TelegramDeps


def watch_run_in_chat(bot: Bot, deps: TelegramDeps, chat_id: int, run_id: int, asker: UserRef) -> None:
    """Report run `run_id` in `chat_id` in the background; the announcer then leaves `asker` out."""
    deps.admin.watched.add(run_id, asker)

    async def send_text(text: str) -> None:
        await bot.send_message(chat_id, text)

    async def send_result(text: str, plots: list[Path]) -> None:
        await send_run_result(bot, chat_id, text, plots)

    watching = watch_run(deps.admin, run_id, send_text, send_result, deps.poll_every, deps.progress_every)
    start_watcher(deps.watchers, watching, f"watch-run-{run_id}")


async def send_run_result(bot: Bot, chat_id: int, text: str, plots: list[Path]) -> None:
    """The result as a message, then each plot as a photo captioned with its name."""
    await bot.send_message(chat_id, text)
    for plot in plots:
        await bot.send_photo(chat_id, plot.read_bytes(), caption=plot.stem.replace("_", " "))


def telegram_audience(bot: Bot, admin_ids: frozenset[int]) -> Audience:
    """Telegram admins (ADMIN_IDS) hear about every finished run by private message."""

    async def send(admin_id: int, report: RunReport) -> None:
        await send_run_result(bot, admin_id, format_run_result(report), report.plots)  # a private chat's id is the user's id

    return Audience(PLATFORM, admin_ids, send)
