"""A tap on a button under an answer: store the tapping user's label and show what was recorded."""

import asyncio

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.errors import UnknownPrediction
from bot.core.formatting import TELEGRAM_TEXT_LIMIT, format_label
from bot.telegram.deps import get_deps, user_ref
from bot.telegram.keyboards import parse_answer
from storage.errors import UnknownCity

RECORDED_MARK = "\n\n✔ "  # separates the answer from the line saying what was recorded


async def record_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the label (committed before we say so) and edit the answer to show it; another tap changes it."""
    query = update.callback_query
    parsed = parse_answer(query.data or "")
    if parsed is None:
        await query.answer()
        return
    deps = get_deps(context)
    user = user_ref(update, deps)
    try:
        outcome = await asyncio.to_thread(deps.core.answer_choice, parsed[0], user, parsed[1])
    except (UnknownPrediction, UnknownCity) as error:
        await query.answer(str(error), show_alert=True)
        return
    saved = format_label(outcome)
    await query.answer(saved)
    message = query.message
    if message is None or not outcome.changed or message.text is None:
        return
    answer_text = message.text.split(RECORDED_MARK, 1)[0]
    who = update.effective_user.first_name or "you"
    text = f"{answer_text}{RECORDED_MARK}{who}: {saved}"[:TELEGRAM_TEXT_LIMIT]
    try:
        await message.edit_text(text, reply_markup=message.reply_markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
