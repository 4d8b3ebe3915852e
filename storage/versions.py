"""Model versions and training runs as rows: which version is live, and what each run did."""

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ModelVersion


def live_version(session: Session) -> Optional[ModelVersion]:
    """The model version serving users now, if any."""
    return session.scalars(select(ModelVersion).where(ModelVersion.status == "live")).one_or_none()


def get_version(session: Session, version: str) -> Optional[ModelVersion]:
    """The model version with this id."""
    return session.scalars(select(ModelVersion).where(ModelVersion.version == version)).one_or_none()


def list_versions(session: Session) -> list[ModelVersion]:
    """Every model version, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())))
