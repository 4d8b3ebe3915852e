"""Admin commands: /retrain, /status, /models, /rollback [version], /addcity name [aliases].

Admins are Discord user ids in DISCORD_ADMIN_IDS, or members holding the role named DISCORD_ADMIN_ROLE.
The core checks the flag and logs refusals with the user id; here a refusal is one short private reply.
"""

import asyncio
from typing import Callable, Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.admin_text import NOT_AUTHORISED, format_models, format_status
from bot.core.errors import NotAuthorised, UnknownVersion
from bot.discord.deps import TEXT_LIMIT, DiscordDeps, user_ref
from bot.discord.progress import watch_run_in_channel
from storage.errors import StorageError


class Admin(commands.Cog):
    """Retrain, inspect and roll back — for admins only."""

    def __init__(self, deps: DiscordDeps) -> None:
        self.deps = deps

    @app_commands.command(name="retrain", description="Admins: train a new model now and report how it goes")
    async def retrain(self, interaction: discord.Interaction) -> None:
        """Queue a training run (or say which one is running) and report progress and the result in this channel."""
        user = user_ref(interaction.user, self.deps)
        await interaction.response.defer(ephemeral=not user.is_admin, thinking=True)
        try:
            outcome = await asyncio.to_thread(self.deps.admin.retrain, user, "bot")
        except NotAuthorised:
            await interaction.followup.send(NOT_AUTHORISED, ephemeral=True)
            return
        if outcome.started:
            await interaction.followup.send(f"Training queued (run {outcome.run_id}). I'll report progress and the result here.")
        else:
            await interaction.followup.send(f"Training is {outcome.message}; I'll send its result here too.")
        if outcome.run_id is not None and interaction.channel is not None:
            watch_run_in_channel(interaction.channel, self.deps, outcome.run_id, user)

    @app_commands.command(name="status", description="Admins: live model, label counts, pending photos, last runs")
    async def status(self, interaction: discord.Interaction) -> None:
        """Live model, label counts, pending photos and the last runs."""
        user = user_ref(interaction.user, self.deps)
        await self._reply(interaction, lambda: format_status(self.deps.admin.status(user), TEXT_LIMIT))

    @app_commands.command(name="models", description="Admins: every model version with status and accuracy")
    async def models(self, interaction: discord.Interaction) -> None:
        """Every model version with its status and accuracy."""
        user = user_ref(interaction.user, self.deps)
        await self._reply(interaction, lambda: format_models(self.deps.admin.models(user), TEXT_LIMIT))

    @app_commands.command(name="rollback", description="Admins: make the previous (or the named) model version live again")
    @app_commands.describe(version="the version to make live; the previous live one if left out")
    async def rollback(self, interaction: discord.Interaction, version: Optional[str] = None) -> None:
        """Make the previous (or the named) version live again."""
        user = user_ref(interaction.user, self.deps)
        await self._reply(interaction, lambda: self.deps.admin.rollback(user, version))

    @app_commands.command(name="addcity", description="Admins: add a city (learned at the next training run)")
    @app_commands.describe(name="the city's name", aliases="other names people use, separated by commas")
    async def add_city(self, interaction: discord.Interaction, name: str, aliases: Optional[str] = None) -> None:
        """Add a city with optional comma-separated aliases."""
        user = user_ref(interaction.user, self.deps)
        others = [alias.strip() for alias in (aliases or "").split(",") if alias.strip()]

        def add() -> str:
            city = self.deps.admin.add_city(user, name, others)
            also = f" (also {', '.join(city.aliases)})" if city.aliases else ""
            return f"Added {city.name}{also}. Post photos with {city.name} as the message text, then /retrain."

        await self._reply(interaction, add)

    async def _reply(self, interaction: discord.Interaction, action: Callable[[], str]) -> None:
        is_admin = user_ref(interaction.user, self.deps).is_admin
        await interaction.response.defer(ephemeral=not is_admin, thinking=True)
        try:
            text = await asyncio.to_thread(action)
        except NotAuthorised:
            text = NOT_AUTHORISED
        except (UnknownVersion, StorageError) as error:
            text = str(error)
        await interaction.followup.send(text[:TEXT_LIMIT], ephemeral=not is_admin)


async def setup(bot: commands.Bot) -> None:
    """Load the Cog."""
    await bot.add_cog(Admin(bot.deps))
