"""The fake Discord's REST routes: what discord.py calls, answered the way Discord answers, stored in the fake."""

import json
from typing import TYPE_CHECKING, Any, Optional

from aiohttp import web

from tests.fakes import discord_payloads as payloads

if TYPE_CHECKING:
    from tests.fakes.discord_api import FakeDiscord


async def me(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The bot's own user (login)."""
    return fake.bot_user


async def application(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The application, with its intent flags."""
    return payloads.application(fake.app_id, payloads.user(1, "owner"), fake.app_flags)


async def sync_commands(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """Slash commands registered in bulk."""
    fake.commands = [dict(command, id=str(payloads.snowflake()), application_id=str(fake.app_id), version="1") for command in body]
    return fake.commands


async def create_message(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The bot posts a message."""
    channel_id = int(parts[1])
    return await fake.store_message(channel_id, fake.bot_message(channel_id, body, files))


async def edit_message(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The bot edits one of its messages."""
    return await fake.edit_stored(int(parts[1]), int(parts[3]), body, files)


async def get_message(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """One stored message."""
    return fake.message(int(parts[1]), int(parts[3]))


async def typing(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The typing indicator."""
    return None


async def open_dm(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """Open (or reuse) a DM channel."""
    recipient = payloads.user(int(body["recipient_id"]), "someone")
    return {"id": str(fake.dm_channel(int(body["recipient_id"]))), "type": 1, "recipients": [recipient]}


async def callback(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """The first answer to an interaction: a message, a deferral or an update of the tapped message."""
    interaction = fake.interactions[int(parts[1])]
    kind, data = body["type"], body.get("data") or {}
    channel_id = int(interaction["channel_id"])
    message = None
    if kind in (4, 5):  # a new message (5: "thinking…" until edited)
        message = fake.bot_message(channel_id, data, files)
        message["interaction_metadata"] = {"id": interaction["id"], "type": interaction["type"], "user": who(interaction)}
        await fake.store_message(channel_id, message)
    elif kind == 7:  # the tapped message itself is updated
        message = await fake.edit_stored(channel_id, int(interaction["message"]["id"]), data, files)
    await fake.record_response(int(interaction["id"]), {"type": kind, "data": data, "files": files, "message": message})
    resource = {"type": kind, "message": message} if message is not None else {"type": kind}
    return {"interaction": {"id": interaction["id"], "type": interaction["type"], "response_message_id": message["id"] if message else None}, "resource": resource}


async def edit_original(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """Edit the interaction's first answer."""
    interaction = fake.interaction_by_token(parts[2])
    channel_id = int(interaction["channel_id"])
    original = next(
        r["message"] for r in fake.responses[int(interaction["id"])] if r["message"] is not None and r["type"] in (4, 5, 7)
    )
    message = await fake.edit_stored(channel_id, int(original["id"]), body, files)
    await fake.record_response(int(interaction["id"]), {"type": "edit", "data": body, "files": files, "message": message})
    return message


async def followup(fake: "FakeDiscord", parts: list[str], body: Any, files: list) -> Any:
    """A follow-up message to an interaction."""
    interaction = fake.interaction_by_token(parts[2])
    channel_id = int(interaction["channel_id"])
    message = fake.bot_message(channel_id, body, files)
    message["interaction_metadata"] = {"id": interaction["id"], "type": interaction["type"], "user": who(interaction)}
    await fake.store_message(channel_id, message)
    await fake.record_response(int(interaction["id"]), {"type": "followup", "data": body, "files": files, "message": message})
    return message


def who(interaction: dict[str, Any]) -> dict[str, Any]:
    """The user behind an interaction, in a guild or a DM."""
    return interaction["member"]["user"] if "member" in interaction else interaction["user"]


def json_response(data: Any, status: int = 200, headers: Optional[dict[str, str]] = None) -> web.Response:
    """A JSON response with exactly the content type Discord sends (discord.py compares it verbatim)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})})


async def read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes, str]]]:
    """JSON body, or discord.py's multipart upload: `payload_json` plus `files[n]` parts."""
    if request.content_type.startswith("multipart/"):
        body: Any = {}
        files = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files.append((part.filename or part.name or "file", await part.read(), part.headers.get("Content-Type", "")))
        return body, files
    if request.can_read_body:
        text = await request.text()
        return (json.loads(text) if text else {}), []
    return {}, []


def shape(path: str) -> str:
    """`channels/123/messages/456` -> `channels/{}/messages/{}` for route lookup."""
    shaped = []
    for part in path.split("/"):
        shaped.append("{}" if part.isdigit() or part.startswith("interaction-token-") else part)
    return "/".join(shaped)


ROUTES = {
    ("GET", "users/@me"): me,
    ("GET", "oauth2/applications/@me"): application,
    ("PUT", "applications/{}/commands"): sync_commands,
    ("POST", "channels/{}/messages"): create_message,
    ("PATCH", "channels/{}/messages/{}"): edit_message,
    ("GET", "channels/{}/messages/{}"): get_message,
    ("POST", "channels/{}/typing"): typing,
    ("POST", "users/@me/channels"): open_dm,
    ("POST", "interactions/{}/{}/callback"): callback,
    ("PATCH", "webhooks/{}/{}/messages/@original"): edit_original,
    ("POST", "webhooks/{}/{}"): followup,
}
