"""`citybot web`: serve the web page, JSON API and admin page alone (no chat bot), with uvicorn."""

import argparse
import logging

import uvicorn
from starlette.applications import Starlette

from bot.cli.common import store_from
from bot.serve import services_on
from bot.settings import Settings
from bot.web.app import WebOptions, create_app
from storage.store import LabelStore

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `web`."""
    parser = subparsers.add_parser("web", help="serve the upload page, /classify-url, the JSON API and /admin")
    parser.add_argument("--host", help="override WEB_HOST")
    parser.add_argument("--port", type=int, help="override WEB_PORT")
    parser.set_defaults(run=run)


def web_options(settings: Settings) -> WebOptions:
    """The web app's plain options from the settings (also used by `citybot serve`)."""
    return WebOptions(
        max_upload_bytes=int(settings.max_upload_mb * 1_000_000),
        admin_token=settings.admin_token or None,
        # A household or office shares one address: allow a few visitors' worth before refusing it.
        photos_per_minute_per_address=3 * settings.photo_rate_limit,
    )


def build_web_app(settings: Settings, store: LabelStore) -> Starlette:
    """The app over a fresh core on `store`, for `citybot web` (serve shares its core with the bots instead)."""
    services = services_on(store, settings)
    return create_app(services.core, services.admin, web_options(settings))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted."""
    store = store_from(settings)
    host, port = args.host or settings.web_host, args.port or settings.web_port
    if not settings.admin_token:
        log.info("ADMIN_TOKEN is not set: /admin is off")
    try:
        app = build_web_app(settings, store)
        print(f"citybot web: http://{host}:{port}/", flush=True)
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    finally:
        store.close()
    return 0
