"""/start, /help, /cities and /stats — and a hint for plain text that is not a reply."""

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.admin_text import format_stats
from bot.core.formatting import format_cities, format_cold_start
from bot.telegram.deps import get_deps, user_ref

HELP = (
    "Send me a photo of a city and I'll tell you which city I think it is, with every city I know ranked.\n"
    "• Tap a button under my answer to confirm or correct it (or reply to my answer with the city's name).\n"
    "• Send a photo with the city as its caption to teach me.\n"
    "• /cities — the cities I know\n"
    "• /stats — what you contributed and how good I am\n"
    "• /forget — delete your photos and labels"
)
ADMIN_HELP = "\nAdmins: /retrain, /status, /models, /rollback [version], /addcity NAME [aliases…]"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, explain, and say whether a model is live yet."""
    deps = get_deps(context)
    user = user_ref(update, deps)
    cold = await asyncio.to_thread(deps.core.cold_start)
    text = "Hi! I'm citybot. " + HELP
    if not cold.live:
        text += "\n\n" + format_cold_start(cold, for_admin=user.is_admin)
    await update.effective_message.reply_text(text)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to use the bot, and the cities it knows."""
    deps = get_deps(context)
    cities = await asyncio.to_thread(deps.core.cities)
    text = HELP + "\n\n" + format_cities([city.name for city in cities])
    if user_ref(update, deps).is_admin:
        text += ADMIN_HELP
    await update.effective_message.reply_text(text)


async def cities(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The cities with their aliases and how many labelled examples each has."""
    deps = get_deps(context)
    known = await asyncio.to_thread(deps.core.cities)
    if not known:
        await update.effective_message.reply_text("I don't know any cities yet.")
        return
    lines = [
        f"{city.name}" + (f" (also {', '.join(city.aliases)})" if city.aliases else "") + f" — {city.examples} examples"
        for city in known
    ]
    await update.effective_message.reply_text("\n".join(lines)[:4096])


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user's contributions, the totals and the live model's accuracy."""
    deps = get_deps(context)
    result = await asyncio.to_thread(deps.core.user_stats, user_ref(update, deps))
    await update.effective_message.reply_text(format_stats(result))


async def hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text that is not a reply to an answer: point at what the bot does."""
    await update.effective_message.reply_text("Send me a photo of a city — or /help to see what I can do.")
