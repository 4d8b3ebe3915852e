"""/forget: after a confirmation button, delete the user's labels and the photos nobody else labelled."""

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.deps import DiscordDeps, user_ref
from bot.discord.errors import apologise

QUESTION = "Delete all your labels and the photos you sent that nobody else labelled? This cannot be undone."


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button], template=r"citybot:forget:(?P<user>\d+):(?P<choice>yes|no)"):
    """"Yes, delete my data" or "Cancel"; the custom id names the user who asked, so nobody else can confirm."""

    def __init__(self, user_id: int, confirmed: bool) -> None:
        label, style = ("Yes, delete my data", discord.ButtonStyle.danger) if confirmed else ("Cancel", discord.ButtonStyle.secondary)
        custom_id = f"citybot:forget:{user_id}:{'yes' if confirmed else 'no'}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.user_id = user_id
        self.confirmed = confirmed

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any) -> "ForgetButton":
        """Rebuild the button from a tap (also after a restart)."""
        return cls(int(match["user"]), match["choice"] == "yes")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Delete on "yes" (only the tapping user's own data), or leave everything on "cancel"."""
        try:
            await self._confirm(interaction)
        except Exception as error:
            await apologise(interaction, error)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message("Only the person who asked can answer this.", ephemeral=True)
            return
        if not self.confirmed:
            await interaction.response.edit_message(content="Nothing was deleted.", view=None)
            return
        deps = interaction.client.deps
        gone = await asyncio.to_thread(deps.core.forget, user_ref(interaction.user, deps))
        await interaction.response.edit_message(content=f"Done: deleted {gone.labels} label(s) and {gone.photos} photo(s) of yours.", view=None)


class Forget(commands.Cog):
    """Consent and deletion."""

    def __init__(self, deps: DiscordDeps) -> None:
        self.deps = deps

    @app_commands.command(name="forget", description="Delete your photos and labels (asks first)")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation; nothing is deleted yet."""
        view = discord.ui.View(timeout=None)
        view.add_item(ForgetButton(interaction.user.id, True))
        view.add_item(ForgetButton(interaction.user.id, False))
        await interaction.response.send_message(QUESTION, view=view, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the Cog and make its buttons work across restarts."""
    bot.add_dynamic_items(ForgetButton)
    await bot.add_cog(Forget(bot.deps))
