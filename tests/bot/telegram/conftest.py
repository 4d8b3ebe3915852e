"""A running citybot Telegram bot (the real python-telegram-bot Application, long polling) against our fake Bot API."""

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Optional

import pytest

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.telegram.app import build_application
from bot.telegram.deps import TelegramDeps
from bot.telegram.runner import run_telegram
from storage.store import LabelStore, open_store
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.trained_model import install_live_version

TOKEN = "123456789:AAE-secret-test-token_do-not-log"
ADMIN_ID = 1001
USER_ID = 2002
CITIES = ("Cebu", "Munich", "Seoul")


@dataclass
class Core:
    """A label store with the core and admin actions over it (no transport)."""

    store: LabelStore
    data_dir: Path
    database_url: str
    core: CityBot
    admin: Admin
    live_model: LiveModel

    def deps(self) -> TelegramDeps:
        """Telegram deps over this core, with quick progress reports for tests."""
        return TelegramDeps(core=self.core, admin=self.admin, admin_ids=frozenset({ADMIN_ID}), progress_every=0.5, poll_every=0.2)


@dataclass
class RunningBot(Core):
    """The fake Bot API, the label store and the core behind one running bot."""

    fake: FakeTelegram


def make_core(
    tmp_path: Path, trained_version: Optional[Path], photo_rate_limit: int = 20, train_config: object = None, check_every: float = 0.2
) -> Core:
    """A fresh store (version "v1" live when `trained_version` is given) and the core over it."""
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'citybot.sqlite3'}"
    store = open_store(database_url, data_dir, CITIES)
    if trained_version is not None:
        install_live_version(store, data_dir, trained_version, "v1")
    live_model = LiveModel(store, data_dir, check_every=check_every)
    core = CityBot(store, live_model, confidence_threshold=0.5, photo_rate_limit_per_minute=photo_rate_limit)
    admin = Admin(store, data_dir, database_url, train_config, live_model)
    return Core(store, data_dir, database_url, core, admin, live_model)


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    trained_version: Optional[Path],
    photo_rate_limit: int = 20,
    train_config: object = None,
) -> AsyncIterator[RunningBot]:
    """Start everything (long polling); with `trained_version`, version "v1" is live from the start."""
    made = make_core(tmp_path, trained_version, photo_rate_limit, train_config)
    fake = await FakeTelegram(TOKEN).start()
    application = build_application(TOKEN, made.deps(), fake.base_url, fake.base_file_url)
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(application, stop))
    try:
        yield RunningBot(made.store, made.data_dir, made.database_url, made.core, made.admin, made.live_model, fake=fake)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await fake.stop()
        made.store.close()


@pytest.fixture
async def bot(tmp_path: Path, trained_version: Path) -> AsyncIterator[RunningBot]:
    """A bot with a live model."""
    async with running_bot(tmp_path, trained_version) as running:
        yield running


@pytest.fixture
async def untrained_bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """A bot before any model is live."""
    async with running_bot(tmp_path, None) as running:
        yield running
