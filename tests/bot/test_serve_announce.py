"""`citybot serve` tells its Telegram admins about a run that `citybot train` finished in another process."""

import asyncio
import sys
from pathlib import Path

import pytest

from storage.store import open_store
from tests.bot.test_serve import SERVE, _free_port, _wait_http, serve_env
from tests.fakes.telegram_api import FakeTelegram
from tests.synthetic import seed_store

TOKEN = "987654:announce-test-token_never-logged"
ADMIN_ID, USER_ID = 11, 22
TINY_TRAINING = {"ARCH": "tiny", "IMAGE_SIZE": "64", "BATCH_SIZE": "16", "FROZEN_EPOCHS": "1", "UNFROZEN_EPOCHS": "0"}

pytestmark = pytest.mark.slow


async def test_serve_announces_a_cli_training_run_to_the_admin_only(tmp_path: Path):
    """While serve runs, `citybot train` trains and finishes; the admin's private chat gets the verdict and plots, a user nothing."""
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'citybot.sqlite3'}"
    store = open_store(database_url, data_dir, ("Cebu", "Munich", "Seoul"))
    seed_store(store, per_city=8, size=(80, 64))
    store.close()
    fake = await FakeTelegram(TOKEN).start()
    port = _free_port()
    env = serve_env(fake, TOKEN, data_dir, database_url, port, **TINY_TRAINING, ADMIN_IDS=str(ADMIN_ID))
    serve = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVE, cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        await _wait_http(f"http://127.0.0.1:{port}/api/health", serve)
        await fake.push(fake.text_update(USER_ID, "/start"))
        await fake.wait_for(lambda s: s.chat_id == USER_ID)
        train = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli.main", "train", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        _, train_errors = await asyncio.wait_for(train.communicate(), 150)
        assert train.returncode == 0, train_errors.decode()[-2000:]
        result = await fake.wait_for(lambda s: s.chat_id == ADMIN_ID and (s.text or "").startswith("Training run 1 finished"), timeout=30)
        assert "accuracy" in result.text
        await fake.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendPhoto" and (s.text or "").startswith("lr find"))
        assert not any("Training run" in (s.text or "") for s in fake.sent_to(USER_ID))
    finally:
        if serve.returncode is None:
            serve.terminate()
            await asyncio.wait_for(serve.communicate(), 30)
        await fake.stop()
