"""Linking accounts: one person across platforms, refusing links to itself, chains and system sources."""

import pytest
from sqlalchemy import select

from storage.errors import LinkError, UnknownAccount
from storage.models import User
from storage.users import account_name, find_account, get_or_create_user, link_users, person_accounts, system_user, unlink_user


def names(accounts) -> list[str]:
    """platform:id of each account, in order."""
    return [account_name(account) for account in accounts]


def test_linked_accounts_are_one_person_from_either_side(any_store):
    """After linking, asking from any account lists the same accounts, the primary first."""
    with any_store.transaction() as session:
        telegram = get_or_create_user(session, "telegram", 123)
        discord = get_or_create_user(session, "discord", 456)
        web = get_or_create_user(session, "web", "ann")
        link_users(session, telegram, discord)
        link_users(session, telegram, web)
        link_users(session, telegram, web)  # twice is harmless
        assert names(person_accounts(session, discord)) == ["telegram:123", "discord:456", "web:ann"]
        assert names(person_accounts(session, telegram)) == ["telegram:123", "discord:456", "web:ann"]
    with any_store.read() as session:
        assert names(person_accounts(session, find_account(session, "web", "ann")))[0] == "telegram:123"


def test_nonsense_links_are_refused(store):
    """Itself, a chain through a linked account, a second primary or a system source: refused, nothing changes."""
    with store.transaction() as session:
        ann_tg, ann_dc, bob_tg, bob_dc = (get_or_create_user(session, p, n) for p, n in (("telegram", 1), ("discord", 1), ("telegram", 2), ("discord", 2)))
        link_users(session, ann_tg, ann_dc)
        link_users(session, bob_tg, bob_dc)
        with pytest.raises(LinkError, match="cannot be linked to itself"):
            link_users(session, ann_tg, ann_tg)
        with pytest.raises(LinkError, match="discord:1 is itself linked to telegram:1; link to that primary"):
            link_users(session, ann_dc, get_or_create_user(session, "web", "x"))
        with pytest.raises(LinkError, match="discord:2 is already linked to telegram:2; unlink it first"):
            link_users(session, ann_tg, bob_dc)
        with pytest.raises(LinkError, match="telegram:2 is the primary of 1 linked account"):
            link_users(session, ann_tg, bob_tg)
        with pytest.raises(LinkError, match="system sources"):
            link_users(session, ann_tg, system_user(session, "import:folder"))
        links = {account_name(user): user.person_id for user in session.scalars(select(User).where(User.person_id.is_not(None)))}
        assert links == {"discord:1": ann_tg.id, "discord:2": bob_tg.id}


def test_unlinking_an_account_or_the_primary(store):
    """Unlinking an account frees it; unlinking the primary hands the rest to the oldest linked account."""
    with store.transaction() as session:
        primary, second, third = (get_or_create_user(session, "telegram", n) for n in (1, 2, 3))
        link_users(session, primary, second)
        link_users(session, primary, third)
        unlink_user(session, primary)
        assert person_accounts(session, primary) == [primary]
        assert names(person_accounts(session, third)) == ["telegram:2", "telegram:3"]
        unlink_user(session, third)
        assert person_accounts(session, second) == [second]
        with pytest.raises(LinkError, match="telegram:3 is not linked to any other account"):
            unlink_user(session, third)


def test_unknown_account_is_named(store):
    """Looking up an account that never wrote to the bot says which one and why."""
    with store.read() as session, pytest.raises(UnknownAccount, match="no account discord:999 .* write to the bot once"):
        find_account(session, "discord", "999")
