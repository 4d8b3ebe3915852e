"""Every admin hears about every finished training run by private message, whoever started it; nobody else does."""

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.core.run_announcer import RunAnnouncer
from bot.core.users import UserRef
from bot.telegram.app import build_application
from bot.telegram.deps import TelegramDeps
from bot.telegram.progress import telegram_audience
from bot.telegram.runner import run_telegram
from storage.versions import finish_run, start_run
from tests.bot.telegram.conftest import ADMIN_ID, TOKEN, USER_ID, Core, make_core
from tests.fakes.telegram_api import FakeTelegram
from tests.synthetic import seed_store

SECOND_ADMIN_ID = 1003
ADMINS = frozenset({ADMIN_ID, SECOND_ADMIN_ID})


@asynccontextmanager
async def announcing_bot(made: Core) -> AsyncIterator[tuple[FakeTelegram, RunAnnouncer]]:
    """The Telegram bot as `citybot serve` runs it: long polling, with the run announcer polling every 0.2 s."""
    fake = await FakeTelegram(TOKEN).start()
    deps = TelegramDeps(core=made.core, admin=made.admin, admin_ids=ADMINS, progress_every=0.5, poll_every=0.2)
    application = build_application(TOKEN, deps, fake.base_url, fake.base_file_url)
    announcer = RunAnnouncer(made.admin, poll_every=0.2)
    announcer.add_audience(telegram_audience(application.bot, ADMINS))
    announcer.remember_finished()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_telegram(application, stop)), asyncio.create_task(announcer.run(stop))]
    try:
        yield fake, announcer
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)
        await fake.stop()
        made.store.close()


def finished_run(made: Core, error: str) -> int:
    """A run that failed with `error` (the trainer's own bookkeeping, as a crashed child leaves it)."""
    with made.store.transaction() as session:
        run_id = start_run(session, "cron", None).id
        finish_run(session, run_id, "failed", error=error)
    return run_id


def mentions_run(fake: FakeTelegram, chat_id: int, run_id: int) -> bool:
    """Whether anything sent to `chat_id` names training run `run_id`."""
    return any(f"Training run {run_id}" in (sent.text or "") for sent in fake.sent_to(chat_id))


@pytest.mark.slow
async def test_a_run_started_by_another_process_reaches_every_admin_with_plots(tmp_path: Path):
    """A scheduled run trained in a child process: both admins get the verdict and the plots privately; a user and an old run get nothing."""
    from trainer.config import TrainConfig
    from trainer.runner import request_training

    config = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=0, lr_find_iterations=15)
    made = make_core(tmp_path, None)
    seed_store(made.store, per_city=8, size=(80, 64))
    old_run = finished_run(made, "finished before this bot started")
    async with announcing_bot(made) as (fake, _):
        await fake.push(fake.text_update(USER_ID, "/start"))
        await fake.wait_for(lambda s: s.chat_id == USER_ID)
        request = await asyncio.to_thread(request_training, made.database_url, made.data_dir, config, "cron", None)
        for admin_id in sorted(ADMINS):
            result = await fake.wait_for(
                lambda s: s.chat_id == admin_id and (s.text or "").startswith(f"Training run {request.run_id} finished"), timeout=150
            )
            assert "accuracy" in result.text and ("is now live" in result.text or "was rejected" in result.text)
            await fake.wait_for(lambda s: s.chat_id == admin_id and s.method == "sendPhoto" and (s.text or "").startswith("lr find"))
            captions = {s.text for s in fake.sent_to(admin_id) if s.method == "sendPhoto"}
            assert "confusion" in captions
        assert not mentions_run(fake, USER_ID, request.run_id)
        assert not any(mentions_run(fake, admin_id, old_run) for admin_id in ADMINS)


async def test_an_admin_watching_in_chat_is_not_told_twice_and_a_failing_admin_does_not_stop_the_others(tmp_path: Path):
    """The asker's chat watcher reports the run, so the announcement skips them; when Telegram refuses one admin, the other still hears."""
    made = make_core(tmp_path, None)
    async with announcing_bot(made) as (fake, announcer):
        with made.store.transaction() as session:
            watched = start_run(session, "bot", f"telegram:{ADMIN_ID}").id
        made.admin.watched.add(watched, UserRef("telegram", str(ADMIN_ID), "ada", True))
        with made.store.transaction() as session:
            finish_run(session, watched, "failed", error="out of memory")
        announced = await fake.wait_for(lambda s: s.chat_id == SECOND_ADMIN_ID and mentions_run(fake, SECOND_ADMIN_ID, watched))
        assert announced.text == f"Training run {watched} failed: out of memory"
        assert not mentions_run(fake, ADMIN_ID, watched)

        fake.fail_next("sendMessage", 403)  # the first admin blocked the bot
        refused = finished_run(made, "disk full")
        await fake.wait_for(lambda s: mentions_run(fake, SECOND_ADMIN_ID, refused))
        await asyncio.sleep(0.5)  # a few more looks: nobody hears it twice
        assert [s.text for s in fake.sent_to(SECOND_ADMIN_ID)].count(f"Training run {refused} failed: disk full") == 1
        assert not mentions_run(fake, ADMIN_ID, refused)
