"""What every Telegram handler needs, kept in `application.bot_data`, and small helpers to reach it."""

import asyncio
from dataclasses import dataclass, field
from typing import Optional

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.admin import Admin
from bot.core.service import CityBot
from bot.core.users import UserRef

PLATFORM = "telegram"
DEPS_KEY = "citybot"
BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the public Bot API refuses getFile above 20 MB


@dataclass
class TelegramDeps:
    """The core, the admin actions and the Telegram-only options."""

    core: CityBot
    admin: Admin
    admin_ids: frozenset[int]
    max_download_bytes: int = BOT_API_DOWNLOAD_LIMIT
    progress_every: float = 60.0  # seconds between progress messages during /retrain
    poll_every: float = 2.0  # seconds between looks at a running training run
    in_flight: set[str] = field(default_factory=set)  # messages being handled now (a redelivery waits its turn)
    watchers: set[asyncio.Task] = field(default_factory=set)  # /retrain watchers, cancelled on shutdown


def get_deps(context: ContextTypes.DEFAULT_TYPE) -> TelegramDeps:
    """The deps stored by `build_application`."""
    return context.application.bot_data[DEPS_KEY]


def user_ref(update: Update, deps: TelegramDeps) -> UserRef:
    """The sender as the core sees them; admin only by numeric id, never by username."""
    user = update.effective_user
    return UserRef(PLATFORM, str(user.id), user.full_name or user.username, user.id in deps.admin_ids)


def message_ref(message: Optional[Message]) -> str:
    """'chat:message' — how predictions find their photo and their answer again."""
    return f"{message.chat_id}:{message.message_id}"
