"""The one error handler: log the fault with its traceback, tell the user something short and kind."""

import logging

from telegram import Update
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with exc_info; apologise where there is someone to apologise to."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        await update.callback_query.answer(APOLOGY, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(APOLOGY)
