"""A fake Discord on 127.0.0.1: the REST API, the attachment CDN and the gateway websocket discord.py talks to.

Tests point discord.py at it with `FakeDiscord.patched_endpoints()` (the library's own class attributes
`Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY`), start the real bot, then act as users: post
messages with attachments, reply, tap buttons, run slash commands. Everything the bot sends lands in
`channels` as Discord would store it, so tests read what a user would see.
"""

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.fakes import discord_payloads as payloads
from tests.fakes import discord_rest as rest

TOKEN = "fake-discord-token.NOT-A-REAL-ONE.0123456789"
WAIT_SECONDS = 20.0


@dataclass
class Person:
    """A Discord user the test acts as; `role_ids` are their roles in the test guild."""

    id: int
    name: str
    role_ids: list[int] = field(default_factory=list)

    def user(self) -> dict[str, Any]:
        """The user object Discord sends for this person."""
        return payloads.user(self.id, self.name)

    def member(self) -> dict[str, Any]:
        """The guild member object Discord sends for this person."""
        return payloads.member(self.user(), self.role_ids)


class FakeDiscord:
    """One guild with one text channel and an admin role; the bot's application may lack the message-content intent."""

    def __init__(self, message_content_allowed: bool = True, gateway_refuses_content: bool = False) -> None:
        self.app_id = payloads.snowflake()
        self.bot_user = payloads.user(payloads.snowflake(), "citybot", bot=True)
        self.guild_id = payloads.snowflake()
        self.channel_id = payloads.snowflake()
        self.admin_role_id = payloads.snowflake()
        self.app_flags = payloads.APP_FLAG_MESSAGE_CONTENT_LIMITED if message_content_allowed else 0
        self.gateway_refuses_content = gateway_refuses_content or not message_content_allowed
        self.connections = 0  # successful IDENTIFYs so far (a restarted bot connects again)
        self.channels: dict[int, list[dict[str, Any]]] = {self.channel_id: []}
        self.files: dict[str, tuple[bytes, str]] = {}  # CDN path -> (bytes, content type)
        self.downloads: list[str] = []  # CDN paths the bot fetched
        self.interactions: dict[int, dict[str, Any]] = {}  # id -> INTERACTION_CREATE payload
        self.responses: dict[int, list[dict[str, Any]]] = {}  # interaction id -> callbacks and follow-ups
        self.commands: list[dict[str, Any]] = []  # the slash commands the bot registered
        self.identify: Optional[dict[str, Any]] = None
        self.close_code: Optional[int] = None
        self.requests: list[str] = []  # "METHOD path" of every REST call, for asserting no token leaks etc.
        self.faults: list[tuple[str, int, Optional[float]]] = []  # (route like "POST channels/{}/messages" or "GET cdn", status, retry_after)
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: Optional[web.AppRunner] = None
        self.url = ""

    # ----- lifecycle -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port, or `port` to come back where a stopped fake was)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{path:.*}", self._cdn)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # aiohttp has no public accessor for port 0
        self.url = f"http://127.0.0.1:{bound}"

    async def stop(self) -> None:
        """Close every gateway connection and stop listening."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @contextlib.contextmanager
    def patched_endpoints(self) -> Iterator[None]:
        """Point discord.py's REST base and gateway at this fake for the duration."""
        base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = f"{self.url}/api/v10"
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{self.url.replace('http', 'ws', 1)}/gateway")
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway

    # ----- what users do ---------------------------------------------------------------------

    def add_file(self, filename: str, data: bytes, content_type: Optional[str]) -> dict[str, Any]:
        """Put a file on the fake CDN and return the attachment object pointing at it."""
        attachment_id = payloads.snowflake()
        path = f"attachments/{self.channel_id}/{attachment_id}/{filename}"
        self.files[path] = (data, content_type or "application/octet-stream")
        return payloads.attachment(attachment_id, filename, len(data), content_type, f"{self.url}/cdn/{path}")

    async def post(
        self,
        person: Person,
        content: str = "",
        files: tuple[tuple[str, bytes, Optional[str]], ...] = (),
        reply_to: Optional[dict[str, Any]] = None,
        in_dm: bool = False,
    ) -> dict[str, Any]:
        """`person` posts a message (attachments as (filename, bytes, content type)) in the channel or a DM."""
        attachments = [self.add_file(name, data, kind) for name, data, kind in files]
        channel_id = self.dm_channel(person.id) if in_dm else self.channel_id
        message = payloads.message(
            payloads.snowflake(), channel_id, person.user(), content,
            guild_id=None if in_dm else self.guild_id, author_member=None if in_dm else person.member(),
            attachments=attachments, reference=reply_to,
        )
        await self.store_message(channel_id, message)
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def tap(self, person: Person, message: dict[str, Any], custom_id: str) -> int:
        """`person` taps the button `custom_id` under `message`; returns the interaction id."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(person, 3, data, int(message["channel_id"]), on_message=message)

    async def slash(self, person: Person, name: str, options: Optional[dict[str, Any]] = None) -> int:
        """`person` runs `/name` with string options in the channel; returns the interaction id."""
        command = next((c for c in self.commands if c["name"] == name), None)
        data: dict[str, Any] = {"id": command.get("id", "0") if command else "0", "name": name, "type": 1}
        if options:
            data["options"] = [{"name": key, "type": 3, "value": value} for key, value in options.items()]
        return await self._interact(person, 2, data, self.channel_id)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one gateway DISPATCH to every connected bot."""
        self._sequence += 1
        frame = json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data})
        for socket in self._sockets:
            await socket.send_str(frame)

    def fail_next(self, route: str, status: int, retry_after: Optional[float] = None, times: int = 1) -> None:
        """Answer the next `times` calls of `route` ("POST channels/{}/messages", "GET cdn") with `status` (429: rate limited)."""
        self.faults += [(route, status, retry_after)] * times

    def _fault(self, route: str) -> Optional[web.Response]:
        for index, (wanted, status, retry_after) in enumerate(self.faults):
            if wanted == route:
                del self.faults[index]
                if status == 429:  # what Discord's edge sends; discord.py waits `retry_after` and retries
                    body = {"message": "You are being rate limited.", "retry_after": retry_after or 0.1, "global": False}
                    return rest.json_response(body, 429, {"Via": "1.1 google", "X-RateLimit-Scope": "user"})
                return rest.json_response({"message": f"{status}: fault injected by the test", "code": 0}, status)
        return None

    # ----- what tests read -------------------------------------------------------------------

    def bot_messages(self, channel_id: Optional[int] = None) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel (the guild channel by default), oldest first; answers to slash commands and their follow-ups are in `responses`."""
        found = self.channels.get(channel_id or self.channel_id, [])
        return [m for m in found if m["author"]["id"] == self.bot_user["id"] and not m.get("interaction_metadata")]

    def message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        """The current state of one stored message."""
        return next(m for m in self.channels[channel_id] if int(m["id"]) == message_id)

    async def wait_for(self, condition: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
        """Wait until `condition()` is truthy (re-checked after every change the bot makes) and return it."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def wait_for_replies(self, count: int, channel_id: Optional[int] = None) -> list[dict[str, Any]]:
        """Wait until the bot has posted `count` messages in the channel and return them."""
        await self.wait_for(lambda: len(self.bot_messages(channel_id)) >= count)
        return self.bot_messages(channel_id)

    async def wait_for_response(self, interaction_id: int, count: int = 1) -> list[dict[str, Any]]:
        """Wait until the bot has answered an interaction `count` times (callback, edits, follow-ups)."""
        await self.wait_for(lambda: len(self.responses.get(interaction_id, [])) >= count)
        return self.responses[interaction_id]

    @property
    def connected(self) -> bool:
        """Whether a bot is connected to the gateway now."""
        return bool(self._sockets)

    async def wait_connected(self) -> None:
        """Wait until the bot has identified on the gateway and received READY."""
        await self.wait_for(lambda: self.identify is not None and self._sockets)

    # ----- the gateway -----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                break
            packet = json.loads(frame.data)
            if packet["op"] == 1:
                # Acknowledge a moment later, as a real network would: discord.py times the heartbeat only after
                # its send returns, so an instant ACK would be measured against the previous beat.
                asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(_send_if_open(socket, {"op": 11})))
            elif packet["op"] == 2:
                if not await self._accept_identify(socket, packet["d"]):
                    break
        if socket in self._sockets:
            self._sockets.remove(socket)
        return socket

    async def _accept_identify(self, socket: web.WebSocketResponse, identify: dict[str, Any]) -> bool:
        wants_content = identify.get("intents", 0) & payloads.MESSAGE_CONTENT_INTENT
        if wants_content and self.gateway_refuses_content:
            self.close_code = 4014  # what Discord does when a privileged intent is not enabled in the portal
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return False
        ready = {
            "v": 10, "user": self.bot_user, "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "fake-session", "resume_gateway_url": f"{self.url.replace('http', 'ws', 1)}/gateway",
            "application": {"id": str(self.app_id), "flags": self.app_flags}, "private_channels": [],
            "relationships": [], "presences": [], "shard": [0, 1],
        }
        self._sockets.append(socket)
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild())
        async with self._changed:
            self.identify = identify
            self.connections += 1
            self._changed.notify_all()
        return True

    def _guild(self) -> dict[str, Any]:
        roles = [payloads.role(self.guild_id, "@everyone", 0), payloads.role(self.admin_role_id, "citybot-admins", 1)]
        channels = [payloads.text_channel(self.channel_id, self.guild_id, "city-photos")]
        return payloads.guild(self.guild_id, "Lesson 2", roles, channels)

    # ----- the REST API and CDN --------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        fault = self._fault("GET cdn")
        if fault is not None:
            return fault
        if path not in self.files:
            return rest.json_response({"message": "404: Not Found", "code": 0}, status=404)
        self.downloads.append(path)
        data, content_type = self.files[path]
        return web.Response(body=data, content_type=content_type)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.requests.append(f"{request.method} /{path}")
        if request.headers.get("Authorization") != f"Bot {TOKEN}" and not path.startswith(("interactions/", "webhooks/")):
            return rest.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        body, files = await rest.read_body(request)
        fault = self._fault(f"{request.method} {rest.shape(path)}")
        if fault is not None:
            return fault
        handler = rest.ROUTES.get((request.method, rest.shape(path)))
        if handler is None:
            return rest.json_response({"message": f"fake has no {request.method} /{path}", "code": 0}, status=404)
        result = await handler(self, path.split("/"), body, files)
        if result is None:
            return web.Response(status=204)
        return rest.json_response(result)

    # ----- helpers ---------------------------------------------------------------------------

    async def _interact(self, person: Person, kind: int, data: dict[str, Any], channel_id: int, on_message: Optional[dict] = None) -> int:
        interaction_id = payloads.snowflake()
        in_guild = channel_id == self.channel_id
        channel = payloads.text_channel(channel_id, self.guild_id, "city-photos") if in_guild else {"id": str(channel_id), "type": 1}
        payload = payloads.interaction(
            interaction_id, self.app_id, kind, data, channel, person.user(),
            guild_id=self.guild_id if in_guild else None, person_member=person.member() if in_guild else None,
            on_message=on_message,
        )
        self.interactions[interaction_id] = payload
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    def dm_channel(self, user_id: int) -> int:
        """The DM channel between the bot and a user (stable per user, never the guild channel)."""
        channel_id = 10_000 + user_id % 1_000_000
        self.channels.setdefault(channel_id, [])
        return channel_id

    def bot_message(self, channel_id: int, body: dict[str, Any], files: list) -> dict[str, Any]:
        """A message authored by the bot from a REST body (content, embeds, components, uploaded files)."""
        attachments = [self.add_file(name, data, kind) for name, data, kind in files]
        reference = body.get("message_reference")
        replied = self.message(channel_id, int(reference["message_id"])) if reference else None
        message = payloads.message(payloads.snowflake(), channel_id, self.bot_user, body.get("content") or "",
                                   guild_id=self.guild_id if channel_id == self.channel_id else None,
                                   attachments=attachments, reference=replied)
        message["embeds"] = body.get("embeds") or []
        message["components"] = _with_ids(body.get("components") or [])
        message["flags"] = body.get("flags", 0)
        return message

    async def store_message(self, channel_id: int, message: dict[str, Any]) -> dict[str, Any]:
        """Add a message to a channel and wake up waiting tests."""
        async with self._changed:
            self.channels.setdefault(channel_id, []).append(message)
            self._changed.notify_all()
        return message

    async def edit_stored(self, channel_id: int, message_id: int, body: dict[str, Any], files: list) -> dict[str, Any]:
        """Apply an edit (content, embeds, components, files) to a stored message."""
        async with self._changed:
            message = self.message(channel_id, message_id)
            if "content" in body:
                message["content"] = body["content"] or ""
            if "embeds" in body:
                message["embeds"] = body["embeds"] or []
            if "components" in body:
                message["components"] = _with_ids(body["components"] or [])
            if files:
                message["attachments"] = [self.add_file(name, data, kind) for name, data, kind in files]
            message["edited_timestamp"] = payloads.now_iso()
            self._changed.notify_all()
        return message

    async def record_response(self, interaction_id: int, response: dict[str, Any]) -> None:
        """Remember how the bot answered an interaction."""
        async with self._changed:
            self.responses.setdefault(interaction_id, []).append(response)
            self._changed.notify_all()

    def interaction_by_token(self, token: str) -> dict[str, Any]:
        """The interaction a webhook token belongs to."""
        return next(i for i in self.interactions.values() if i["token"] == token)


async def _send_if_open(socket: web.WebSocketResponse, packet: dict[str, Any]) -> None:
    if not socket.closed:
        await socket.send_json(packet)


def _with_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Discord numbers components in its replies; discord.py reads them back when it parses the message.
    for number, row in enumerate(rows, start=1):
        row.setdefault("id", number * 100)
        for index, child in enumerate(row.get("components", []), start=1):
            child.setdefault("id", number * 100 + index)
    return rows
