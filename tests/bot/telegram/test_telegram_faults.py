"""Faults: Bot API flood control and 5xx, a failing download, and the token kept out of logs and replies."""

import logging

from bot.telegram.errors import APOLOGY
from bot.telegram.logs import REDACTED, TokenFilter
from tests.bot.telegram.conftest import TOKEN, USER_ID
from tests.synthetic import photo_bytes


async def test_429_with_retry_after_then_success(bot):
    """A 429 'retry after 1' on the answer is waited out and retried; the user gets exactly one answer."""
    bot.fake.fail_next("sendMessage", 429, retry_after=1)
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Munich", 11)))
    await bot.fake.wait_for(lambda s: "model v1" in (s.text or ""))
    assert [method for method, _ in bot.fake.calls].count("sendMessage") == 2
    assert len([s for s in bot.fake.sent if s.method == "sendMessage"]) == 1


async def test_transient_502_is_retried(bot):
    """A 502 from the Bot API is retried and the answer still arrives once."""
    bot.fake.fail_next("sendMessage", 502, times=2)
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Seoul", 12)))
    await bot.fake.wait_for(lambda s: "model v1" in (s.text or ""))
    assert len([s for s in bot.fake.sent if s.method == "sendMessage"]) == 1


async def test_failing_download_gets_an_apology_and_a_logged_traceback(bot, caplog):
    """When the file server fails, the error handler logs the traceback and the user gets a short apology — no token anywhere."""
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # as `citybot serve` configures it: URLs carry the token
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Cebu", 13), broken=True))
    apology = await bot.fake.wait_for(lambda s: s.chat_id == USER_ID)
    assert apology.text == APOLOGY
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info is not None
    await bot.fake.push(bot.fake.photo_update(USER_ID, photo_bytes("Cebu", 14)))
    await bot.fake.wait_for(lambda s: "model v1" in (s.text or ""))  # still serving
    assert TOKEN not in caplog.text
    assert all(TOKEN not in (s.text or "") for s in bot.fake.sent)


def test_token_filter_redacts_messages_and_tracebacks():
    """A log record (and its traceback) mentioning the token is written with the token replaced."""
    token_filter = TokenFilter(TOKEN)
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling %s", (f"/bot{TOKEN}/",), (type(error), error, error.__traceback__))
    token_filter.filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text and REDACTED in text and "RuntimeError" in text
