"""citybot's settings: environment first, then `.env`, then defaults; read once at the entry points."""

from pathlib import Path
from typing import Annotated, Optional

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PUBLIC_BOT_API = "https://api.telegram.org/bot"
PUBLIC_BOT_FILE_API = "https://api.telegram.org/file/bot"


class SettingsError(Exception):
    """A setting has a value citybot cannot use; the message names it."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every knob citybot has; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Telegram
    telegram_bot_token: Optional[str] = None
    telegram_base_url: str = PUBLIC_BOT_API
    telegram_base_file_url: str = PUBLIC_BOT_FILE_API
    webhook_url: Optional[str] = None
    webhook_secret: Optional[str] = None
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_listen: str = "0.0.0.0"  # address the webhook receiver binds (WEBHOOK_URL is what Telegram calls)
    admin_ids: Annotated[list[int], NoDecode] = []
    photo_rate_limit: int = Field(20, ge=1)  # photos per user per minute

    # Discord
    discord_bot_token: Optional[str] = None
    discord_admin_ids: Annotated[list[int], NoDecode] = []
    discord_admin_role: Optional[str] = None

    # Cities and storage
    classes: Annotated[list[str], NoDecode] = ["Cebu", "Munich", "Seoul"]
    data_dir: Path = Path("./data")
    database_url: Optional[str] = None

    # Training
    arch: str = "mobilenet_v2"
    image_size: int = Field(224, ge=32, le=1024)
    batch_size: int = Field(32, ge=1)
    frozen_epochs: int = Field(2, ge=1)
    unfrozen_epochs: int = Field(2, ge=0)
    augment: bool = True
    valid_pct: float = Field(0.2, gt=0, lt=1)
    min_images_per_class: int = Field(5, ge=1)
    promotion_margin: float = Field(0.0, ge=0, le=1)
    retrain_cron: str = "0 3 * * *"
    retrain_min_new_labels: int = Field(50, ge=1)
    retrain_cooldown_minutes: int = Field(60, ge=0)

    # Serving
    confidence_threshold: float = Field(0.5, ge=0, le=1)
    web_host: str = "127.0.0.1"
    web_port: int = Field(8000, ge=1, le=65535)
    admin_token: Optional[str] = None
    max_upload_mb: float = Field(20, gt=0)
    log_level: str = "INFO"
    batch_window_ms: float = Field(4, ge=0, le=1000)  # how long a photo waits for others to share its model run
    batch_max_size: int = Field(16, ge=0)  # photos per model run; 0 turns micro-batching off
    batch_queue_limit: int = Field(64, ge=1)  # photos waiting for the model before new ones hear "busy, try again"

    # Data-set building
    image_search_url: str = "https://duckduckgo.com"  # DuckDuckGo images base URL for `citybot gather` (a mirror or test fake otherwise)

    @field_validator("admin_ids", "discord_admin_ids", "classes", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("classes")
    @classmethod
    def _at_least_two_classes(cls, value: list[str]) -> list[str]:
        if len(value) < 2:
            raise ValueError("needs at least two cities, comma-separated")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or a SQLite file under `DATA_DIR`."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'citybot.sqlite3').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings once, turning pydantic's report into one clear message per bad key."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = ".".join(str(part) for part in item["loc"]).upper() or "settings"
            problems.append(f"{key}: {item['msg']} (got {item.get('input')!r})")
        raise SettingsError("bad setting(s): " + "; ".join(problems)) from None
