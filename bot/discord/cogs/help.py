"""/help, /cities and /stats."""

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.admin_text import format_stats
from bot.core.formatting import format_cities, format_cold_start
from bot.discord.deps import TEXT_LIMIT, DiscordDeps, user_ref

HELP = (
    "Post a photo of a city (or several) and I'll tell you which city I think each one is, with every city I know ranked.\n"
    "• Tap a button under my answer to confirm or correct it (or reply to my answer with the city's name).\n"
    "• Post a photo with the city's name as the message text to teach me.\n"
    "• /cities — the cities I know\n"
    "• /stats — what you contributed and how good I am\n"
    "• /forget — delete your photos and labels"
)
ADMIN_HELP = "\nAdmins: /retrain, /status, /models, /rollback [version], /addcity name [aliases]"


class Help(commands.Cog):
    """How to use the bot, what it knows, what you gave it."""

    def __init__(self, deps: DiscordDeps) -> None:
        self.deps = deps

    @app_commands.command(name="help", description="How to use citybot, and the cities it knows")
    async def help_command(self, interaction: discord.Interaction) -> None:
        """How to use the bot, the cities, and (before the first model) what it still needs."""
        user = user_ref(interaction.user, self.deps)
        cities = await asyncio.to_thread(self.deps.core.cities)
        cold = await asyncio.to_thread(self.deps.core.cold_start)
        text = HELP + "\n\n" + format_cities([city.name for city in cities], TEXT_LIMIT)
        if user.is_admin:
            text += ADMIN_HELP
        if not cold.live:
            text += "\n\n" + format_cold_start(cold, for_admin=user.is_admin, max_length=TEXT_LIMIT)
        await interaction.response.send_message(text[:TEXT_LIMIT], ephemeral=True)

    @app_commands.command(name="cities", description="The cities citybot knows, with aliases and example counts")
    async def cities(self, interaction: discord.Interaction) -> None:
        """The cities with their aliases and how many labelled examples each has."""
        known = await asyncio.to_thread(self.deps.core.cities)
        lines = [
            city.name + (f" (also {', '.join(city.aliases)})" if city.aliases else "") + f" — {city.examples} examples"
            for city in known
        ]
        await interaction.response.send_message(("\n".join(lines) or "I don't know any cities yet.")[:TEXT_LIMIT], ephemeral=True)

    @app_commands.command(name="stats", description="What you contributed, the totals, and the live model's accuracy")
    async def stats(self, interaction: discord.Interaction) -> None:
        """The user's contributions, the totals and the live model's accuracy."""
        result = await asyncio.to_thread(self.deps.core.user_stats, user_ref(interaction.user, self.deps))
        await interaction.response.send_message(format_stats(result, TEXT_LIMIT), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the Cog."""
    await bot.add_cog(Help(bot.deps))
