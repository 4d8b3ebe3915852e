"""Users of every platform, and the system users that own imported labels."""

from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import User


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
    return get_or_create_user(session, "system", source, display_name=source)
