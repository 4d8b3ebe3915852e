"""A text reply to one of the bot's answers: the city the photo really shows."""

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.errors import UnknownPrediction
from bot.core.formatting import format_label
from bot.telegram.deps import PLATFORM, get_deps, message_ref, user_ref
from storage.errors import UnknownCity


async def relabel_from_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Match the typed name (case, accents, aliases, small typos) and store it; an unknown name stores nothing."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied.from_user is None or replied.from_user.id != context.bot.id:
        return  # a reply to someone else's message is none of our business
    deps = get_deps(context)
    user = user_ref(update, deps)
    try:
        outcome = await asyncio.to_thread(deps.core.relabel_from_reply, PLATFORM, message_ref(replied), user, message.text)
    except UnknownCity as error:
        hint = "\nAdmins can add it with /addcity NAME." if user.is_admin else ""
        await message.reply_text(f"{error}{hint}", do_quote=True)
    except UnknownPrediction:
        await message.reply_text("Reply to one of my answers to a photo to tell me the city.", do_quote=True)
    else:
        await message.reply_text(format_label(outcome), do_quote=True)
