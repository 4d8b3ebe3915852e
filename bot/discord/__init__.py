"""The Discord front end (discord.py 2): thin Cogs over the shared core in `bot.core`."""
