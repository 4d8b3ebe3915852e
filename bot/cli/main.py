"""The `citybot` command: one sub-command module per job, each with `register(subparsers)`."""

import argparse
import logging
import sys
from typing import Optional, Sequence

from bot.cli import classes, export, gather, imports, status, models, predict, train, web, serve, users
from bot.settings import Settings, SettingsError, load_settings

COMMAND_MODULES = [classes, imports, gather, status, export, train, predict, models, web, serve, users]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="citybot", description="Which city is in this photo? A bot that learns.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def configure_logging(settings: Settings) -> None:
    """Log lines to stderr; httpx stays at WARNING because request URLs carry the bot token."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "alembic", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `citybot` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"citybot: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    return int(args.run(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
