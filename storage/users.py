"""Users of every platform, and the system users that own imported labels."""

from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import LinkError, UnknownAccount
from storage.models import User

SYSTEM_PLATFORM = "system"


def get_or_create_user(
    session: Session,
    platform: str,
    external_id: str | int,
    display_name: Optional[str] = None,
    is_admin: Optional[bool] = None,
) -> User:
    """The user with this platform id, created on first sight; `is_admin`, when given, is kept in sync."""
    key = str(external_id)
    user = _find_user(session, platform, key)
    if user is None:
        user = User(platform=platform, external_id=key, display_name=display_name, is_admin=bool(is_admin))
        try:
            with session.begin_nested():
                session.add(user)
            return user
        except IntegrityError:  # their other message created them a moment ago
            user = _find_user(session, platform, key)
    if display_name and user.display_name != display_name:
        user.display_name = display_name
    if is_admin is not None and user.is_admin != is_admin:
        user.is_admin = is_admin
    return user


def _find_user(session: Session, platform: str, key: str) -> Optional[User]:
    return session.scalars(select(User).where(User.platform == platform, User.external_id == key)).one_or_none()


def system_user(session: Session, source: str) -> User:
    """The user standing for a non-human source such as `import:folder` or `search:ddg`."""
    return get_or_create_user(session, SYSTEM_PLATFORM, source, display_name=source)


def account_name(user: User) -> str:
    """How people and the CLI write an account: `platform:id`."""
    return f"{user.platform}:{user.external_id}"


def find_account(session: Session, platform: str, external_id: str | int) -> User:
    """The stored user with this platform id; UnknownAccount if they never wrote to the bot."""
    user = _find_user(session, platform, str(external_id))
    if user is None:
        raise UnknownAccount(f"no account {platform}:{external_id} (they have to write to the bot once first)")
    return user


def person_id_of(user: User) -> int:
    """The id standing for the person behind `user`: their primary account's id."""
    return user.person_id if user.person_id is not None else user.id


def person_accounts(session: Session, user: User) -> list[User]:
    """Every account of the person behind `user`, the primary first, then in the order they were made."""
    person = person_id_of(user)
    query = select(User).where((User.id == person) | (User.person_id == person))
    return list(session.scalars(query.order_by(User.person_id.is_not(None), User.id)))


def link_users(session: Session, primary: User, other: User) -> User:
    """Make `other` an account of the person whose primary account is `primary`; linking twice is harmless."""
    if primary.id == other.id:
        raise LinkError(f"{account_name(primary)} cannot be linked to itself")
    if SYSTEM_PLATFORM in (primary.platform, other.platform):
        raise LinkError("system sources (imports, searches) are not people and cannot be linked")
    if primary.person_id is not None:
        owner = session.get(User, primary.person_id)
        raise LinkError(f"{account_name(primary)} is itself linked to {account_name(owner)}; link to that primary account")
    if other.person_id == primary.id:
        return other
    if other.person_id is not None:
        owner = session.get(User, other.person_id)
        raise LinkError(f"{account_name(other)} is already linked to {account_name(owner)}; unlink it first")
    followers = session.scalar(select(func.count(User.id)).where(User.person_id == other.id)) or 0
    if followers:  # linking it would make a chain; the admin decides which primary they keep
        raise LinkError(f"{account_name(other)} is the primary of {followers} linked account(s); unlink those first")
    other.person_id = primary.id
    session.flush()
    return other


def unlink_user(session: Session, user: User) -> None:
    """Make `user` a person of its own again; a primary hands its linked accounts to the oldest of them."""
    if user.person_id is not None:
        user.person_id = None
        session.flush()
        return
    followers = list(session.scalars(select(User).where(User.person_id == user.id).order_by(User.id)))
    if not followers:
        raise LinkError(f"{account_name(user)} is not linked to any other account")
    heir = followers[0]
    session.execute(update(User).where(User.person_id == user.id, User.id != heir.id).values(person_id=heir.id))
    heir.person_id = None
    session.flush()
