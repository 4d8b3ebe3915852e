"""The Telegram front end: thin python-telegram-bot glue around bot.core."""
