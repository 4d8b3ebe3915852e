"""Who is talking to the bot, as every front end describes them."""

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from storage.models import User
from storage.users import get_or_create_user


@dataclass(frozen=True)
class UserRef:
    """A person on one platform; `is_admin` comes from the front end's own admin list, never a username."""

    platform: str
    external_id: str
    display_name: Optional[str] = None
    is_admin: bool = False


def user_row(session: Session, user: UserRef) -> User:
    """The stored user for `user`, created on first sight, admin flag kept in sync."""
    return get_or_create_user(session, user.platform, user.external_id, user.display_name, user.is_admin)
