"""Faults in one place: log with the traceback, tell the user something short and kind; start-up problems named."""

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
INTENT_HELP = (
    "Discord: citybot needs the Message Content intent to see the photos people post in servers. Enable it in the "
    "Developer Portal: https://discord.com/developers/applications → your application → Bot → Privileged Gateway "
    "Intents → MESSAGE CONTENT INTENT (save), then restart citybot."
)
BAD_TOKEN = "Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized): copy the bot token again from the Developer Portal (Bot → Reset Token)."


class DiscordStartError(Exception):
    """The Discord bot cannot start; the message says what to fix (and never contains the token)."""


class MissingIntent(DiscordStartError):
    """The application has not enabled the privileged Message Content intent in the Developer Portal."""

    def __init__(self) -> None:
        super().__init__(INTENT_HELP)


def require_message_content(application: discord.AppInfo) -> None:
    """Raise MissingIntent unless the portal grants the Message Content intent (full or, under 100 servers, limited)."""
    flags = application.flags
    if not (flags.gateway_message_content or flags.gateway_message_content_limited):
        raise MissingIntent()


async def apologise(interaction: discord.Interaction, error: BaseException) -> None:
    """Log a failed interaction with its traceback and answer the user briefly (ephemeral)."""
    log.error("error while handling a Discord interaction from user %s", interaction.user.id, exc_info=error)
    if interaction.response.is_done():
        await interaction.followup.send(APOLOGY, ephemeral=True)
    else:
        await interaction.response.send_message(APOLOGY, ephemeral=True)


async def apologise_for_event(event: str, args: tuple[Any, ...]) -> None:
    """Called from `on_error` inside the except block: log, and reply to the message that caused it, if any."""
    log.exception("error while handling Discord event %s", event)
    message = next((arg for arg in args if isinstance(arg, discord.Message)), None)
    if message is not None:
        await message.reply(APOLOGY, mention_author=False)
