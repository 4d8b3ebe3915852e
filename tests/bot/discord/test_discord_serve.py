"""`serve()` with DISCORD_BOT_TOKEN set runs the Discord bot in the same loop; a Discord start-up problem stops nothing else."""

import asyncio
import logging
import socket
from pathlib import Path

import httpx

from bot.serve import serve
from bot.settings import load_settings
from storage.store import open_store
from tests.bot.discord.conftest import CITIES, USER
from tests.fakes.discord_api import TOKEN, FakeDiscord
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(tmp_path: Path, port: int):
    return load_settings(
        discord_bot_token=TOKEN, telegram_bot_token=None, data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'citybot.sqlite3'}", web_host="127.0.0.1", web_port=port, classes=list(CITIES),
    )


async def _health(port: int) -> int:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                return (await client.get(f"http://127.0.0.1:{port}/api/health")).status_code
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise AssertionError("the web app never answered")


async def test_serve_runs_the_discord_bot_when_its_token_is_set(tmp_path: Path, trained_version: Path):
    """With DISCORD_BOT_TOKEN, a photo posted on Discord is answered by the live model; stopping serve closes the bot."""
    port = _free_port()
    store = open_store(f"sqlite:///{tmp_path / 'citybot.sqlite3'}", tmp_path / "data", CITIES)
    install_live_version(store, tmp_path / "data", trained_version, "v1")
    store.close()
    fake = FakeDiscord()
    await fake.start()
    stop = asyncio.Event()
    try:
        with fake.patched_endpoints():
            serving = asyncio.create_task(serve(_settings(tmp_path, port), stop))
            await fake.wait_connected()
            await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 60), "image/jpeg"),))
            assert "model v1" in (await fake.wait_for_replies(1))[0]["content"]
            stop.set()
            await asyncio.wait_for(serving, 30)
            assert not fake.connected  # the bot left the gateway
    finally:
        stop.set()
        await fake.stop()


async def test_discord_start_up_problem_leaves_the_web_app_serving(tmp_path: Path, caplog):
    """Without the message-content intent the portal advice is logged, and the web app keeps answering until stopped."""
    caplog.set_level(logging.INFO)
    port = _free_port()
    fake = FakeDiscord(message_content_allowed=False)
    await fake.start()
    stop = asyncio.Event()
    try:
        with fake.patched_endpoints():
            serving = asyncio.create_task(serve(_settings(tmp_path, port), stop))
            for _ in range(200):
                if "MESSAGE CONTENT INTENT" in caplog.text:
                    break
                await asyncio.sleep(0.05)
            assert "MESSAGE CONTENT INTENT" in caplog.text
            assert await _health(port) == 200 and not serving.done()
            stop.set()
            await asyncio.wait_for(serving, 30)
    finally:
        stop.set()
        await fake.stop()
