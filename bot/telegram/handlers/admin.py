"""Admin commands: /retrain, /status, /models, /rollback [version], /addcity NAME [aliases…].

The core checks the numeric id (ADMIN_IDS) and logs refusals; here a refusal is one short reply.
"""

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.admin_text import NOT_AUTHORISED, format_models, format_status
from bot.core.errors import NotAuthorised, UnknownVersion
from bot.telegram.deps import get_deps, user_ref
from bot.telegram.progress import watch_run_in_chat
from storage.errors import StorageError


async def retrain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue a training run (or say which one is running) and report how it goes."""
    deps = get_deps(context)
    message = update.effective_message
    asker = user_ref(update, deps)
    try:
        outcome = await asyncio.to_thread(deps.admin.retrain, asker, "bot")
    except NotAuthorised:
        await message.reply_text(NOT_AUTHORISED)
        return
    if outcome.started:
        await message.reply_text(f"Training queued (run {outcome.run_id}). I'll report progress and the result here.")
    else:
        await message.reply_text(f"Training is {outcome.message}; I'll send you its result too.")
    if outcome.run_id is not None:
        watch_run_in_chat(context.bot, deps, message.chat_id, outcome.run_id, asker)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Live model, label counts, pending photos and the last runs."""
    deps = get_deps(context)
    await _reply_admin(update, lambda: format_status(deps.admin.status(user_ref(update, deps))))


async def models(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every model version with its status and accuracy."""
    deps = get_deps(context)
    await _reply_admin(update, lambda: format_models(deps.admin.models(user_ref(update, deps))))


async def rollback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make the previous (or the named) version live again."""
    deps = get_deps(context)
    version = context.args[0] if context.args else None
    await _reply_admin(update, lambda: deps.admin.rollback(user_ref(update, deps), version))


async def add_city(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a city (first word or quoted name) with optional aliases; it is learned at the next training run."""
    deps = get_deps(context)
    if not context.args:
        await update.effective_message.reply_text("Usage: /addcity NAME [ALIAS…] — e.g. /addcity Munich München")
        return
    name, *aliases = context.args

    def add() -> str:
        city = deps.admin.add_city(user_ref(update, deps), name, aliases)
        also = f" (also {', '.join(city.aliases)})" if city.aliases else ""
        return f"Added {city.name}{also}. Send photos captioned {city.name}, then /retrain."

    await _reply_admin(update, add)


async def _reply_admin(update: Update, action) -> None:
    try:
        text = await asyncio.to_thread(action)
    except NotAuthorised:
        text = NOT_AUTHORISED
    except (UnknownVersion, StorageError) as error:
        text = str(error)
    await update.effective_message.reply_text(text[:4096])
