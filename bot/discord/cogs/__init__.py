"""One Cog per feature, each module ending in `async def setup(bot)` (the python-discord layout)."""
