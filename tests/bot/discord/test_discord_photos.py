"""Photos posted on Discord: ranking with buttons, taps by the poster and by others, replies, teaching."""

from sqlalchemy import select

from storage.models import Label, Prediction, User
from tests.bot.discord.conftest import OTHER, USER, answer_recorded
from tests.fakes.discord_view import button, button_labels, visible_text
from tests.synthetic import photo_bytes

CITY_NAMES = ("Cebu", "Munich", "Seoul")


def _labels(store):
    with store.transaction() as session:
        rows = session.execute(select(Label, User).join(User, User.id == Label.user_id).order_by(Label.id))
        return [(user.platform, user.external_id, l.city.name if l.city else None, l.kind, l.model_version, l.prediction_id) for l, user in rows]


async def test_photo_gets_every_city_ranked_with_buttons(discord_bot):
    """A posted photo is answered in reply with every city, percentages, the model version and one button per city."""
    fake = discord_bot.fake
    posted = await fake.post(USER, files=(("munich.jpg", photo_bytes("Munich", 1), "image/jpeg"),))
    answer = (await answer_recorded(discord_bot))[0]
    assert answer["message_reference"]["message_id"] == posted["id"]
    text = answer["content"]
    ranked = [line for line in text.splitlines() if line.split(" ")[0] in CITY_NAMES]
    assert len(ranked) == 3 and "model v1" in text and len(text) <= 2000
    percents = [int(line.split()[1].rstrip("%")) for line in ranked]
    assert percents == sorted(percents, reverse=True)
    labels = button_labels(answer)
    assert labels[0].startswith("✅ Yes, it's ") and labels[-1] == "❌ None of these"
    assert sorted(label.removeprefix("✅ Yes, it's ") for label in labels[:-1]) == sorted(CITY_NAMES)
    with discord_bot.store.transaction() as session:
        prediction = session.scalars(select(Prediction)).one()
        assert (prediction.platform, prediction.reply_ref) == ("discord", f"{fake.channel_id}:{answer['id']}")


async def test_taps_store_each_users_own_label_with_the_model_version(discord_bot):
    """The poster's tap stores their label; another user's tap stores theirs without overwriting the poster's."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("seoul.jpg", photo_bytes("Seoul", 2), "image/jpeg"),))
    answer = (await fake.wait_for_replies(1))[0]
    top = button_labels(answer)[0].removeprefix("✅ Yes, it's ")
    other = next(city for city in CITY_NAMES if city != top)
    tap = await fake.tap(USER, answer, button(answer, other)["custom_id"])
    await fake.wait_for_response(tap)
    shown = fake.message(fake.channel_id, int(answer["id"]))
    assert f"bo: Saved: it's {other}" in shown["content"] and button_labels(shown) == button_labels(answer)
    tap = await fake.tap(OTHER, answer, button(answer, "Yes, it's")["custom_id"])
    await fake.wait_for_response(tap)
    shown = fake.message(fake.channel_id, int(answer["id"]))
    assert f"bo: Saved: it's {other}" in shown["content"] and f"cy: Saved: it's {top}" in shown["content"]
    assert _labels(discord_bot.store) == [
        ("discord", str(USER.id), other, "correction", "v1", 1),
        ("discord", str(OTHER.id), top, "confirmation", "v1", 1),
    ]
    tap = await fake.tap(USER, answer, button(answer, "None of these")["custom_id"])
    await fake.wait_for_response(tap)
    assert _labels(discord_bot.store)[0] == ("discord", str(USER.id), None, "correction", "v1", 1)


async def test_reply_with_city_name_relabels_and_unknown_name_stores_nothing(discord_bot):
    """Replying "münchen" to the answer stores Munich; an unknown name lists the known cities and stores nothing."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("a.jpg", photo_bytes("Cebu", 3), "image/jpeg"),))
    answer = (await answer_recorded(discord_bot))[0]
    await fake.post(USER, "Atlantis", reply_to=answer)
    refusal = (await fake.wait_for_replies(2))[1]
    assert "Atlantis" in refusal["content"] and "Munich" in refusal["content"]
    assert _labels(discord_bot.store) == []
    await fake.post(USER, "MUNICH", reply_to=answer)
    saved = (await fake.wait_for_replies(3))[2]
    assert "Saved: it's Munich" in saved["content"] and "model v1" in saved["content"]
    kind = "confirmation" if button_labels(answer)[0] == "✅ Yes, it's Munich" else "correction"
    assert [label[2:] for label in _labels(discord_bot.store)] == [("Munich", kind, "v1", 1)]


async def test_photo_with_city_text_teaches(discord_bot):
    """An image posted with "Seoul" as its text is stored as a Seoul example and the reply says what the model thought."""
    fake = discord_bot.fake
    await fake.post(USER, "Seoul", files=(("s.png", photo_bytes("Seoul", 4, fmt="PNG"), "image/png"),))
    reply = (await fake.wait_for_replies(1))[0]
    assert "I'll remember this one as Seoul" in reply["content"] and "model v1" in reply["content"]
    assert not reply["components"]
    assert [label[2:4] for label in _labels(discord_bot.store)] == [("Seoul", "caption")]


async def test_several_images_get_one_answer_each(discord_bot):
    """Two images in one message get two answers, each with its own buttons and stored prediction."""
    fake = discord_bot.fake
    files = (("1.jpg", photo_bytes("Cebu", 5), "image/jpeg"), ("2.jpg", photo_bytes("Munich", 6), "image/jpeg"))
    await fake.post(USER, files=files)
    answers = await fake.wait_for_replies(2)
    assert all("model v1" in answer["content"] for answer in answers)
    ids = {button(answer, "None of these")["custom_id"] for answer in answers}
    assert len(ids) == 2
    with discord_bot.store.transaction() as session:
        assert len(session.scalars(select(Prediction)).all()) == 2


async def test_images_in_a_direct_message_are_answered(discord_bot):
    """A photo sent in a DM is answered there, and the sender is a Discord user in the store."""
    fake = discord_bot.fake
    posted = await fake.post(USER, files=(("dm.jpg", photo_bytes("Munich", 7), "image/jpeg"),), in_dm=True)
    answers = await fake.wait_for_replies(1, channel_id=int(posted["channel_id"]))
    assert "model v1" in visible_text(answers[0])


async def test_photo_with_text_that_is_no_city_is_ranked_with_a_note(discord_bot):
    """"look at this!" with a photo teaches nothing: the photo is ranked, and a note lists the cities I know."""
    fake = discord_bot.fake
    await fake.post(USER, "look at this!", files=(("x.jpg", photo_bytes("Cebu", 8), "image/jpeg"),))
    answer = (await fake.wait_for_replies(1))[0]["content"]
    assert "model v1" in answer and "I don't know a city called 'look at this!'" in answer and "Cebu, Munich, Seoul" in answer
    assert _labels(discord_bot.store) == []


async def test_plain_text_gets_a_pointer_in_a_dm_and_silence_in_a_server(discord_bot):
    """In a DM, text that is no reply gets "Send me a photo…"; in a server channel the bot does not chime in."""
    fake = discord_bot.fake
    await fake.post(USER, "hello bot")
    dm = await fake.post(USER, "hello bot", in_dm=True)
    pointer = (await fake.wait_for_replies(1, channel_id=int(dm["channel_id"])))[0]
    assert pointer["content"].startswith("Send me a photo of a city")
    await fake.post(USER, files=(("x.jpg", photo_bytes("Cebu", 9), "image/jpeg"),))
    first = (await fake.wait_for_replies(1))[0]
    assert "model v1" in first["content"]  # the server's first bot message is the photo's answer
