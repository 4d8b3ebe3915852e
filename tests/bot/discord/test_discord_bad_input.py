"""Files the bot must refuse on Discord: a clear reply, nothing downloaded where avoidable, nothing stored."""

import pytest
from sqlalchemy import func, select

from storage.models import Image, Label, Prediction
from tests.bot.discord.conftest import USER
from tests.storage.image_samples import png_declaring, truncated_jpeg
from tests.synthetic import photo_bytes


def _stored(store) -> tuple[int, int, int]:
    with store.transaction() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Image, Prediction, Label))


async def test_non_image_attachment_is_refused_without_downloading(discord_bot):
    """A PDF gets "not an image I can read", is never fetched from the CDN, and nothing is stored."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("notes.pdf", b"%PDF-1.4 not a photo", "application/pdf"),))
    reply = (await fake.wait_for_replies(1))[0]
    assert "not an image I can read" in reply["content"] and "notes.pdf" in reply["content"]
    assert fake.downloads == [] and _stored(discord_bot.store) == (0, 0, 0)


async def test_oversized_attachment_is_refused_before_downloading(discord_bot):
    """A file over the limit (2 MB in this bot) is refused from its declared size; the CDN is never asked."""
    fake = discord_bot.fake
    big = photo_bytes("Munich", 1) + b"\0" * (3 * 1024 * 1024)
    await fake.post(USER, files=(("huge.jpg", big, "image/jpeg"),))
    reply = (await fake.wait_for_replies(1))[0]
    assert "too large" in reply["content"] and "2 MB" in reply["content"]
    assert fake.downloads == [] and _stored(discord_bot.store) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "data"),
    [("cut.jpg", truncated_jpeg()), ("bomb.png", png_declaring(20000, 20000)), ("empty.jpg", b""), ("fake.jpg", b"<html>hi</html>")],
)
async def test_broken_images_get_a_clear_reply_and_store_nothing(discord_bot, name, data):
    """Truncated JPEGs, decompression bombs, empty files and HTML named .jpg: "can't use", nothing stored, bot still answers."""
    fake = discord_bot.fake
    await fake.post(USER, files=((name, data, "image/jpeg"),))
    reply = (await fake.wait_for_replies(1))[0]
    assert f"Sorry, I can't use {name}" in reply["content"] and not reply["components"]
    assert _stored(discord_bot.store) == (0, 0, 0)
    await fake.post(USER, files=(("ok.jpg", photo_bytes("Cebu", 9), "image/jpeg"),))
    assert "model v1" in (await fake.wait_for_replies(2))[1]["content"]


async def test_good_and_bad_attachments_in_one_message_are_answered_separately(discord_bot):
    """One message with a photo and a PDF: the photo is ranked, the PDF refused."""
    fake = discord_bot.fake
    await fake.post(USER, files=(("a.jpg", photo_bytes("Seoul", 3), "image/jpeg"), ("b.pdf", b"%PDF", "application/pdf")))
    first, second = await fake.wait_for_replies(2)
    assert "model v1" in first["content"] and "not an image" in second["content"]
    assert _stored(discord_bot.store)[:2] == (1, 1)
