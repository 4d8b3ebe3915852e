"""Keeping the bot token out of every log line: the Bot API puts it in each URL, and libraries log URLs and errors."""

import logging

REDACTED = "<telegram-token>"


class TokenFilter(logging.Filter):
    """Replaces the token in a record's message and traceback text before any handler writes it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, REDACTED), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, REDACTED)
        return True


def protect_token(token: str) -> TokenFilter:
    """Install the filter on every handler of the root logger (where all our records end up)."""
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    return token_filter
