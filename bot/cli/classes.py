"""`citybot classes`: list, add and remove (deactivate) cities."""

import argparse

from sqlalchemy.orm import Session

from bot.cli.common import in_transaction
from bot.settings import Settings
from storage.cities import add_city, deactivate_city, list_cities


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `classes` with its `add` and `remove` actions."""
    parser = subparsers.add_parser("classes", help="list, add or remove cities")
    actions = parser.add_subparsers(dest="action")
    add = actions.add_parser("add", help="add a city (or reactivate one)")
    add.add_argument("name")
    add.add_argument("--alias", action="append", default=[], help="another name people use (repeatable)")
    remove = actions.add_parser("remove", help="stop predicting a city; its labels are kept")
    remove.add_argument("name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """List the cities, or add/remove one."""
    return in_transaction(settings, lambda session: _act(args, session))


def _act(args: argparse.Namespace, session: Session) -> None:
    if args.action == "add":
        city = add_city(session, args.name, args.alias)
        print(f"added {city.name}" + (f" (aliases: {', '.join(city.aliases)})" if city.aliases else ""))
    elif args.action == "remove":
        city = deactivate_city(session, args.name)
        print(f"removed {city.name}; its labels are kept (add it again to reactivate)")
    else:
        for city in list_cities(session, include_inactive=True):
            aliases = f"  aliases: {', '.join(city.aliases)}" if city.aliases else ""
            print(f"{city.name}{'' if city.active else '  (inactive)'}{aliases}")
