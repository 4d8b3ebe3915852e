"""A text reply to one of the bot's answers: the city the photo really shows."""

import asyncio

import discord
from discord.ext import commands

from bot.core.errors import UnknownPrediction
from bot.core.formatting import format_label
from bot.discord.deps import PLATFORM, TEXT_LIMIT, DiscordDeps, user_ref
from storage.errors import UnknownCity


class Replies(commands.Cog):
    """Relabels from replies; in DMs, points plain text at what the bot does."""

    def __init__(self, bot: commands.Bot, deps: DiscordDeps) -> None:
        self.bot = bot
        self.deps = deps

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Match the typed name (case, accents, aliases, small typos) and store it; an unknown name stores nothing."""
        if message.author.bot or message.attachments:
            return  # attachments belong to the photos Cog
        reference = message.reference
        if reference is None or reference.message_id is None:
            if message.guild is None and message.content.strip():
                await message.reply("Send me a photo of a city — or /help to see what I can do.", mention_author=False)
            return
        replied = reference.resolved
        if isinstance(replied, discord.Message) and (self.bot.user is None or replied.author.id != self.bot.user.id):
            return  # a reply to someone else's message is none of our business
        user = user_ref(message.author, self.deps)
        reply_ref = f"{reference.channel_id}:{reference.message_id}"
        try:
            outcome = await asyncio.to_thread(self.deps.core.relabel_from_reply, PLATFORM, reply_ref, user, message.content)
        except UnknownCity as error:
            hint = "\nAdmins can add it with /addcity." if user.is_admin else ""
            await message.reply(f"{error}{hint}"[:TEXT_LIMIT], mention_author=False)
        except UnknownPrediction:
            if isinstance(replied, discord.Message):
                await message.reply("Reply to one of my answers to a photo to tell me the city.", mention_author=False)
        else:
            await message.reply(format_label(outcome), mention_author=False)


async def setup(bot: commands.Bot) -> None:
    """Load the Cog."""
    await bot.add_cog(Replies(bot, bot.deps))
