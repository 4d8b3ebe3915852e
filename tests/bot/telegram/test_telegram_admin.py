"""Admin commands by numeric id, and hot swap of the live model while photos keep arriving."""

import asyncio
import logging

from sqlalchemy import func, select

from bot.telegram.errors import APOLOGY
from storage.models import Prediction, TrainingRun
from tests.bot.telegram.conftest import ADMIN_ID, USER_ID
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes


async def _say(bot, user_id: int, text: str):
    before = len(bot.fake.sent)
    await bot.fake.push(bot.fake.text_update(user_id, text))
    return await bot.fake.wait_for(lambda s: s in bot.fake.sent[before:] and s.chat_id == user_id)


async def test_non_admin_gets_not_authorised_and_nothing_happens(bot, caplog):
    """/retrain, /rollback and /addcity from a non-admin: "not authorised", logged with the user id, nothing changes."""
    caplog.set_level(logging.WARNING)
    for command in ("/retrain", "/rollback", "/addcity Paris"):
        assert "not authorised" in (await _say(bot, USER_ID, command)).text
    assert f"user {USER_ID} tried retrain" in caplog.text
    with bot.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TrainingRun)) == 0
    assert [city.name for city in bot.core.cities()] == ["Cebu", "Munich", "Seoul"]


async def test_admin_status_models_addcity_and_rollback(bot, trained_version):
    """An admin sees status and models, adds a city with an alias, and rolls back to the previous version."""
    status = (await _say(bot, ADMIN_ID, "/status")).text
    assert "Live model: v1 (accuracy 90.0%)" in status
    added = (await _say(bot, ADMIN_ID, "/addcity Paris Paname")).text
    assert added.startswith("Added Paris (also Paname)")
    assert "Paris" in [city.name for city in bot.core.cities()]
    await asyncio.to_thread(install_live_version, bot.store, bot.data_dir, trained_version, "v2")
    models = (await _say(bot, ADMIN_ID, "/models")).text
    assert models.splitlines()[0].startswith("v2  live") and "v1  retired" in models
    assert "v2 → v1 is live" in (await _say(bot, ADMIN_ID, "/rollback")).text
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Munich", 30)))
    await bot.fake.wait_for(lambda s: s.chat_id == USER_ID and "model v1" in (s.text or ""))
    assert "no model version 'v9'" in (await _say(bot, ADMIN_ID, "/rollback v9")).text


async def test_hot_swap_while_photos_keep_arriving(bot, trained_version):
    """A new live version is picked up without a restart; every answer names one version and matches what was stored."""
    async def send_photos(first: int, count: int) -> None:
        for seed in range(first, first + count):
            await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Seoul", seed)))
            await asyncio.sleep(0.05)

    sender = asyncio.create_task(send_photos(100, 12))
    await asyncio.sleep(0.2)
    await asyncio.to_thread(install_live_version, bot.store, bot.data_dir, trained_version, "v2")
    await sender
    await bot.fake.wait_for(lambda s: len([m for m in bot.fake.sent if m.method == "sendMessage"]) >= 12)
    await asyncio.sleep(0.5)
    await send_photos(200, 2)
    await bot.fake.wait_for(lambda s: len([m for m in bot.fake.sent if m.method == "sendMessage"]) >= 14)
    answers = [m for m in bot.fake.sent if m.method == "sendMessage"]
    assert all(m.text != APOLOGY for m in answers)
    named = [("model v1" in m.text) + ("model v2" in m.text) for m in answers]
    assert named == [1] * 14
    assert "model v2" in answers[-1].text and "model v1" in answers[0].text
    with bot.store.transaction() as session:
        stored = {p.reply_ref.split(":")[1]: p.model_version for p in session.scalars(select(Prediction))}
    assert all(f"model {stored[str(m.message_id)]}" in m.text for m in answers)
