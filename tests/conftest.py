"""Fixtures shared by every test: a fresh label store on SQLite, and on PostgreSQL when one is named."""

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from storage.store import LabelStore, open_store

POSTGRES_ENV = "CITYBOT_TEST_POSTGRES_URL"
DEFAULT_CITIES = ("Cebu", "Munich", "Seoul")


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file of this test's own."""
    return f"sqlite:///{tmp_path / 'citybot.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own (created and dropped), or a visible skip."""
    base = _postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    name = f"citybot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(sqlite_url: str, tmp_path: Path) -> Iterator[LabelStore]:
    """A migrated SQLite label store with the default cities."""
    label_store = open_store(sqlite_url, tmp_path / "data", DEFAULT_CITIES)
    yield label_store
    label_store.close()


@pytest.fixture
def any_store(database_url: str, tmp_path: Path) -> Iterator[LabelStore]:
    """A migrated label store with the default cities, on SQLite and on PostgreSQL."""
    label_store = open_store(database_url, tmp_path / "data", DEFAULT_CITIES)
    yield label_store
    label_store.close()


@pytest.fixture(scope="session")
def trained_version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real tiny model version trained once per test session (copy it in with tests.fakes.trained_model.install_live_version)."""
    from tests.fakes.trained_model import train_tiny_version

    return train_tiny_version(tmp_path_factory.mktemp("trained"))
