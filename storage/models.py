"""Typed SQLAlchemy models of the label store."""

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every citybot table."""

    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


LABEL_KINDS = ("import", "search", "caption", "confirmation", "correction", "admin")
MODEL_STATUSES = ("candidate", "live", "rejected", "retired")
RUN_STATUSES = ("queued", "running", "succeeded", "failed")


class User(Base):
    """A person on one platform (telegram, discord, web) or a system source (import, search)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_users_platform_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[Optional[str]] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    trust: Mapped[float] = mapped_column(Float, default=1.0)
    # Set by an admin: the primary account of the same person (primaries have None; never a chain).
    # No ON DELETE: deleting a primary must first hand its accounts over (storage.users.unlink_user).
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"User({self.platform}:{self.external_id}, admin={self.is_admin})"


class City(Base):
    """A class the model can predict; removing one only deactivates it so its labels survive."""

    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"City({self.name!r}, active={self.active})"


class Image(Base):
    """One photo, stored once under its content hash."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(512))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))
    source_url: Mapped[Optional[str]] = mapped_column(Text)
    query: Mapped[Optional[str]] = mapped_column(String(256))
    phash: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    group_key: Mapped[Optional[str]] = mapped_column(String(64))  # near-duplicates share a split
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # an admin removed it from training
    uploader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploader: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"Image({self.sha256[:12]}, {self.width}x{self.height} {self.format})"


class Prediction(Base):
    """A ranking shown to a user, tied to the platform message it answered (unique: no double storing)."""

    __tablename__ = "predictions"
    __table_args__ = (UniqueConstraint("platform", "source_ref", name="uq_predictions_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    model_version: Mapped[str] = mapped_column(String(64))
    ranking: Mapped[list[Any]] = mapped_column()  # [[city, probability], ...] best first
    platform: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str] = mapped_column(String(128))  # the user's message, e.g. "chat:message"
    reply_ref: Mapped[Optional[str]] = mapped_column(String(128), index=True)  # the bot's answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    image: Mapped[Image] = relationship()

    def __repr__(self) -> str:
        return f"Prediction({self.platform}:{self.source_ref}, {self.model_version})"


class Label(Base):
    """One user's answer for one image (updated when they change their mind); city None means 'none of these'."""

    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("image_id", "user_id", name="uq_labels_image_user"),
        # Covers label resolution (GROUP BY image, city with the voter, kind and time): no sort, no table reads.
        Index("ix_labels_resolution", "image_id", "city_id", "user_id", "kind", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cities.id"))
    kind: Mapped[str] = mapped_column(String(16))
    prediction_id: Mapped[Optional[int]] = mapped_column(ForeignKey("predictions.id", ondelete="SET NULL"))
    model_version: Mapped[Optional[str]] = mapped_column(String(64))  # the version it confirmed/corrected
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    image: Mapped[Image] = relationship()
    user: Mapped[User] = relationship()
    city: Mapped[Optional[City]] = relationship()

    def __repr__(self) -> str:
        return f"Label(image={self.image_id}, user={self.user_id}, city={self.city_id}, {self.kind})"


class ModelVersion(Base):
    """A trained model artifact and its fate: candidate, live, rejected or retired."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    arch: Mapped[str] = mapped_column(String(64))
    classes: Mapped[list[Any]] = mapped_column()
    artifact_path: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    parent_version: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[Optional[datetime]] = mapped_column()

    def __repr__(self) -> str:
        return f"ModelVersion({self.version}, {self.status})"


class TrainingRun(Base):
    """One request to retrain, from whoever asked, to its outcome."""

    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32))  # cli, bot, web, cron, threshold
    requested_by: Mapped[Optional[str]] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    outcome: Mapped[Optional[str]] = mapped_column(String(16))  # promoted, rejected
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[Optional[str]] = mapped_column(Text)
    report_path: Mapped[Optional[str]] = mapped_column(String(512))
    candidate_version: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column()
    finished_at: Mapped[Optional[datetime]] = mapped_column()

    def __repr__(self) -> str:
        return f"TrainingRun({self.id}, {self.trigger}, {self.status})"
