"""Migrations build the schema from empty, match the models exactly, and keep data when run again."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

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


def test_upgrade_from_the_first_revision_keeps_labels(database_url):
    """A database made by revision 0001 with a label in it upgrades to head with the label intact."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
            connection.execute(text("INSERT INTO users (id, platform, external_id, is_admin, trust, created_at) VALUES (1, 'telegram', '7', false, 1.0, '2026-01-01')"))
            connection.execute(text("INSERT INTO cities (id, name, aliases, active, created_at) VALUES (1, 'Seoul', '[]', true, '2026-01-01')"))
            connection.execute(text("INSERT INTO images (id, sha256, path, width, height, format, source, excluded, created_at) VALUES (1, 'ab', 'ab.png', 1, 1, 'PNG', 't', false, '2026-01-01')"))
            connection.execute(text("INSERT INTO labels (id, image_id, user_id, city_id, kind, created_at, updated_at) VALUES (1, 1, 1, 1, 'correction', '2026-01-01', '2026-01-01')"))
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT image_id, city_id, kind FROM labels")).all() == [(1, 1, "correction")]
            assert "ix_labels_resolution" in {index["name"] for index in inspect(connection).get_indexes("labels")}
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(database_url):
    """Every migration can be undone and redone (a bad release can be rolled back)."""
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_to_head(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
