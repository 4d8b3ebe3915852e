"""Admin slash commands: refused (and logged) for others; for admins by id or by role, the same answers as Telegram."""

import asyncio
import logging

from sqlalchemy import func, select

from storage.models import TrainingRun
from tests.bot.discord.conftest import ADMIN, USER, running_discord, slash
from tests.fakes.discord_api import Person
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes, seed_store
from trainer.config import TrainConfig


async def test_non_admin_is_refused_privately_logged_and_nothing_happens(discord_bot, caplog):
    """/retrain, /rollback and /addcity from a non-admin: a private "not authorised", the attempt logged, nothing changed."""
    caplog.set_level(logging.WARNING)
    for name, options in (("retrain", {}), ("rollback", {}), ("addcity", {"name": "Paris"})):
        answer = await slash(discord_bot, USER, name, **options)
        assert "not authorised" in answer["content"] and answer["ephemeral"]
    assert f"discord user {USER.id} tried retrain" in caplog.text
    with discord_bot.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TrainingRun)) == 0
    assert [city.name for city in discord_bot.core.cities()] == ["Cebu", "Munich", "Seoul"]


async def test_admin_by_role_sees_status_adds_a_city_and_rolls_back(discord_bot, trained_version):
    """A member with the admin role gets /status, /addcity with aliases, /models and /rollback."""
    fake = discord_bot.fake
    moderator = Person(4004, "mo", role_ids=[fake.admin_role_id])
    status = await slash(discord_bot, moderator, "status")
    assert "Live model: v1 (accuracy 90.0%)" in status["content"] and not status["ephemeral"]
    added = await slash(discord_bot, moderator, "addcity", name="Paris", aliases="Paname, Lutèce")
    assert added["content"].startswith("Added Paris (also Lutèce, Paname)")
    await asyncio.to_thread(install_live_version, discord_bot.store, discord_bot.data_dir, trained_version, "v2")
    models = (await slash(discord_bot, moderator, "models"))["content"]
    assert models.splitlines()[0].startswith("v2  live") and "v1  retired" in models
    assert "v2 → v1 is live" in (await slash(discord_bot, moderator, "rollback"))["content"]
    await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 30), "image/jpeg"),))
    assert "model v1" in (await fake.wait_for_replies(1))[0]["content"]
    assert "no model version 'v9'" in (await slash(discord_bot, moderator, "rollback", version="v9"))["content"]


async def test_admin_retrain_trains_and_reports_with_plots(tmp_path):
    """An admin's /retrain queues a real (tiny) run; the result and the confusion-matrix and lr_find plots arrive in the channel."""
    config = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=0, augment=False, lr_find_iterations=10)
    async with running_discord(tmp_path, None, train_config=config) as running:
        await asyncio.to_thread(seed_store, running.store, 8, (64, 64))
        queued = await slash(running, ADMIN, "retrain")
        assert queued["content"].startswith("Training queued (run 1)") and not queued["ephemeral"]
        again = await slash(running, ADMIN, "retrain")
        assert "already running" in again["content"]
        fake = running.fake
        result = await fake.wait_for(
            lambda: next((m for m in fake.bot_messages() if "finished" in m["content"] or "failed" in m["content"]), None), timeout=240
        )
        verdict = result["content"]  # eight photos a city may or may not beat chance: either verdict is a full report
        assert "Training run 1 finished" in verdict and ("is now live" in verdict or "was rejected" in verdict), verdict
        assert "accuracy" in verdict
        names = [attachment["filename"] for attachment in result["attachments"]]
        assert any("confusion" in name for name in names) and any("lr_find" in name for name in names)
