"""Start-up and lifetime: the message-content intent, a bad token, a token that never leaks, buttons that survive restarts."""

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.discord.client import build_discord_bot
from bot.discord.errors import DiscordStartError, MissingIntent
from bot.discord.run import run_discord
from storage.models import Label
from tests.bot.discord.conftest import ADMIN, ADMIN_ROLE, USER, answer_recorded, running_discord, slash
from tests.fakes.discord_api import TOKEN
from tests.fakes.discord_view import button
from tests.synthetic import photo_bytes

PORTAL_HINT = "Privileged Gateway Intents → MESSAGE CONTENT INTENT"


async def test_missing_message_content_intent_is_named_at_start_up(tmp_path, caplog):
    """An application without the intent stops before the gateway, logging what to enable in the developer portal."""
    async with running_discord(tmp_path, None, message_content_allowed=False) as running:
        with pytest.raises(MissingIntent, match="MESSAGE CONTENT INTENT"):
            await asyncio.wait_for(running.task, 20)
        assert running.fake.connections == 0
    assert PORTAL_HINT in caplog.text


async def test_gateway_refusing_the_intent_gives_the_same_advice(tmp_path, caplog):
    """If the gateway closes with 4014 (intent switched off after start-up), the same portal advice is logged."""
    async with running_discord(tmp_path, None, gateway_refuses_content=True) as running:
        with pytest.raises(DiscordStartError, match="MESSAGE CONTENT INTENT"):
            await asyncio.wait_for(running.task, 20)
        assert running.fake.close_code == 4014
    assert PORTAL_HINT in caplog.text


async def test_rejected_token_is_reported_without_the_token(tmp_path, caplog):
    """A wrong token ends the Discord bot with "rejected DISCORD_BOT_TOKEN", and the token is nowhere in the logs."""
    caplog.set_level(logging.DEBUG)
    async with running_discord(tmp_path, None, gateway_refuses_content=True) as running:
        running.task.cancel()
        await asyncio.gather(running.task, return_exceptions=True)
        wrong = "wrong-" + TOKEN
        client = build_discord_bot(running.core, running.admin, [], None, 1024)
        with pytest.raises(DiscordStartError, match="rejected DISCORD_BOT_TOKEN") as raised:
            await run_discord(client, wrong)
        assert wrong not in str(raised.value)
    assert "rejected DISCORD_BOT_TOKEN" in caplog.text and TOKEN not in caplog.text


async def test_token_never_appears_in_logs_or_messages(discord_bot, caplog):
    """Through start-up, a photo, a tap and an admin command at DEBUG level, the bot token is never logged or sent."""
    caplog.set_level(logging.DEBUG)
    fake = discord_bot.fake
    await fake.post(USER, files=(("m.jpg", photo_bytes("Munich", 40), "image/jpeg"),))
    answer = (await answer_recorded(discord_bot))[0]
    await fake.wait_for_response(await fake.tap(USER, answer, button(answer, "None of these")["custom_id"]))
    await slash(discord_bot, ADMIN, "status")
    sent = " ".join(str(message) for messages in fake.channels.values() for message in messages)
    assert TOKEN not in caplog.text and TOKEN not in sent and TOKEN not in repr(discord_bot.client)


async def test_buttons_keep_working_after_a_restart(discord_bot):
    """A tap on an answer sent before the bot restarted is still stored, bound to the old prediction."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("c.jpg", photo_bytes("Cebu", 41), "image/jpeg"),))
    answer = (await answer_recorded(discord_bot))[0]
    await discord_bot.client.close()
    await asyncio.wait_for(discord_bot.task, 20)
    restarted = build_discord_bot(discord_bot.core, discord_bot.admin, [ADMIN.id], ADMIN_ROLE, 1024 * 1024)
    task = asyncio.create_task(run_discord(restarted, TOKEN))
    try:
        await fake.wait_for(lambda: fake.connections == 2)
        await fake.wait_for_response(await fake.tap(USER, answer, button(answer, "Seoul")["custom_id"]))
        assert "bo: Saved: it's Seoul" in fake.message(fake.channel_id, int(answer["id"]))["content"]
        with discord_bot.store.transaction() as session:
            label = session.scalars(select(Label)).one()
            assert (label.city.name, label.prediction_id, label.model_version) == ("Seoul", 1, "v1")
    finally:
        await restarted.close()
        await asyncio.wait_for(task, 20)
