"""What every Cog needs (the core, admin actions, who is an admin) and how Discord things map onto the core's."""

import asyncio
from dataclasses import dataclass, field
from typing import Optional, Union

import discord

from bot.core.admin import Admin
from bot.core.service import CityBot
from bot.core.users import UserRef

PLATFORM = "discord"
TEXT_LIMIT = 2000  # Discord refuses longer message content


@dataclass
class DiscordDeps:
    """The core, the admin actions and the Discord-only options."""

    core: CityBot
    admin: Admin
    admin_ids: frozenset[int]
    admin_role: Optional[str] = None  # members with a role of this name are admins too (guilds only)
    max_download_bytes: int = 20 * 1024 * 1024
    progress_every: float = 60.0  # seconds between progress messages during /retrain
    poll_every: float = 2.0  # seconds between looks at a running training run
    watchers: set[asyncio.Task] = field(default_factory=set)  # /retrain watchers, cancelled on shutdown
    in_flight: set[str] = field(default_factory=set)  # attachments being answered now (a redelivered message waits its turn)


def is_admin(person: Union[discord.User, discord.Member], deps: DiscordDeps) -> bool:
    """Admin by numeric id, or by holding the admin role in this guild; never by name or nickname."""
    if person.id in deps.admin_ids:
        return True
    roles = getattr(person, "roles", None) or []
    return deps.admin_role is not None and any(role.name == deps.admin_role for role in roles)


def user_ref(person: Union[discord.User, discord.Member], deps: DiscordDeps) -> UserRef:
    """The Discord user as the core sees them (platform "discord", their numeric id)."""
    return UserRef(PLATFORM, str(person.id), person.display_name, is_admin(person, deps))


def message_ref(message: Union[discord.Message, discord.PartialMessage]) -> str:
    """'channel:message' — how predictions find the bot's answer again."""
    return f"{message.channel.id}:{message.id}"
