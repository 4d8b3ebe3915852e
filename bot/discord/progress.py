"""Discord's side of run reports: the watcher for the admin who asked, and announcements to every admin by DM."""

from pathlib import Path
from typing import Callable, Optional

import discord

from bot.core.admin import RunReport
from bot.core.admin_text import format_run_result
from bot.core.run_announcer import Audience
from bot.core.run_watch import start_watcher, watch_run
from bot.core.users import UserRef
from bot.discord.deps import PLATFORM, TEXT_LIMIT, DiscordDeps

FILES_PER_MESSAGE = 10  # Discord refuses more attachments in one message


def watch_run_in_channel(channel: discord.abc.Messageable, deps: DiscordDeps, run_id: int, asker: UserRef) -> None:
    """Report run `run_id` in `channel` in the background; the announcer then leaves `asker` out."""
    deps.admin.watched.add(run_id, asker)

    async def send_text(text: str) -> None:
        await channel.send(text)

    async def send_result(text: str, plots: list[Path]) -> None:
        await send_run_result(channel, text, plots)

    watching = watch_run(deps.admin, run_id, send_text, send_result, deps.poll_every, deps.progress_every, TEXT_LIMIT)
    start_watcher(deps.watchers, watching, f"discord-watch-run-{run_id}")


async def send_run_result(destination: discord.abc.Messageable, text: str, plots: list[Path]) -> None:
    """The result with its plots attached, in one message."""
    files = [discord.File(plot, filename=plot.name) for plot in plots[:FILES_PER_MESSAGE]]
    await destination.send(text, files=files)


def discord_audience(current_client: Callable[[], Optional[discord.Client]], admin_ids: frozenset[int]) -> Audience:
    """Discord admins (DISCORD_ADMIN_IDS) hear about every finished run by DM, through the client serving now."""

    async def send(admin_id: int, report: RunReport) -> None:
        client = current_client()
        if client is None or client.is_closed() or client.user is None:  # DMs go over REST: logged in is enough
            raise ConnectionError("the Discord bot is not logged in")
        channel = await client.create_dm(discord.Object(admin_id))
        await send_run_result(channel, format_run_result(report, TEXT_LIMIT), report.plots)

    return Audience(PLATFORM, admin_ids, send)
