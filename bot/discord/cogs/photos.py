"""Image attachments (one or several): rank every city with buttons, or learn it when the message text names one."""

import asyncio
import logging
import re
from typing import Optional

import discord
from discord.ext import commands

from bot.core.errors import NotTrained, RateLimited
from bot.core.formatting import format_cities, format_cold_start, format_ranking, format_taught
from bot.core.users import UserRef
from bot.discord.answers import answer_view
from bot.discord.attachments import Refused, check_attachment, check_size
from bot.discord.deps import PLATFORM, TEXT_LIMIT, DiscordDeps, message_ref, user_ref
from bot.discord.text import FENCE_COST, monospace_ranking
from storage.errors import BadImage, UnknownCity

log = logging.getLogger(__name__)


class Photos(commands.Cog):
    """Answers every message that carries attachments."""

    def __init__(self, bot: commands.Bot, deps: DiscordDeps) -> None:
        self.bot = bot
        self.deps = deps

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Each attachment gets its own answer, in the order they were posted."""
        if message.author.bot or not message.attachments:
            return
        user = user_ref(message.author, self.deps)
        caption = self._caption(message)
        for index, attachment in enumerate(message.attachments):
            source_ref = f"{message_ref(message)}:{index}"
            if source_ref in self.deps.in_flight:
                continue  # the same message delivered twice: the first delivery is answering it right now
            self.deps.in_flight.add(source_ref)
            try:
                await self._answer_one(message, attachment, user, caption, source_ref)
            finally:
                self.deps.in_flight.discard(source_ref)

    async def _answer_one(self, message: discord.Message, attachment: discord.Attachment, user: UserRef, caption: str, source_ref: str) -> None:
        try:
            check_attachment(attachment, self.deps.max_download_bytes)
            data = await attachment.read()
            check_size(attachment.filename, len(data), self.deps.max_download_bytes)  # in case the declared size was wrong
        except Refused as refusal:
            await message.reply(str(refusal), mention_author=False)
            return
        core = self.deps.core
        note: Optional[str] = None
        try:
            if caption:
                try:
                    taught = await asyncio.to_thread(core.teach, data, caption, user, PLATFORM, source_ref)
                except UnknownCity:
                    cities = await asyncio.to_thread(core.cities)
                    note = f"(I don't know a city called {caption!r}, so I didn't learn from it. {format_cities([c.name for c in cities])})"
                else:
                    if not taught.duplicate:
                        text = format_taught(taught, TEXT_LIMIT - FENCE_COST)
                        await message.reply(monospace_ranking(text, [city for city, _ in taught.ranking or []]), mention_author=False)
                    return
            answer = await asyncio.to_thread(core.classify, data, user, PLATFORM, source_ref)
        except BadImage as error:
            await message.reply(f"Sorry, I can't use {attachment.filename}: {error}.", mention_author=False)
        except RateLimited as error:
            await message.reply(str(error), mention_author=False)
        except NotTrained:
            cold = await asyncio.to_thread(core.cold_start)
            await message.reply(format_cold_start(cold, for_admin=user.is_admin, max_length=TEXT_LIMIT), mention_author=False)
        else:
            if answer.duplicate and answer.reply_ref is not None:
                log.info("message %s redelivered; already answered", source_ref)
                return
            limit = TEXT_LIMIT - FENCE_COST - (len(note) + 1 if note else 0)
            text = format_ranking(answer.ranking, answer.model_version, answer.sure, max_length=limit)
            text = monospace_ranking(text, [city for city, _ in answer.ranking])
            sent = await message.reply(
                f"{text}\n{note}" if note else text, view=answer_view(answer.prediction_id, answer.ranking), mention_author=False
            )
            await asyncio.to_thread(core.attach_reply, answer.prediction_id, message_ref(sent))

    def _caption(self, message: discord.Message) -> str:
        """The message text without mentions of the bot (people write "@citybot Munich")."""
        text = message.content
        if self.bot.user is not None:
            text = re.sub(rf"<@!?{self.bot.user.id}>", "", text)
        return text.strip()


async def setup(bot: commands.Bot) -> None:
    """Load the Cog."""
    await bot.add_cog(Photos(bot, bot.deps))
