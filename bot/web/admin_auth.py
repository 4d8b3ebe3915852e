"""Who may use /admin: the holder of ADMIN_TOKEN (bearer header or a session cookie), compared in constant time."""

import hashlib
import hmac
from typing import Optional
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from bot.core.users import UserRef
from bot.web.errors import AdminDenied, AdminOff

COOKIE = "citybot_admin"
ADMIN_USER = UserRef(platform="web", external_id="admin", display_name="web admin", is_admin=True)


def session_value(token: str) -> str:
    """The cookie value standing for the token (a keyed hash, so the token itself never sits in the browser)."""
    return hmac.new(token.encode(), b"citybot admin session", hashlib.sha256).hexdigest()


def token_matches(given: str, token: str) -> bool:
    """Constant-time comparison of what the person typed with ADMIN_TOKEN."""
    return hmac.compare_digest(given.encode(), token.encode())


def configured_token(request: Request) -> str:
    """ADMIN_TOKEN, or AdminOff (404) when none is set."""
    token: Optional[str] = request.app.state.options.admin_token
    if not token:
        raise AdminOff("not found")
    return token


def is_admin(request: Request) -> bool:
    """Whether the request carries the admin token (Authorization: Bearer) or the admin session cookie."""
    token = configured_token(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return token_matches(header[7:].strip(), token)
    return hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), session_value(token).encode())


def require_admin(request: Request) -> UserRef:
    """The admin user, or AdminDenied (401); form posts from another site are refused too."""
    if not is_admin(request):
        raise AdminDenied("admin token missing or wrong")
    origin = request.headers.get("origin")
    if request.method == "POST" and origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise AdminDenied("admin actions must come from this site's own admin page")
    return ADMIN_USER


def open_session(response: Response, token: str, secure: bool) -> Response:
    """Set the admin session cookie (strict same-site, so other sites cannot post with it)."""
    response.set_cookie(COOKIE, session_value(token), httponly=True, samesite="strict", secure=secure, path="/admin")
    return response


def close_session(response: Response) -> Response:
    """Forget the admin session."""
    response.delete_cookie(COOKIE, path="/admin")
    return response
