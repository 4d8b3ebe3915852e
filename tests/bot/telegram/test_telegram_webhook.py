"""Webhook mode: Telegram is told the URL and secret; our receiver refuses a wrong secret and queues a right one."""

import asyncio
import socket

import httpx

from bot.telegram.app import build_application
from bot.telegram.runner import WebhookOptions, run_telegram
from bot.telegram.webhook import SECRET_HEADER
from tests.bot.telegram.conftest import TOKEN, USER_ID, make_core
from tests.fakes.telegram_api import FakeTelegram


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_checks_the_secret_and_answers_updates(tmp_path):
    """setWebhook gets the URL and secret; a POST without or with a wrong secret is 403 and unanswered; the right one is answered."""
    made = make_core(tmp_path, None)
    fake = await FakeTelegram(TOKEN).start()
    port = _free_port()
    options = WebhookOptions("https://bot.example.org/tg-hook", "s3cret-token", "127.0.0.1", port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(build_application(TOKEN, made.deps(), fake.base_url, fake.base_file_url), stop, options))
    try:
        url = f"http://127.0.0.1:{port}/tg-hook"
        update = {"update_id": 1, **fake.text_update(USER_ID, "/help")}
        for _ in range(200):
            if fake.webhook is not None:
                break
            await asyncio.sleep(0.05)
        assert fake.webhook["url"] == options.url and fake.webhook["secret_token"] == "s3cret-token"
        async with httpx.AsyncClient() as client:
            assert (await client.post(url, json=update)).status_code == 403
            assert (await client.post(url, json=update, headers={SECRET_HEADER: "wrong"})).status_code == 403
            await asyncio.sleep(0.3)
            assert fake.sent == []
            assert (await client.post(url, json=update, headers={SECRET_HEADER: "s3cret-token"})).status_code == 200
        reply = await fake.wait_for(lambda s: s.chat_id == USER_ID)
        assert "Send me a photo" in reply.text
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await fake.stop()
        made.store.close()
