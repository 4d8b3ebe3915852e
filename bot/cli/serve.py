"""`citybot serve`: the Telegram bot, the web page and the retrain scheduler in one process."""

import argparse
import asyncio

from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve`."""
    parser = subparsers.add_parser(
        "serve", help="run the Telegram bot (if TELEGRAM_BOT_TOKEN is set), the web page and the retrain schedule"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM."""
    from bot.serve import serve

    asyncio.run(serve(settings))
    return 0
