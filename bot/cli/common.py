"""What every sub-command shares: opening the label store from the settings, and running one change in it."""

import sys
from typing import Callable

from sqlalchemy.orm import Session

from bot.settings import Settings
from storage.errors import StorageError
from storage.store import LabelStore, open_store


def store_from(settings: Settings) -> LabelStore:
    """The label store named by the settings, migrated, with the initial cities present."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(settings.effective_database_url, settings.data_dir, settings.classes)


def in_transaction(
    settings: Settings, action: Callable[[Session], None], errors: tuple[type[Exception], ...] = (StorageError,)
) -> int:
    """Run `action` in one transaction; one of `errors` rolls it back and becomes `citybot: …` on stderr, exit 1."""
    store = store_from(settings)
    try:
        with store.transaction() as session:
            action(session)
    except errors as error:
        print(f"citybot: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0
