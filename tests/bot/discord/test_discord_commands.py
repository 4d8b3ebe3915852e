"""Slash commands everyone has: /help, /cities, /stats, /forget (with its confirmation button)."""

from sqlalchemy import func, select

from storage.models import Label
from tests.bot.discord.conftest import OTHER, USER, answer_recorded, slash
from tests.fakes.discord_view import button, button_labels
from tests.synthetic import photo_bytes


def _label_count(store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(Label))


async def test_slash_commands_are_registered_and_help_lists_cities(discord_bot):
    """The bot registers its slash commands at start-up; /help explains and names every city, privately."""
    registered = {command["name"] for command in discord_bot.fake.commands}
    assert {"help", "cities", "stats", "forget", "retrain", "status", "models", "rollback", "addcity"} <= registered
    answer = await slash(discord_bot, USER, "help")
    assert "Post a photo" in answer["content"] and "Cebu, Munich, Seoul" in answer["content"] and answer["ephemeral"]
    assert "/retrain" not in answer["content"]  # not an admin


async def test_cities_and_stats(discord_bot):
    """/cities lists the cities with example counts; /stats counts this user's photos and labels and names the live model."""
    fake = discord_bot.fake
    assert "Munich — 0 examples" in (await slash(discord_bot, USER, "cities"))["content"]
    await fake.post(USER, "Munich", files=(("m.jpg", photo_bytes("Munich", 11), "image/jpeg"),))
    await fake.wait_for_replies(1)
    stats = (await slash(discord_bot, USER, "stats"))["content"]
    assert "You sent 1 photo(s) and gave 1 label(s)" in stats and "1 taught by caption" in stats and "Live model: v1" in stats
    assert "Munich — 1 examples" in (await slash(discord_bot, USER, "cities"))["content"]


async def test_forget_deletes_only_after_the_askers_confirmation(discord_bot):
    """/forget asks first; another user's tap deletes nothing; the asker's "yes" deletes their labels and photos."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("s.jpg", photo_bytes("Seoul", 12), "image/jpeg"),))
    answer = (await answer_recorded(discord_bot))[0]
    await fake.wait_for_response(await fake.tap(USER, answer, button(answer, "Seoul")["custom_id"]))
    assert _label_count(discord_bot.store) == 1
    question = await slash(discord_bot, USER, "forget")
    assert "cannot be undone" in question["content"] and question["ephemeral"]
    assert button_labels(question["message"]) == ["Yes, delete my data", "Cancel"]
    yes = button(question["message"], "Yes")["custom_id"]
    refused = await fake.wait_for_response(await fake.tap(OTHER, question["message"], yes))
    assert "Only the person who asked" in refused[0]["data"]["content"] and _label_count(discord_bot.store) == 1
    await fake.wait_for_response(await fake.tap(USER, question["message"], yes))
    done = fake.message(int(question["message"]["channel_id"]), int(question["message"]["id"]))
    assert done["content"] == "Done: deleted 1 label(s) and 1 photo(s) of yours." and done["components"] == []
    assert _label_count(discord_bot.store) == 0
