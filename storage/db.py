"""Engines and sessions: SQLite tuned for durability and concurrent writers, or PostgreSQL."""

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
STARTUP_LOCK_KEY = 0x43425354  # "CBST": PostgreSQL advisory lock held while a process migrates and seeds cities


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, synchronous=FULL, a busy timeout and IMMEDIATE writes.

    `read_only` SQLite engines begin DEFERRED instead: a long read (a training data set, an export) then
    sees one consistent snapshot without holding the write lock that label writes wait for.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _tune_sqlite_connection)
    event.listen(engine, "begin", _begin_deferred if read_only else _begin_immediate)
    return engine


def _tune_sqlite_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself (pysqlite's own BEGIN is DEFERRED, which deadlocks upgrades).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection) -> None:
    # Take the write lock up front so two writers queue on the busy timeout instead of failing.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection) -> None:
    # A snapshot for the whole read; WAL lets writers carry on meanwhile.
    connection.exec_driver_sql("BEGIN")


def hold_startup_lock(target: Connection | Session) -> None:
    """Until this transaction ends, be the only process migrating or seeding (SQLite: BEGIN IMMEDIATE already is)."""
    bind = target.get_bind() if isinstance(target, Session) else target
    if bind.dialect.name == "postgresql":
        target.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK_KEY})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (callers own the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)
