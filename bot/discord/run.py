"""Running the Discord bot next to the other front ends: start-up problems become one clear log line."""

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable, Optional

import discord

from bot.core.admin import Admin
from bot.core.run_announcer import RunAnnouncer
from bot.core.service import CityBot
from bot.discord.client import CityBotClient, build_discord_bot
from bot.discord.errors import BAD_TOKEN, INTENT_HELP, DiscordStartError, MissingIntent
from bot.discord.progress import discord_audience
from bot.settings import Settings

log = logging.getLogger(__name__)

MB = 1024 * 1024


async def run_discord(client: CityBotClient, token: str) -> None:
    """Log in, connect and serve until the client is closed; raise DiscordStartError (token-free) if it cannot start."""
    try:
        async with client:
            await client.start(token)
    except MissingIntent as error:
        log.error("%s", error)
        raise
    except discord.PrivilegedIntentsRequired:
        log.error("%s", INTENT_HELP)  # the gateway refused (4014): the portal setting changed after start-up
        raise DiscordStartError(INTENT_HELP) from None
    except discord.LoginFailure:
        log.error("%s", BAD_TOKEN)
        raise DiscordStartError(BAD_TOKEN) from None


async def run_discord_until(
    make_client: Callable[[], CityBotClient], token: str, stop: asyncio.Event, retry_first: float = 5.0, retry_max: float = 300.0
) -> None:
    """Serve until `stop`, reconnecting with backoff when Discord is unreachable; a start-up problem needs a restart.

    Either way the coroutine waits for `stop`, so the other front ends in `citybot serve` keep serving.
    """
    delay = retry_first
    while not stop.is_set():
        client = make_client()  # a closed discord.py client cannot start again
        runner = asyncio.create_task(run_discord(client, token), name="discord-client")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([runner, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not runner.done():
            await client.close()
            await asyncio.gather(runner, return_exceptions=True)
            return
        error = runner.exception()
        if isinstance(error, DiscordStartError):
            log.error("the Discord bot is off until citybot restarts; the other front ends keep serving")
            await stop.wait()
            return
        if client.application_id is not None:
            delay = retry_first  # it had logged in, so this is a new failure, not the same outage again
        log.error("the Discord bot stopped (%s); trying again in %.0f s", type(error).__name__ if error else "closed", delay, exc_info=error)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, retry_max)


def discord_runner(
    settings: Settings, core: CityBot, admin: Admin, stop: asyncio.Event, announcer: Optional[RunAnnouncer] = None
) -> Awaitable[None]:
    """For `citybot serve` (which checks DISCORD_BOT_TOKEN is set): the Discord bot to run in the same loop.

    With `announcer`, DISCORD_ADMIN_IDS hear about every finished training run by DM.
    """
    serving: list[CityBotClient] = []  # the client of the current connection (a new one after each reconnect)

    def make_client() -> CityBotClient:
        client = build_discord_bot(core, admin, settings.discord_admin_ids, settings.discord_admin_role, int(settings.max_upload_mb * MB))
        serving[:] = [client]
        return client

    if announcer is not None:
        announcer.add_audience(discord_audience(lambda: serving[0] if serving else None, frozenset(settings.discord_admin_ids)))

    return run_discord_until(make_client, settings.discord_bot_token, stop)
