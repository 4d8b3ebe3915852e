"""Flood control: python-telegram-bot's AIORateLimiter (429 + retry_after), plus a few retries of transient 5xx."""

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0)  # seconds before each retry of a request that met a 5xx or a dropped connection


class RetryingRateLimiter(AIORateLimiter):
    """Throttles like AIORateLimiter and retries 429 after retry_after; 5xx/network faults get RETRY_DELAYS."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        for delay in (*RETRY_DELAYS, None):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, Forbidden, InvalidToken, TimedOut):
                raise  # our mistake, or possibly delivered already: retrying would not help or would duplicate
            except NetworkError as error:
                if delay is None:
                    raise
                log.warning("Bot API %s failed (%s); retrying in %.1fs", endpoint, error, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
