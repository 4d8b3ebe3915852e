"""Telegram and Discord share one core: the same photo gets the same ranking and the same kind of stored records."""

import asyncio

from sqlalchemy import select

from bot.discord.client import build_discord_bot
from bot.discord.run import run_discord
from storage.models import Image, Label, Prediction, User
from tests.bot.discord.conftest import USER
from tests.bot.telegram.conftest import USER_ID, running_bot
from tests.fakes.discord_api import TOKEN, FakeDiscord
from tests.fakes.discord_view import button, button_labels
from tests.synthetic import photo_bytes


def _ranking_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.split(" ")[0] in ("Cebu", "Munich", "Seoul")]


async def test_same_photo_same_ranking_and_records_on_telegram_and_discord(tmp_path, trained_version):
    """One photo sent on Telegram and posted on Discord: identical ranking text and buttons, one image, two users' labels."""
    photo = photo_bytes("Munich", 50)
    async with running_bot(tmp_path, trained_version) as telegram:
        discord_fake = FakeDiscord()
        await discord_fake.start()
        with discord_fake.patched_endpoints():
            client = build_discord_bot(telegram.core, telegram.admin, [], None, 1024 * 1024)
            task = asyncio.create_task(run_discord(client, TOKEN))
            try:
                await discord_fake.wait_connected()
                await telegram.fake.push(telegram.fake.photo_update(USER_ID, photo))
                on_telegram = await telegram.fake.wait_for(lambda s: s.method == "sendMessage")
                await discord_fake.post(USER, files=(("munich.jpg", photo, "image/jpeg"),))
                on_discord = (await discord_fake.wait_for_replies(1))[0]
                assert _ranking_lines(on_discord["content"]) == _ranking_lines(on_telegram.text) != []
                assert on_discord["content"].splitlines()[0] == on_telegram.text.splitlines()[0]  # the verdict
                assert button_labels(on_discord) == on_telegram.button_texts()
                await telegram.fake.push(telegram.fake.tap(USER_ID, on_telegram, on_telegram.callback_data("Seoul")))
                await telegram.fake.wait_for(lambda s: s.method == "editMessageText")
                await discord_fake.wait_for_response(await discord_fake.tap(USER, on_discord, button(on_discord, "Seoul")["custom_id"]))
            finally:
                await client.close()
                await asyncio.wait_for(task, 20)
                await discord_fake.stop()
        with telegram.store.transaction() as session:
            assert len(session.scalars(select(Image)).all()) == 1  # the same bytes are one stored photo
            predictions = {p.platform: p for p in session.scalars(select(Prediction))}
            assert predictions["telegram"].ranking == predictions["discord"].ranking
            assert predictions["telegram"].model_version == predictions["discord"].model_version == "v1"
            labels = session.execute(select(Label, User).join(User, User.id == Label.user_id)).all()
            stored = sorted((user.platform, user.external_id, label.city.name, label.kind, label.model_version) for label, user in labels)
            kind = "confirmation" if predictions["discord"].ranking[0][0] == "Seoul" else "correction"
            assert stored == [("discord", str(USER.id), "Seoul", kind, "v1"), ("telegram", str(USER_ID), "Seoul", kind, "v1")]
