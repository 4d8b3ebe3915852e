"""Running the Discord bot next to the other front ends: start-up problems become one clear log line."""

import asyncio
import logging
from typing import Awaitable, Optional

import discord

from bot.core.admin import Admin
from bot.core.service import CityBot
from bot.discord.client import CityBotClient, build_discord_bot
from bot.discord.errors import BAD_TOKEN, INTENT_HELP, DiscordStartError, MissingIntent
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


async def run_discord_until(client: CityBotClient, token: str, stop: asyncio.Event) -> None:
    """Serve until `stop` is set; if Discord cannot start, wait for `stop` anyway so the other front ends keep serving."""
    runner = asyncio.create_task(run_discord(client, token), name="discord-client")
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([runner, stopping], return_when=asyncio.FIRST_COMPLETED)
        if runner.done() and isinstance(runner.exception(), DiscordStartError):
            log.error("the Discord bot is off until citybot restarts; Telegram and the web page keep serving")
            await stopping
            return
    finally:
        stopping.cancel()
        if not runner.done():
            await client.close()
    await runner


def discord_runner(settings: Settings, core: CityBot, admin: Admin, stop: asyncio.Event) -> Optional[Awaitable[None]]:
    """For `citybot serve`: the Discord bot to run in the same loop, or None (logged) when DISCORD_BOT_TOKEN is unset."""
    if not settings.discord_bot_token:
        log.info("DISCORD_BOT_TOKEN is not set: the Discord bot is off")
        return None
    client = build_discord_bot(core, admin, settings.discord_admin_ids, settings.discord_admin_role, int(settings.max_upload_mb * MB))
    return run_discord_until(client, settings.discord_bot_token, stop)
