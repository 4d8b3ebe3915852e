"""One module per user action; `bot.telegram.app.register_handlers` wires them all in one place."""
