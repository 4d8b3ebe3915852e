"""Schema migrations (Alembic), applied at start-up so upgrades keep every label."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from storage.db import hold_startup_lock

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection=None) -> Config:
    """An Alembic config pointing at our migrations, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the newest schema; processes starting together take turns."""
    with engine.begin() as connection:
        hold_startup_lock(connection)  # two first starts on PostgreSQL would both CREATE TABLE otherwise
        command.upgrade(alembic_config(connection), "head")
