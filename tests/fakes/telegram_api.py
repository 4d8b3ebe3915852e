"""A fake Telegram Bot API server of ours on 127.0.0.1, speaking the real HTTP protocol.

Point python-telegram-bot at it with `ApplicationBuilder().base_url(fake.base_url).base_file_url(fake.base_file_url)`.
It queues updates for getUpdates (long polling), records every message the bot sends or edits,
serves files for getFile + download, and injects faults: `fail_next("sendMessage", 429, retry_after=1)`,
a 5xx, or a file whose download fails.
"""

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from aiohttp import web

from tests.fakes.telegram_updates import BOT_ID, BOT_USERNAME, UpdateBuilders

RAW_STRING_PARAMS = {"text", "caption", "file_id", "callback_query_id", "url", "secret_token"}  # sent unencoded


@dataclass
class Sent:
    """A message the bot sent (or edited), as a user would see it."""

    method: str
    chat_id: int
    message_id: int
    text: Optional[str] = None
    reply_to: Optional[int] = None
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    photo: Optional[bytes] = None
    params: dict[str, Any] = field(default_factory=dict)

    def button_texts(self) -> list[str]:
        """Every inline button's label, row by row."""
        return [button["text"] for row in self.buttons for button in row]

    def callback_data(self, text_contains: str) -> str:
        """The callback data of the first button whose label contains `text_contains`."""
        for row in self.buttons:
            for button in row:
                if text_contains in button["text"]:
                    return button["callback_data"]
        raise KeyError(f"no button containing {text_contains!r} in {self.button_texts()}")


@dataclass
class Fault:
    """A planned error for the next calls of one method."""

    status: int
    retry_after: Optional[int]
    times: int


class FakeTelegram(UpdateBuilders):
    """The Bot API for one token: updates in, messages out, files to download, faults on demand."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.files: dict[str, tuple[bytes, int]] = {}
        self.broken_files: set[str] = set()
        self.faults: dict[str, Fault] = {}
        self.webhook: Optional[dict[str, Any]] = None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: Optional[web.AppRunner] = None
        self.port = 0

    # ---- the server ----

    async def start(self) -> "FakeTelegram":
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- what a test does ----

    def fail_next(self, method: str, status: int, retry_after: Optional[int] = None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with an error (429 with retry_after, or a 5xx)."""
        self.faults[method] = Fault(status, retry_after, times)

    def add_file(self, data: bytes, size: Optional[int] = None, broken: bool = False) -> str:
        """Register downloadable bytes (or a claimed `size` without bytes worth fetching); returns the file id."""
        file_id = f"file-{next(self._file_ids)}"
        self.files[file_id] = (data, len(data) if size is None else size)
        if broken:
            self.broken_files.add(file_id)
        return file_id

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (a redelivery keeps its update_id)."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        async with self._changed:
            self._changed.notify_all()
        return update

    async def wait_for(self, predicate, timeout: float = 20.0) -> Sent:
        """The first sent/edited message matching `predicate`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            for sent in self.sent:
                if predicate(sent):
                    return sent
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"nothing matched within {timeout}s; sent: {[(s.method, s.text) for s in self.sent]}")
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
                except asyncio.TimeoutError:
                    pass

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Everything the bot sent or edited in one chat, in order."""
        return [sent for sent in self.sent if sent.chat_id == chat_id]

    # ---- the Bot API ----

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))
        fault = self.faults.get(method)
        if fault is not None and fault.times > 0:
            fault.times -= 1
            if fault.status == 429:
                return _error(429, f"Too Many Requests: retry after {fault.retry_after}", {"retry_after": fault.retry_after})
            return _error(fault.status, "Bad Gateway")
        handler = getattr(self, "_do_" + method, None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not faked")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files or file_id in self.broken_files:
            return web.Response(status=500, text="internal error")
        return web.Response(body=self.files[file_id][0], content_type="application/octet-stream")

    async def _do_getMe(self, params):
        return {"id": BOT_ID, "is_bot": True, "first_name": "citybot", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _do_deleteWebhook(self, params):
        self.webhook = None
        return True

    async def _do_setWebhook(self, params):
        self.webhook = params
        return True

    async def _do_setMyCommands(self, params):
        return True

    async def _do_sendChatAction(self, params):
        return True

    async def _do_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)  # short polls keep test shutdown quick
        deadline = time.monotonic() + timeout
        while True:
            pending = [update for update in self.updates if update["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                return pending[: int(params.get("limit") or 100)]
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    pass

    async def _do_getFile(self, params):
        file_id = params["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        _, size = self.files[file_id]
        if size > 20 * 1024 * 1024:
            return _error(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": file_id + "u", "file_size": size, "file_path": f"photos/{file_id}"}

    async def _do_sendMessage(self, params):
        return await self._record("sendMessage", params, text=params.get("text"))

    async def _do_sendPhoto(self, params):
        photo = params.get("photo")
        return await self._record("sendPhoto", params, text=params.get("caption"), photo=photo if isinstance(photo, bytes) else None)

    async def _do_sendDocument(self, params):
        return await self._record("sendDocument", params, text=params.get("caption"))

    async def _do_answerCallbackQuery(self, params):
        self.callback_answers.append(params)
        return True

    async def _do_editMessageText(self, params):
        return await self._record("editMessageText", params, text=params.get("text"), message_id=int(params["message_id"]))

    async def _do_editMessageCaption(self, params):
        return await self._record("editMessageCaption", params, text=params.get("caption"), message_id=int(params["message_id"]))

    async def _do_editMessageReplyMarkup(self, params):
        return await self._record("editMessageReplyMarkup", params, message_id=int(params["message_id"]))

    async def _record(self, method: str, params: dict[str, Any], text=None, photo=None, message_id=None) -> dict[str, Any]:
        markup = params.get("reply_markup") or {}
        reply = params.get("reply_parameters") or {}
        sent = Sent(
            method=method,
            chat_id=int(params["chat_id"]),
            message_id=message_id if message_id is not None else next(self._message_ids),
            text=text,
            reply_to=reply.get("message_id") if isinstance(reply, dict) else None,
            buttons=markup.get("inline_keyboard", []) if isinstance(markup, dict) else [],
            photo=photo,
            params=params,
        )
        self.sent.append(sent)
        async with self._changed:
            self._changed.notify_all()
        return self._as_message(sent)

    def _as_message(self, sent: Sent) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private", "first_name": "Ann"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "citybot", "username": BOT_USERNAME},
        }
        if sent.photo is not None or sent.method == "sendPhoto":
            body["photo"] = [{"file_id": "sent", "file_unique_id": "sentu", "width": 1, "height": 1}]
            if sent.text is not None:
                body["caption"] = sent.text
        elif sent.text is not None:
            body["text"] = sent.text
        if sent.buttons:
            body["reply_markup"] = {"inline_keyboard": sent.buttons}
        return body


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post() if request.can_read_body else {}
    params: dict[str, Any] = {}
    for key, value in form.items():
        if hasattr(value, "file"):
            params[key] = value.file.read()
            continue
        if key in RAW_STRING_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except (TypeError, ValueError):
            params[key] = value
    for key, value in request.query.items():
        params.setdefault(key, value)
    return params


def _error(status: int, description: str, parameters: Optional[dict[str, Any]] = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
