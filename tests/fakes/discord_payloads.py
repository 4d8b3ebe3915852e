"""Gateway and REST payloads shaped like Discord's, for the fake Discord API to send to discord.py."""

import itertools
import time
from datetime import datetime, timezone
from typing import Any, Optional

DISCORD_EPOCH_MS = 1420070400000
MESSAGE_CONTENT_INTENT = 1 << 15
APP_FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19

_counter = itertools.count(1)


def snowflake() -> int:
    """A fresh, increasing Discord id (time-based like the real ones, so `created_at` makes sense)."""
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def now_iso() -> str:
    """The current time the way Discord writes timestamps."""
    return datetime.now(timezone.utc).isoformat()


def user(user_id: int, name: str, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0", "avatar": None, "bot": bot}


def member(person: dict[str, Any], role_ids: list[int]) -> dict[str, Any]:
    """A guild member object wrapping `person`."""
    return {
        "user": person,
        "roles": [str(role_id) for role_id in role_ids],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": "2147483647",
    }


def role(role_id: int, name: str, position: int) -> dict[str, Any]:
    """A guild role object."""
    return {"id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}


def text_channel(channel_id: int, guild_id: int, name: str) -> dict[str, Any]:
    """A guild text channel object."""
    return {"id": str(channel_id), "guild_id": str(guild_id), "type": 0, "name": name, "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None}


def guild(guild_id: int, name: str, roles: list[dict[str, Any]], channels: list[dict[str, Any]]) -> dict[str, Any]:
    """A full GUILD_CREATE guild object (no members: the bot does not ask for the members intent)."""
    return {
        "id": str(guild_id), "name": name, "icon": None, "owner_id": "1", "unavailable": False,
        "roles": roles, "channels": channels, "threads": [], "members": [], "member_count": 2,
        "emojis": [], "stickers": [], "features": [], "large": False, "voice_states": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [], "premium_tier": 0,
        "mfa_level": 0, "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "afk_timeout": 300, "system_channel_flags": 0, "preferred_locale": "en-US", "nsfw_level": 0,
    }


def application(app_id: int, owner: dict[str, Any], flags: int) -> dict[str, Any]:
    """The application object returned by GET /oauth2/applications/@me."""
    return {
        "id": str(app_id), "name": "citybot", "description": "", "icon": None, "bot_public": True,
        "bot_require_code_grant": False, "owner": owner, "verify_key": "0" * 64, "flags": flags,
        "summary": "", "team": None, "rpc_origins": [],
    }


def attachment(attachment_id: int, filename: str, size: int, content_type: Optional[str], url: str) -> dict[str, Any]:
    """A message attachment whose (CDN) url points at the fake."""
    found = {"id": str(attachment_id), "filename": filename, "size": size, "url": url, "proxy_url": url}
    if content_type is not None:
        found["content_type"] = content_type
    return found


def message(
    message_id: int,
    channel_id: int,
    author: dict[str, Any],
    content: str,
    guild_id: Optional[int] = None,
    author_member: Optional[dict[str, Any]] = None,
    attachments: Optional[list[dict[str, Any]]] = None,
    reference: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """A message object (as in MESSAGE_CREATE and REST replies)."""
    found: dict[str, Any] = {
        "id": str(message_id), "channel_id": str(channel_id), "author": author, "content": content,
        "timestamp": now_iso(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
        "mentions": [], "mention_roles": [], "attachments": attachments or [], "embeds": [], "components": [],
        "pinned": False, "type": 0 if reference is None else 19, "flags": 0,
    }
    if guild_id is not None:
        found["guild_id"] = str(guild_id)
    if author_member is not None:
        found["member"] = {key: value for key, value in author_member.items() if key != "user"}
    if reference is not None:
        found["message_reference"] = {"message_id": reference["id"], "channel_id": reference["channel_id"], "type": 0}
        found["referenced_message"] = reference
    return found


def interaction(
    interaction_id: int,
    app_id: int,
    kind: int,
    data: dict[str, Any],
    channel: dict[str, Any],
    person: dict[str, Any],
    guild_id: Optional[int] = None,
    person_member: Optional[dict[str, Any]] = None,
    on_message: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: kind 2 is a slash command, 3 a button tap."""
    found: dict[str, Any] = {
        "id": str(interaction_id), "application_id": str(app_id), "type": kind, "data": data,
        "token": f"interaction-token-{interaction_id}", "version": 1, "channel_id": channel["id"], "channel": channel,
        "locale": "en-US", "app_permissions": "2147483647", "entitlements": [], "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": person["id"]},
        "context": 0 if guild_id else 1,
    }
    if guild_id is not None:
        found["guild_id"] = str(guild_id)
        found["member"] = person_member
    else:
        found["user"] = person
    if on_message is not None:
        found["message"] = on_message
    return found
