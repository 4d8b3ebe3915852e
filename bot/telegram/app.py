"""Building the python-telegram-bot Application: every handler registered in one readable block."""

from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.telegram.deps import DEPS_KEY, TelegramDeps
from bot.telegram.errors import on_error
from bot.telegram.handlers import admin, commands, forget, photo, reply, taps
from bot.telegram.keyboards import ANSWER_PREFIX
from bot.telegram.ratelimiter import RetryingRateLimiter

CONCURRENT_UPDATES = 8  # photos from different users are classified side by side


def build_application(token: str, deps: TelegramDeps, base_url: str, base_file_url: str) -> Application:
    """The bot, pointed at `base_url` (the public Bot API, a self-hosted one, or a test fake)."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .rate_limiter(RetryingRateLimiter(max_retries=3))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_stop(_cancel_watchers)
        .build()
    )
    application.bot_data[DEPS_KEY] = deps
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    """Every user action and its handler, in one place."""
    application.add_handler(CommandHandler("start", commands.start))
    application.add_handler(CommandHandler("help", commands.help_command))
    application.add_handler(CommandHandler("cities", commands.cities))
    application.add_handler(CommandHandler("stats", commands.stats))
    application.add_handler(CommandHandler("forget", forget.ask_to_forget))
    application.add_handler(CommandHandler("retrain", admin.retrain))
    application.add_handler(CommandHandler("status", admin.status))
    application.add_handler(CommandHandler("models", admin.models))
    application.add_handler(CommandHandler("rollback", admin.rollback))
    application.add_handler(CommandHandler("addcity", admin.add_city))
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, photo.classify_photo))
    application.add_handler(MessageHandler(filters.Document.ALL, photo.refuse_document))
    application.add_handler(MessageHandler(filters.TEXT & filters.REPLY & ~filters.COMMAND, reply.relabel_from_reply))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, commands.hint))
    application.add_handler(CallbackQueryHandler(taps.record_tap, pattern=f"^{ANSWER_PREFIX}:"))
    application.add_handler(CallbackQueryHandler(forget.confirm_forget, pattern="^forget:"))
    application.add_error_handler(on_error)


async def _cancel_watchers(application: Application) -> None:
    for task in list(application.bot_data[DEPS_KEY].watchers):
        task.cancel()
