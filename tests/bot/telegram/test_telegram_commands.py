"""/start, /help, /cities, /stats and /forget as a user sees them."""

from sqlalchemy import func, select

from storage.models import Image, Label
from tests.bot.telegram.conftest import ADMIN_ID, USER_ID
from tests.synthetic import photo_bytes


async def _say(bot, user_id: int, text: str):
    before = len(bot.fake.sent)
    await bot.fake.push(bot.fake.text_update(user_id, text))
    return await bot.fake.wait_for(lambda s: s in bot.fake.sent[before:] and s.chat_id == user_id)


async def test_start_help_and_cities(bot):
    """/start explains the bot, /help lists the cities (and admin commands only for admins), /cities counts examples."""
    assert "Send me a photo" in (await _say(bot, USER_ID, "/start")).text
    user_help = (await _say(bot, USER_ID, "/help")).text
    assert "Cebu, Munich, Seoul" in user_help and "/retrain" not in user_help
    assert "/retrain" in (await _say(bot, ADMIN_ID, "/help")).text
    assert "Munich — 0 examples" in (await _say(bot, USER_ID, "/cities")).text


async def test_stats_counts_the_users_contributions(bot):
    """After a photo and a tap, /stats shows one photo, one label and the live model."""
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Munich", 21)))
    answer = await bot.fake.wait_for(lambda s: "model v1" in (s.text or ""))
    await bot.fake.push(bot.fake.tap(USER_ID, answer, answer.callback_data("Munich")))
    await bot.fake.wait_for(lambda s: s.method == "editMessageText")
    stats = (await _say(bot, USER_ID, "/stats")).text
    assert "You sent 1 photo(s) and gave 1 label(s)" in stats and "v1 (accuracy 90.0%)" in stats


async def test_forget_deletes_only_after_confirmation(bot):
    """/forget asks first; Cancel keeps everything, "Yes" deletes the user's labels and unshared photos."""
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Seoul", 22), caption="Seoul"))
    await bot.fake.wait_for(lambda s: "remember this one" in (s.text or ""))
    question = await _say(bot, USER_ID, "/forget")
    await bot.fake.push(bot.fake.tap(USER_ID, question, question.callback_data("Cancel")))
    await bot.fake.wait_for(lambda s: s.text == "Nothing was deleted.")
    with bot.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Label)) == 1
    await bot.fake.push(bot.fake.tap(USER_ID, question, question.callback_data("Yes")))
    done = await bot.fake.wait_for(lambda s: (s.text or "").startswith("Done"))
    assert "1 label(s) and 1 photo(s)" in done.text
    with bot.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Label)) == 0
        assert session.scalar(select(func.count()).select_from(Image)) == 0
    assert not [path for path in (bot.data_dir / "images").rglob("*") if path.is_file()]
