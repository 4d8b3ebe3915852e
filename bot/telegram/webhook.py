"""Webhook mode: a tiny Starlette app that checks Telegram's secret token in constant time and queues the update.

python-telegram-bot's own webhook server compares the secret with `!=`; ours uses `hmac.compare_digest`.
"""

import hmac
import json
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"


def webhook_app(application: Application, secret: str, path: str = WEBHOOK_PATH) -> Starlette:
    """Receives POSTed updates; 403 for a missing or wrong secret, 400 for a body that is no update."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook call with a missing or wrong secret token from %s", request.client.host if request.client else "?")
            return Response(status_code=403)
        try:
            update = Update.de_json(json.loads(await request.body()), application.bot)
        except (ValueError, TypeError, KeyError):
            return Response("not an update", status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return Starlette(routes=[Route(path, receive, methods=["POST"])])
