"""Running the Telegram bot inside a bigger asyncio program until asked to stop: long polling, or a webhook."""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

import uvicorn
from telegram import Update
from telegram.ext import Application

from bot.telegram.webhook import WEBHOOK_PATH, webhook_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookOptions:
    """Where Telegram posts updates (`url`), the secret it sends back, and where we listen for them."""

    url: str
    secret: Optional[str]
    listen: str = "0.0.0.0"
    port: int = 8443


async def run_telegram(application: Application, stop: asyncio.Event, webhook: Optional[WebhookOptions] = None) -> None:
    """Serve updates until `stop` is set; the bot is initialised, started, stopped and shut down here."""
    async with application:
        await application.start()
        server_task = None
        if webhook is None:
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("telegram: long polling")
        else:
            server, server_task = await _start_webhook(application, webhook)
        try:
            await stop.wait()
        finally:
            if server_task is not None:
                server.should_exit = True
                await server_task
            elif application.updater.running:
                await application.updater.stop()
            await application.stop()


async def _start_webhook(application: Application, webhook: WebhookOptions):
    secret = webhook.secret or secrets.token_urlsafe(32)  # Telegram echoes it; without one we make our own
    path = urlsplit(webhook.url).path or WEBHOOK_PATH
    config = uvicorn.Config(webhook_app(application, secret, path), host=webhook.listen, port=webhook.port, log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="telegram-webhook")
    await application.bot.set_webhook(webhook.url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    log.info("telegram: webhook on port %d, path %s", webhook.port, path)
    return server, task
