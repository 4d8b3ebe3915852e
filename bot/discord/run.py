"""Running the Discord bot next to the other front ends: start-up problems become one clear log line."""

import logging

import discord

from bot.discord.client import CityBotClient
from bot.discord.errors import BAD_TOKEN, INTENT_HELP, DiscordStartError, MissingIntent

log = logging.getLogger(__name__)


async def run_discord(client: CityBotClient, token: str) -> None:
    """Log in, connect and serve until cancelled or closed; raise DiscordStartError (token-free) if it cannot start."""
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
