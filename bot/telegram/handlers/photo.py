"""A photo, or an image sent as a document: rank every city (or learn it, when the caption names one)."""

import asyncio
import logging
from typing import Optional

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.errors import NotTrained, RateLimited
from bot.core.formatting import TELEGRAM_TEXT_LIMIT, format_cities, format_cold_start, format_ranking, format_taught
from bot.core.results import Answer
from bot.telegram.deps import PLATFORM, TelegramDeps, get_deps, message_ref, user_ref
from bot.telegram.keyboards import answer_keyboard
from storage.errors import BadImage, UnknownCity

log = logging.getLogger(__name__)


class TooLarge(Exception):
    """The file is over the Bot API's download limit; nothing was downloaded."""


async def classify_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the photo (largest size within the limit) and answer with the ranking, or learn from its caption."""
    deps = get_deps(context)
    message = update.effective_message
    source_ref = message_ref(message)
    if source_ref in deps.in_flight:
        return  # the same message is being answered right now (a redelivered update)
    deps.in_flight.add(source_ref)
    try:
        await _handle(update, context, deps, message, source_ref)
    finally:
        deps.in_flight.discard(source_ref)


async def refuse_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document that is not an image: say what we accept; nothing is downloaded or stored."""
    document = update.effective_message.document
    kind = document.mime_type or "unknown type"
    await update.effective_message.reply_text(
        f"That file ({kind}) is not an image I can read. Send a photo, or a JPEG/PNG/WebP image as a file.", do_quote=True
    )


async def _handle(update: Update, context, deps: TelegramDeps, message: Message, source_ref: str) -> None:
    user = user_ref(update, deps)
    try:
        file_id = _pick_file(message, deps.max_download_bytes)
    except TooLarge as error:
        await message.reply_text(str(error), do_quote=True)
        return
    data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    caption = (message.caption or "").strip()
    note: Optional[str] = None
    try:
        if caption:
            try:
                taught = await asyncio.to_thread(deps.core.teach, data, caption, user, PLATFORM, source_ref)
            except UnknownCity:
                cities = await asyncio.to_thread(deps.core.cities)
                note = f"(I don't know a city called {caption!r}, so I didn't learn from it. {format_cities([c.name for c in cities])})"
            else:
                if not taught.duplicate:
                    await message.reply_text(format_taught(taught), do_quote=True)
                return
        answer = await asyncio.to_thread(deps.core.classify, data, user, PLATFORM, source_ref)
    except BadImage as error:
        await message.reply_text(f"Sorry, I can't use that image: {error}.", do_quote=True)
    except RateLimited as error:
        await message.reply_text(str(error), do_quote=True)
    except NotTrained:
        cold = await asyncio.to_thread(deps.core.cold_start)
        await message.reply_text(format_cold_start(cold, for_admin=user.is_admin), do_quote=True)
    else:
        await _send_answer(message, deps, answer, note)


async def _send_answer(message: Message, deps: TelegramDeps, answer: Answer, note: Optional[str]) -> None:
    if answer.duplicate and answer.reply_ref is not None:
        log.info("update for %s redelivered; already answered", message_ref(message))
        return
    limit = TELEGRAM_TEXT_LIMIT - (len(note) + 1 if note else 0)
    text = format_ranking(answer.ranking, answer.model_version, answer.sure, max_length=limit)
    sent = await message.reply_text(
        f"{text}\n{note}" if note else text, reply_markup=answer_keyboard(answer.prediction_id, answer.ranking), do_quote=True
    )
    await asyncio.to_thread(deps.core.attach_reply, answer.prediction_id, message_ref(sent))


def _pick_file(message: Message, limit: int) -> str:
    """The file id to download: the largest photo size within `limit`, or the image document if small enough."""
    if message.photo:
        fitting = [size for size in message.photo if (size.file_size or 0) <= limit]
        if not fitting:
            raise TooLarge(_too_large(message.photo[-1].file_size or 0, limit))
        return max(fitting, key=lambda size: size.width * size.height).file_id
    document = message.document
    if document.file_size is not None and document.file_size > limit:
        raise TooLarge(_too_large(document.file_size, limit))
    return document.file_id


def _too_large(size: int, limit: int) -> str:
    return (
        f"That file is too large ({size / 1024 / 1024:.1f} MB); Telegram lets bots download at most "
        f"{limit / 1024 / 1024:.0f} MB. Send it as a photo instead, or a smaller file."
    )
