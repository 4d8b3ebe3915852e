"""A running citybot Discord bot (real discord.py Client, gateway and REST) against our fake Discord on 127.0.0.1."""

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Optional

import pytest
from sqlalchemy import select

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.discord.client import CityBotClient, build_discord_bot
from bot.discord.run import run_discord
from storage.models import Prediction
from storage.store import LabelStore, open_store
from tests.fakes.discord_api import TOKEN, FakeDiscord, Person
from tests.fakes.trained_model import install_live_version

CITIES = ("Cebu", "Munich", "Seoul")
ADMIN = Person(1001, "ada")
USER = Person(2002, "bo")
OTHER = Person(3003, "cy")
ADMIN_ROLE = "citybot-admins"  # the fake guild's admin role name


@dataclass
class RunningDiscord:
    """The fake Discord, the label store and the core behind one running Discord bot."""

    fake: FakeDiscord
    client: CityBotClient
    store: LabelStore
    data_dir: Path
    core: CityBot
    admin: Admin
    task: asyncio.Task


@asynccontextmanager
async def running_discord(
    tmp_path: Path,
    trained_version: Optional[Path],
    message_content_allowed: bool = True,
    gateway_refuses_content: bool = False,
    max_download_bytes: int = 2 * 1024 * 1024,
    train_config: object = None,
) -> AsyncIterator[RunningDiscord]:
    """Start the store, the core and the bot; with `trained_version`, version "v1" is live from the start."""
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'citybot.sqlite3'}"
    store = open_store(database_url, data_dir, CITIES)
    if trained_version is not None:
        install_live_version(store, data_dir, trained_version, "v1")
    live_model = LiveModel(store, data_dir, check_every=0.2)
    core = CityBot(store, live_model, confidence_threshold=0.5)
    admin = Admin(store, data_dir, database_url, train_config, live_model)
    fake = FakeDiscord(message_content_allowed, gateway_refuses_content)
    await fake.start()
    try:
        with fake.patched_endpoints():
            client = build_discord_bot(core, admin, [ADMIN.id], ADMIN_ROLE, max_download_bytes)
            client.deps.progress_every, client.deps.poll_every = 0.5, 0.2
            task = asyncio.create_task(run_discord(client, TOKEN))
            running = RunningDiscord(fake, client, store, data_dir, core, admin, task)
            if message_content_allowed and not gateway_refuses_content:
                await fake.wait_connected()
            try:
                yield running
            finally:
                await client.close()
                await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 20)
    finally:
        await fake.stop()
        store.close()


async def answer_recorded(running: RunningDiscord, count: int = 1) -> list[dict]:
    """Wait for `count` answers and for the core to know them (the bot attaches each reply just after sending it)."""
    answers = await running.fake.wait_for_replies(count)
    refs = {f"{running.fake.channel_id}:{answer['id']}" for answer in answers[:count]}
    for _ in range(200):
        with running.store.transaction() as session:
            known = set(session.scalars(select(Prediction.reply_ref).where(Prediction.reply_ref.is_not(None))))
        if refs <= known:
            return answers
        await asyncio.sleep(0.05)
    raise AssertionError(f"answers {refs} never attached to predictions")


async def slash(running: RunningDiscord, person: Person, command: str, **options: str) -> dict:
    """Run `/command` as `person` and return the bot's visible answer: {"content", "ephemeral", "message"}."""
    fake = running.fake
    interaction_id = await fake.slash(person, command, options or None)

    def answered():
        for response in fake.responses.get(interaction_id, []):
            content = (response["data"] or {}).get("content")
            if content:
                return response
        return None

    response = await fake.wait_for(answered)
    flags = (response["data"] or {}).get("flags") or (fake.responses[interaction_id][0]["data"] or {}).get("flags") or 0
    return {"content": response["data"]["content"], "ephemeral": bool(flags & 64), "message": response["message"]}


@pytest.fixture
async def discord_bot(tmp_path: Path, trained_version: Path) -> AsyncIterator[RunningDiscord]:
    """A Discord bot with a live model."""
    async with running_discord(tmp_path, trained_version) as running:
        yield running
