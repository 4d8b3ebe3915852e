"""`serve()` with DISCORD_BOT_TOKEN set runs the Discord bot in the same loop; Discord being unreachable or misconfigured stops nothing else."""

import asyncio
import logging
import socket
from pathlib import Path

import httpx

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.discord.client import build_discord_bot
from bot.discord.run import run_discord_until
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


async def test_unreachable_discord_is_retried_until_it_answers(tmp_path: Path, caplog):
    """While nothing listens at Discord's address the bot logs and retries with backoff; it connects once Discord is back."""
    store = open_store(f"sqlite:///{tmp_path / 'citybot.sqlite3'}", tmp_path / "data", CITIES)
    live_model = LiveModel(store, tmp_path / "data")
    core, admin = CityBot(store, live_model), Admin(store, tmp_path / "data", "unused://", None, live_model)
    fake = FakeDiscord()
    await fake.start()
    stop = asyncio.Event()
    try:
        with fake.patched_endpoints():
            port = int(fake.url.rsplit(":", 1)[1])
            await fake.stop()  # Discord is unreachable: connections to its address are refused
            running = asyncio.create_task(
                run_discord_until(lambda: build_discord_bot(core, admin, [], None, 1024 * 1024), TOKEN, stop, retry_first=0.2, retry_max=0.4)
            )
            for _ in range(100):
                if caplog.text.count("trying again") >= 2:
                    break
                await asyncio.sleep(0.05)
            assert caplog.text.count("the Discord bot stopped (ClientConnectorError); trying again") >= 2
            await fake.start(port)
            await fake.wait_connected()
            stop.set()
            await asyncio.wait_for(running, 20)
            assert not fake.connected
    finally:
        stop.set()
        await fake.stop()
        store.close()
