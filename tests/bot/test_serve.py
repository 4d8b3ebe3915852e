"""`citybot serve` as a real process: Telegram (against the fake Bot API) and the web app in one loop, no torch."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from storage.store import open_store
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes

TOKEN = "987654:serve-test-token_never-logged"
SERVE = """
import sys
from bot.cli.main import main
code = main(["serve"])
heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("torch", "fastai", "torchvision", "discord"))
print("HEAVY", heavy, flush=True)
sys.exit(code)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_env(fake: FakeTelegram, token: str, data_dir: Path, database_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a `citybot serve` process talking to `fake`, with no settings inherited from the machine's."""
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM", "DISCORD", "WEBHOOK"))},
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        **extra,
    }


async def _wait_http(url: str, process, timeout: float = 30.0) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        for _ in range(int(timeout * 10)):
            if process.returncode is not None:
                raise AssertionError(f"serve exited early with {process.returncode}")
            try:
                return await client.get(url)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never answered")


async def test_serve_runs_bot_and_web_without_torch_and_stops_on_sigterm(tmp_path: Path, trained_version: Path):
    """Telegram answers a photo with the live model, /api/health answers, retrain jobs are scheduled, SIGTERM stops it; no torch (nor discord.py without its token)."""
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'citybot.sqlite3'}"
    store = open_store(database_url, data_dir, ("Cebu", "Munich", "Seoul"))
    install_live_version(store, data_dir, trained_version, "v1")
    store.close()
    fake = await FakeTelegram(TOKEN).start()
    port = _free_port()
    env = serve_env(fake, TOKEN, data_dir, database_url, port, ADMIN_IDS="1", LOG_LEVEL="DEBUG")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVE, cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        health = await _wait_http(f"http://127.0.0.1:{port}/api/health", process)
        assert health.status_code == 200
        await fake.push(fake.photo_update(42, photo_bytes("Munich", 1)))
        answer = await fake.wait_for(lambda s: s.method == "sendMessage", timeout=30)
        assert "model v1" in answer.text and answer.buttons
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "HEAVY []" in stdout.decode()
    assert TOKEN not in stderr.decode() and TOKEN not in stdout.decode()  # even at DEBUG
    assert "scheduler: nightly retrain (next " in stderr.decode() and "retrain on new labels (next " in stderr.decode()
    assert "citybot serve stopped" in stderr.decode()
