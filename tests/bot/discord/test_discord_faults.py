"""Faults around the Discord bot: rate limits, a failing CDN, redelivered messages, no model yet."""

import asyncio
import logging

from sqlalchemy import func, select, text

from bot.discord.errors import APOLOGY
from storage.models import Image, Prediction
from tests.bot.discord.conftest import ADMIN, USER, running_discord, slash
from tests.synthetic import photo_bytes


def _count(store, model) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


async def test_429_on_the_answer_is_waited_out_and_sent_once(discord_bot):
    """A 429 with retry_after on the answer is retried by discord.py; the user sees exactly one answer."""
    fake = discord_bot.fake
    fake.fail_next("POST channels/{}/messages", 429, retry_after=0.2)
    await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 70), "image/jpeg"),))
    assert "model v1" in (await fake.wait_for_replies(1))[0]["content"]
    await asyncio.sleep(0.3)
    assert len(fake.bot_messages()) == 1 and fake.requests.count(f"POST /channels/{fake.channel_id}/messages") == 2


async def test_failing_download_gets_an_apology_and_a_logged_traceback(discord_bot, caplog):
    """When the CDN fails, the traceback is logged and the poster gets a short apology; the next photo works."""
    caplog.set_level(logging.INFO)
    fake = discord_bot.fake
    fake.fail_next("GET cdn", 500)
    await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 71), "image/jpeg"),))
    apology = (await fake.wait_for_replies(1))[0]
    assert apology["content"] == APOLOGY
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info is not None
    assert _count(discord_bot.store, Image) == 0
    await fake.post(USER, files=(("c.jpg", photo_bytes("Cebu", 72), "image/jpeg"),))
    assert "model v1" in (await fake.wait_for_replies(2))[1]["content"]


async def test_redelivered_message_is_answered_once(discord_bot):
    """The same MESSAGE_CREATE delivered twice (a gateway resume) stores one prediction and sends one answer."""
    fake = discord_bot.fake
    message = await fake.post(USER, files=(("s.jpg", photo_bytes("Seoul", 73), "image/jpeg"),))
    await fake.dispatch("MESSAGE_CREATE", message)
    await fake.wait_for_replies(1)
    await asyncio.sleep(0.5)
    await fake.dispatch("MESSAGE_CREATE", message)
    await asyncio.sleep(0.5)
    assert len(fake.bot_messages()) == 1 and _count(discord_bot.store, Prediction) == 1


async def test_before_any_model_people_are_told_to_teach_and_admins_what_is_missing(tmp_path):
    """Cold start: a photo gets "I haven't been trained yet", admins also see how many examples each city needs."""
    async with running_discord(tmp_path, None) as running:
        fake = running.fake
        await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 74), "image/jpeg"),))
        told = (await fake.wait_for_replies(1))[0]["content"]
        assert told.startswith("I haven't been trained yet") and "more (has 0)" not in told
        await fake.post(ADMIN, files=(("m.jpg", photo_bytes("Munich", 75), "image/jpeg"),))
        assert "Munich: 5 more (has 0)" in (await fake.wait_for_replies(2))[1]["content"]
        assert _count(running.store, Prediction) == 0


async def test_slash_command_fault_gets_a_private_apology_and_a_logged_traceback(discord_bot, caplog):
    """With the database broken under it, /stats answers the short apology privately and logs the traceback."""
    caplog.set_level(logging.INFO)
    with discord_bot.store.engine.begin() as connection:
        connection.execute(text("DROP TABLE labels"))
    answer = await slash(discord_bot, USER, "stats")
    assert answer["content"] == APOLOGY and answer["ephemeral"]
    assert any(record.levelno >= logging.ERROR and record.exc_info for record in caplog.records)
