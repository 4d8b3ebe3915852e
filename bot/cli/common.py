"""What every sub-command shares: opening the label store from the settings."""

from bot.settings import Settings
from storage.store import LabelStore, open_store


def store_from(settings: Settings) -> LabelStore:
    """The label store named by the settings, migrated, with the initial cities present."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(settings.effective_database_url, settings.data_dir, settings.classes)
