"""The Discord bot: intents, the Cogs, persistent buttons, slash-command sync, one place for errors."""

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.admin import Admin
from bot.core.service import CityBot
from bot.discord.answers import AnswerButton
from bot.discord.deps import DiscordDeps
from bot.discord.errors import apologise, apologise_for_event, require_message_content

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord.cogs.photos",
    "bot.discord.cogs.replies",
    "bot.discord.cogs.help",
    "bot.discord.cogs.forget",
    "bot.discord.cogs.admin",
)


class CityBotClient(commands.Bot):
    """discord.py's Bot with citybot's Cogs; everything it knows about the world is in `deps`."""

    def __init__(self, deps: DiscordDeps) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: attachments and text of server messages
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.deps = deps

    async def setup_hook(self) -> None:
        """After login, before the gateway: check the intent, load the Cogs, register buttons, sync slash commands."""
        require_message_content(self.application)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(AnswerButton)
        self.tree.error(self.on_app_command_error)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the Cogs' listeners handle messages, slash commands the rest."""

    async def on_ready(self) -> None:
        """Say who we are once connected."""
        log.info("Discord bot connected as %s (id %s)", self.user, self.user.id if self.user else "?")

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Any listener that raised: log with the traceback and apologise to the message's author."""
        await apologise_for_event(event_method, args)

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """A slash command that raised: log and apologise privately."""
        await apologise(interaction, getattr(error, "original", error))

    async def close(self) -> None:
        """Stop watching training runs, then disconnect."""
        for task in list(self.deps.watchers):
            task.cancel()
        await asyncio.gather(*self.deps.watchers, return_exceptions=True)
        await super().close()


def build_discord_bot(
    core: CityBot,
    admin: Admin,
    admin_ids: list[int],
    admin_role: str | None,
    max_download_bytes: int,
) -> CityBotClient:
    """The Discord bot over the shared core (settings are read by the caller)."""
    deps = DiscordDeps(core=core, admin=admin, admin_ids=frozenset(admin_ids), admin_role=admin_role, max_download_bytes=max_download_bytes)
    return CityBotClient(deps)
