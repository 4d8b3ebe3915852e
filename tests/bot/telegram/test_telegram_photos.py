"""Photos through the real bot: ranking and buttons, taps, replies, captions, documents, bad files, duplicates."""

from sqlalchemy import func, select

from bot.core.formatting import TELEGRAM_TEXT_LIMIT
from storage.models import Image, Label, Prediction
from tests.bot.telegram.conftest import USER_ID
from tests.storage.image_samples import png_declaring, truncated_jpeg
from tests.synthetic import photo_bytes


def _labels(store):
    with store.transaction() as session:
        return [(l.city.name if l.city else None, l.kind, l.model_version, l.prediction_id) for l in session.scalars(select(Label))]


def _count(store, model) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


async def test_photo_gets_every_city_ranked_with_buttons(bot):
    """A photo is answered with all cities, percentages, the model version and one button per city."""
    update = await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Munich", 1)))
    answer = await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    assert answer.reply_to == update["message"]["message_id"]
    for city in ("Cebu", "Munich", "Seoul"):
        assert city in answer.text
    bars = [line for line in answer.text.splitlines() if "% " in line and line.split()[0] in ("Cebu", "Munich", "Seoul")]
    assert len(bars) == 3 and "model v1" in answer.text
    percents = [int(line.split()[1].rstrip("%")) for line in bars]
    assert percents == sorted(percents, reverse=True)  # best first
    with bot.store.transaction() as session:
        top_probability = session.scalars(select(Prediction)).one().ranking[0][1]
    assert ("I'm not sure" in answer.text) == (top_probability < 0.5)
    buttons = answer.button_texts()
    assert buttons[0].startswith("✅ Yes, it's ") and buttons[-1] == "❌ None of these"
    assert sorted(b.removeprefix("✅ Yes, it's ") for b in buttons[:-1]) == ["Cebu", "Munich", "Seoul"]
    assert all(len(b["callback_data"].encode()) <= 64 for row in answer.buttons for b in row)
    assert len(answer.text) <= TELEGRAM_TEXT_LIMIT


async def test_tap_stores_label_with_model_version_and_can_change(bot):
    """Tapping a city stores the user's label bound to the prediction and its version; another tap changes it."""
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Seoul", 2)))
    answer = await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    top = answer.button_texts()[0].removeprefix("✅ Yes, it's ")
    other = next(city for city in ("Cebu", "Munich", "Seoul") if city != top)
    await bot.fake.push(bot.fake.tap(USER_ID, answer, answer.callback_data(other)))
    edited = await bot.fake.wait_for(lambda s: s.method == "editMessageText")
    assert f"it's {other}" in edited.text and edited.buttons  # still tappable
    assert _labels(bot.store) == [(other, "correction", "v1", 1)]
    await bot.fake.push(bot.fake.tap(USER_ID, answer, answer.callback_data("None of these")))
    await bot.fake.wait_for(lambda s: s.method == "editMessageText" and "none of these" in s.text)
    assert _labels(bot.store) == [(None, "correction", "v1", 1)]
    await bot.fake.push(bot.fake.tap(USER_ID, answer, answer.callback_data("Yes, it's")))
    await bot.fake.wait_for(lambda s: s.method == "editMessageText" and f"it's {top}" in s.text)
    assert _labels(bot.store) == [(top, "confirmation", "v1", 1)]


async def test_reply_with_city_name_relabels_and_unknown_name_stores_nothing(bot):
    """Replying 'münchen' stores Munich; replying 'Atlantis' lists the known cities and stores nothing."""
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Cebu", 3)))
    answer = await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    await bot.fake.push(bot.fake.text_update(USER_ID, "Atlantis", reply_to=answer))
    refusal = await bot.fake.wait_for(lambda s: s.text and "Atlantis" in s.text)
    assert "Cebu, Munich, Seoul" in refusal.text
    assert _labels(bot.store) == []
    await bot.fake.push(bot.fake.text_update(USER_ID, "  MÜNCHEN ", reply_to=answer))
    await bot.fake.wait_for(lambda s: s.text and s.text.startswith("Saved: it's Munich"))
    assert [label[0] for label in _labels(bot.store)] == ["Munich"]


async def test_caption_teaches_and_shows_what_model_would_have_said(bot):
    """A photo captioned with a city is stored as a caption label; the reply thanks and shows the ranking."""
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Seoul", 4), caption="seoul"))
    reply = await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    assert "Thanks" in reply.text and "Seoul" in reply.text and "model v1" in reply.text
    assert [(city, kind) for city, kind, *_ in _labels(bot.store)] == [("Seoul", "caption")]


