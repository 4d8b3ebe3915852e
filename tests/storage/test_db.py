"""SQLite is tuned for durability and concurrent writers: WAL, synchronous=FULL, busy timeout, IMMEDIATE writes."""

import sqlite3

import pytest
from sqlalchemy import text

from storage.db import SQLITE_BUSY_TIMEOUT_MS


def test_sqlite_pragmas_are_set_on_every_connection(store):
    """Each pooled connection runs in WAL mode with full fsync, a busy timeout and foreign keys."""
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_transaction_takes_the_write_lock_at_begin(store):
    """A transaction holds the write lock from its start, so a second writer waits instead of failing mid-way."""
    database = store.engine.url.database
    with store.transaction() as session:
        session.execute(text("SELECT 1"))  # only reads, yet BEGIN IMMEDIATE already reserved the lock
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_long_read_does_not_block_writers(store):
    """While a read() session holds its snapshot, another process can still write, and the reader keeps its snapshot."""
    database = store.engine.url.database
    with store.read() as session:
        before = session.execute(text("SELECT count(*) FROM cities")).scalar()
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if the read held the write lock
            other.execute("INSERT INTO cities (name, aliases, active, created_at) VALUES ('Lima', '[]', 1, '2026-01-01')")
            other.execute("COMMIT")
        finally:
            other.close()
        assert session.execute(text("SELECT count(*) FROM cities")).scalar() == before  # one consistent snapshot
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM cities")).scalar() == before + 1


def test_read_sessions_commit_nothing(any_store):
    """Anything changed inside read() is discarded."""
    with any_store.read() as session:
        session.execute(text("UPDATE cities SET active = false"))
    with any_store.read() as session:
        assert session.execute(text("SELECT count(*) FROM cities WHERE active")).scalar() == 3
