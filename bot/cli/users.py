"""`citybot users`: list accounts, link one person's accounts across platforms, set trust.

Admin rights are not set here: they come from ADMIN_IDS, DISCORD_ADMIN_IDS/DISCORD_ADMIN_ROLE and ADMIN_TOKEN,
which the front ends apply whenever a person writes.
"""

import argparse

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli.common import in_transaction
from bot.settings import Settings
from storage.models import Label, User
from storage.users import SYSTEM_PLATFORM, account_name, find_account, link_users, person_accounts, unlink_user

def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `users` with its list, link, unlink and trust actions."""
    parser = subparsers.add_parser("users", help="list accounts, link one person's accounts, set trust")
    actions = parser.add_subparsers(dest="action")
    listing = actions.add_parser("list", help="every account with its links, trust, admin flag and labels")
    listing.add_argument("--platform", help="only this platform (telegram, discord, web; system for imports)")
    link = actions.add_parser("link", help="the same person: the first account is the primary (its trust counts)")
    link.add_argument("primary", type=account_ref, help="platform:id, e.g. telegram:123")
    link.add_argument("other", type=account_ref, help="platform:id, e.g. discord:456")
    unlink = actions.add_parser("unlink", help="make an account a person of its own again")
    unlink.add_argument("account", type=account_ref)
    trust = actions.add_parser("trust", help="how much an account's votes weigh (1 is normal, 0 ignores them)")
    trust.add_argument("account", type=account_ref)
    trust.add_argument("weight", type=trust_weight)
    parser.set_defaults(run=run)


def account_ref(text: str) -> tuple[str, str]:
    """`platform:id` split in two; argparse reports anything else as a usage error."""
    platform, _, external_id = text.partition(":")
    if not platform or not external_id:
        raise argparse.ArgumentTypeError(f"{text!r} is not platform:id (e.g. telegram:123, discord:456)")
    return platform, external_id


def trust_weight(text: str) -> float:
    """A trust between 0 and 100."""
    try:
        weight = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= weight <= 100:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"trust must be between 0 and 100, not {text}")
    return weight


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Do one users action and print what changed."""
    return in_transaction(settings, lambda session: _act(args, session))


def _act(args: argparse.Namespace, session: Session) -> None:
    if args.action == "link":
        primary, other = find_account(session, *args.primary), find_account(session, *args.other)
        link_users(session, primary, other)
        print(f"linked {account_name(other)} to {account_name(primary)}; one person: {describe(session, primary)}")
    elif args.action == "unlink":
        user = find_account(session, *args.account)
        unlink_user(session, user)
        print(f"unlinked {account_name(user)}; it is a person of its own again")
    elif args.action == "trust":
        set_trust(session, find_account(session, *args.account), args.weight)
    else:
        list_accounts(session, args.platform)


def describe(session, user: User) -> str:
    """The person's accounts, primary first."""
    return ", ".join(account_name(account) for account in person_accounts(session, user))


def set_trust(session, user: User, weight: float) -> None:
    """Set the trust and say when another account's trust is the one that counts."""
    user.trust = weight
    print(f"trust of {account_name(user)} is now {weight:g}")
    if user.person_id is not None:
        primary = session.get(User, user.person_id)
        print(f"note: it is linked to {account_name(primary)}, whose trust ({primary.trust:g}) weighs its votes while linked")


def list_accounts(session, platform: str | None) -> None:
    """One line per account: name, display name, trust, admin, links and label count."""
    labels = dict(session.execute(select(Label.user_id, func.count()).group_by(Label.user_id)).all())
    query = select(User).order_by(User.platform, User.external_id)
    query = query.where(User.platform == platform) if platform else query.where(User.platform != SYSTEM_PLATFORM)
    users = list(session.scalars(query))
    names = {user.id: account_name(user) for user in session.scalars(select(User).where(User.id.in_({u.person_id for u in users if u.person_id})))}
    followers: dict[int, list[str]] = {}
    for follower in session.scalars(select(User).where(User.person_id.in_([user.id for user in users])).order_by(User.id)):
        followers.setdefault(follower.person_id, []).append(account_name(follower))
    if not users:
        print("no accounts yet" + (f" on {platform}" if platform else ""))
    for user in users:
        parts = [account_name(user)]
        if user.display_name:
            parts.append(repr(user.display_name))
        parts.append(f"trust {user.trust:g}")
        if user.is_admin:
            parts.append("admin")
        parts.append(f"{labels.get(user.id, 0)} labels")
        if user.person_id is not None:
            parts.append(f"linked to {names[user.person_id]}")
        elif user.id in followers:
            parts.append(f"primary of {', '.join(followers[user.id])}")
        print("  ".join(parts))
