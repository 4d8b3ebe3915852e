"""The web app factory: `create_app(core, admin, options)`; `citybot web` and `citybot serve` pass plain values."""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.core.admin import Admin
from bot.core.ratelimit import SlidingWindowLimit
from bot.core.service import CityBot
from bot.web import admin_routes, api, page
from bot.web.addresses import AddressPolicy
from bot.web.failures import EXCEPTION_HANDLERS
from bot.web.fetcher import FetchLimits, Resolver, UrlFetcher, system_resolver

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class WebOptions:
    """Plain values the web app needs (the entry points read them from the settings)."""

    max_upload_bytes: int
    admin_token: Optional[str] = None  # None: the admin page does not exist
    photos_per_minute_per_address: int = 60  # on top of the core's per-visitor limit, since cookies are easy to drop
    url_deadline_seconds: float = 10.0
    url_max_redirects: int = 3
    url_policy: AddressPolicy = field(default_factory=AddressPolicy)  # tests allow 127.0.0.1 here
    url_resolver: Resolver = system_resolver
    secure_cookies: bool = False  # True behind https


def create_app(core: CityBot, admin: Admin, options: WebOptions) -> Starlette:
    """The Starlette app serving the page, the JSON API and the admin page over one core."""
    routes = [
        Route("/", page.index, methods=["GET"]),
        Route("/api/classify", api.classify_upload, methods=["POST"]),
        Route("/classify-url", api.classify_url, methods=["GET"]),
        Route("/api/labels", api.record_label, methods=["POST"]),
        Route("/api/health", api.health, methods=["GET"]),
        *admin_routes.routes(),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
    app.state.core = core
    app.state.admin = admin
    app.state.options = options
    app.state.started = time.monotonic()
    app.state.address_limit = SlidingWindowLimit(options.photos_per_minute_per_address)
    app.state.login_limit = SlidingWindowLimit(10)
    limits = FetchLimits(options.max_upload_bytes, options.url_deadline_seconds, options.url_max_redirects)
    app.state.fetcher = UrlFetcher(limits, policy=options.url_policy, resolver=options.url_resolver)
    return app
