"""The anonymous per-browser user: a random id in a cookie, turned into the core's UserRef."""

import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from bot.core.users import UserRef

COOKIE = "citybot_visitor"
PLATFORM = "web"
ONE_YEAR = 365 * 24 * 3600
_VALID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def visitor_id(request: Request) -> str:
    """This browser's id from its cookie, or a fresh one (remembered on the request until the reply sets it)."""
    known = request.cookies.get(COOKIE, "")
    if _VALID.match(known):
        return known
    minted = getattr(request.state, "new_visitor", None)
    if minted is None:
        minted = request.state.new_visitor = secrets.token_urlsafe(18)
    return minted


def visitor(request: Request) -> UserRef:
    """The anonymous web user behind this request; never an admin."""
    return UserRef(platform=PLATFORM, external_id=visitor_id(request), display_name="web visitor")


def remember_visitor(request: Request, response: Response, secure: bool) -> Response:
    """Set the visitor cookie when this request minted a new id."""
    new = getattr(request.state, "new_visitor", None)
    if new is not None:
        response.set_cookie(COOKIE, new, max_age=ONE_YEAR, httponly=True, samesite="lax", secure=secure)
    return response
