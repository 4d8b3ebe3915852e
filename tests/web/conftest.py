"""Fixtures of the web tests: the real app over a real core and store, with or without a live model."""

from pathlib import Path
from typing import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.web.addresses import AddressPolicy
from bot.web.app import WebOptions, create_app
from storage.store import LabelStore
from tests.fakes.trained_model import install_live_version

ADMIN_TOKEN = "correct horse battery staple"
# The test's "internet" for /classify-url: 127.0.0.1 counts as public; everything else keeps the real policy.
LOOPBACK_IS_PUBLIC = AddressPolicy.allowing(["127.0.0.1/32"])

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The DATA_DIR of the `store` fixture."""
    return tmp_path / "data"


@pytest.fixture
def live(store: LabelStore, data_dir: Path, trained_version: Path) -> str:
    """The session's trained tiny model installed as live version v1."""
    return install_live_version(store, data_dir, trained_version, "v1", accuracy=0.8)


@pytest.fixture
def make_client(store: LabelStore, data_dir: Path, sqlite_url: str) -> Iterator[ClientFactory]:
    """Builds a TestClient over the real app; keyword arguments override WebOptions and the core's limits."""
    clients: list[TestClient] = []

    def build(photo_rate_limit: int = 100, train_config: object = None, **overrides: object) -> TestClient:
        live_model = LiveModel(store, data_dir, check_every=0.0)
        core = CityBot(store, live_model, confidence_threshold=0.5, photo_rate_limit_per_minute=photo_rate_limit)
        admin = Admin(store, data_dir, sqlite_url, train_config=train_config, live_model=live_model)
        options = {"max_upload_bytes": 2_000_000, "admin_token": ADMIN_TOKEN, "url_policy": LOOPBACK_IS_PUBLIC, **overrides}
        client = TestClient(create_app(core, admin, WebOptions(**options)), raise_server_exceptions=False)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """A browser-like client of the app with default options."""
    return make_client()
