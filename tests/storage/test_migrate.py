"""Migrations build the schema from empty, match the models exactly, and keep data when run again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Base, City
from storage.store import open_store


def test_upgrade_from_empty_reaches_head_and_matches_models(database_url):
    """An empty database migrated to head has every table, and autogenerate finds nothing to change."""
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            assert compare_metadata(context, Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_reopening_keeps_data(database_url, tmp_path):
    """Opening the store again (migrations re-run at start-up) keeps what was stored."""
    first = open_store(database_url, tmp_path, ["Cebu", "Munich"])
    first.close()
    second = open_store(database_url, tmp_path, ["Cebu", "Munich", "Seoul"])
    try:
        with second.transaction() as session:
            assert [city.name for city in session.scalars(select(City).order_by(City.name))] == ["Cebu", "Munich", "Seoul"]
    finally:
        second.close()
