"""/forget: after a confirmation button, delete the user's labels and the photos nobody else labelled."""

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.deps import get_deps, user_ref
from bot.telegram.keyboards import FORGET_YES, forget_keyboard


async def ask_to_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation; nothing is deleted yet."""
    await update.effective_message.reply_text(
        "Delete all your labels and the photos you sent that nobody else labelled? This cannot be undone.",
        reply_markup=forget_keyboard(),
    )


async def confirm_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete on "yes" (only the tapping user's own data), or leave everything on "cancel"."""
    query = update.callback_query
    await query.answer()
    if query.data != FORGET_YES:
        await query.edit_message_text("Nothing was deleted.")
        return
    deps = get_deps(context)
    gone = await asyncio.to_thread(deps.core.forget, user_ref(update, deps))
    await query.edit_message_text(f"Done: deleted {gone.labels} label(s) and {gone.photos} photo(s) of yours.")
