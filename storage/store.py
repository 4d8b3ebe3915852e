"""The label store as one object: database engine, sessions and image files, migrated on open."""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.cities import ensure_cities
from storage.db import hold_startup_lock, make_engine, make_sessionmaker
from storage.files import ImageFiles
from storage.migrate import upgrade_to_head


class LabelStore:
    """Owns the engine and the image folder; callers take sessions with `transaction()`."""

    def __init__(self, engine: Engine, files: ImageFiles, read_engine: Optional[Engine] = None) -> None:
        self.engine = engine
        self.files = files
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        self.read_engine = read_engine or engine
        self.read_sessions: sessionmaker[Session] = make_sessionmaker(self.read_engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: one consistent snapshot that never blocks writers (nothing is committed)."""
        with self.read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()  # a read has nothing to commit; stray writes are discarded

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def open_store(database_url: str, data_dir: Path, initial_cities: Iterable[str] = ()) -> LabelStore:
    """Open (migrating first) the store at `database_url` with images under `data_dir/images`."""
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    read_engine = make_engine(database_url, read_only=True) if engine.dialect.name == "sqlite" else engine
    store = LabelStore(engine, ImageFiles(Path(data_dir) / "images"), read_engine)
    store.files.remove_stale_temp_files()  # a writer killed between write and rename leaves its temp file
    cities = list(initial_cities)
    if cities:
        with store.transaction() as session:
            hold_startup_lock(session)  # otherwise two first starts both insert the same cities
            ensure_cities(session, cities)
    return store