async def test_cold_start_tells_users_and_admins_what_is_missing(untrained_bot):
    """Before any model: users are told to send captioned photos; admins also see how many examples are missing."""
    from tests.bot.telegram.conftest import ADMIN_ID

    fake = untrained_bot.fake
    await fake.push(fake.photo_update(USER_ID, photo_bytes("Munich", 5)))
    user_reply = await fake.wait_for(lambda s: s.chat_id == USER_ID)
    assert "haven't been trained yet" in user_reply.text and "more" not in user_reply.text
    await fake.push(fake.photo_update(ADMIN_ID, photo_bytes("Munich", 6)))
    admin_reply = await fake.wait_for(lambda s: s.chat_id == ADMIN_ID)
    assert "Munich: 5 more" in admin_reply.text
    await fake.push(fake.photo_update(USER_ID, photo_bytes("Munich", 7), caption="Munich"))
    await fake.wait_for(lambda s: s.chat_id == USER_ID and "remember this one as Munich" in s.text)
    assert _count(untrained_bot.store, Prediction) == 0 and _count(untrained_bot.store, Image) == 1


async def test_image_document_is_classified_like_a_photo(bot):
    """A PNG sent as a file gets a ranking."""
    data = photo_bytes("Cebu", 8, fmt="PNG")
    await bot.fake.push(bot.fake.document_update(USER_ID, data, "image/png", "cebu.png"))
    answer = await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    assert "model v1" in answer.text and _count(bot.store, Prediction) == 1


async def test_bad_files_are_refused_clearly_and_nothing_is_stored(bot):
    """A PDF, text named .jpg, a truncated JPEG, a decompression bomb and a 25 MB file (never downloaded): clear replies, bot keeps serving."""
    fake = bot.fake
    await fake.push(fake.document_update(USER_ID, b"%PDF-1.4 ...", "application/pdf", "city.pdf"))
    await fake.wait_for(lambda s: "not an image I can read" in (s.text or ""))
    await fake.push(fake.document_update(USER_ID, b"hello, not a jpeg", "image/jpeg", "city.jpg"))
    await fake.wait_for(lambda s: "can't use that image" in (s.text or ""))
    await fake.push(fake.photo_update(USER_ID, truncated_jpeg()))
    await fake.wait_for(lambda s: "damaged or truncated" in (s.text or ""))
    await fake.push(fake.document_update(USER_ID, png_declaring(20000, 20000), "image/png", "bomb.png"))
    await fake.wait_for(lambda s: "too large to decode safely" in (s.text or ""))
    big = fake.document_update(USER_ID, b"x", "image/jpeg", "huge.jpg", size=25 * 1024 * 1024)
    await fake.push(big)
    await fake.wait_for(lambda s: "too large" in (s.text or ""))
    assert not any(method == "getFile" and params.get("file_id") == big["message"]["document"]["file_id"] for method, params in fake.calls)
    assert _count(bot.store, Image) == 0 and _count(bot.store, Prediction) == 0
    await fake.push(fake.photo_update(USER_ID, photo_bytes("Munich", 9)))
    await fake.wait_for(lambda s: "model v1" in (s.text or ""))


async def test_redelivered_update_stores_one_prediction_and_sends_one_reply(bot):
    """The same message delivered twice (a restart or webhook retry) is answered once."""
    update = bot.fake.photo_update(USER_ID, photo_bytes("Seoul", 10))
    await bot.fake.push(dict(update))
    await bot.fake.wait_for(lambda s: s.method == "sendMessage")
    await bot.fake.push(dict(update))  # a new update_id, the same message
    await bot.fake.push(bot.fake.text_update(USER_ID, "/cities"))
    await bot.fake.wait_for(lambda s: "examples" in (s.text or ""))
    assert len([s for s in bot.fake.sent if s.method == "sendMessage" and "model v1" in (s.text or "")]) == 1
    assert _count(bot.store, Prediction) == 1


async def test_photo_rate_limit_answers_politely(tmp_path, trained_version):
    """Past PHOTO_RATE_LIMIT photos a minute, the user is asked to wait and nothing more is stored."""
    from tests.bot.telegram.conftest import running_bot

    async with running_bot(tmp_path, trained_version, photo_rate_limit=2) as bot:
        for seed in (31, 32, 33):
            await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Cebu", seed)))
        polite = await bot.fake.wait_for(lambda s: "try again in" in (s.text or ""))
        assert polite.chat_id == USER_ID
        await bot.fake.wait_for(lambda s: len([m for m in bot.fake.sent if "model v1" in (m.text or "")]) == 2)
        assert _count(bot.store, Prediction) == 2
