"""Turning bytes into a stored image row: verify, dedupe by content, write the file, add the row."""

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.files import ImageFiles, sha256_hex
from storage.imageio import MAX_PIXELS, verify_image
from storage.models import Image, User


@dataclass
class Ingested:
    """The stored image and whether this call added it."""

    image: Image
    created: bool


def find_image(session: Session, sha256: str) -> Optional[Image]:
    """The stored image with this content hash, if any."""
    return session.scalars(select(Image).where(Image.sha256 == sha256)).one_or_none()


def ingest_image(
    session: Session,
    files: ImageFiles,
    data: bytes,
    source: str,
    uploader: Optional[User] = None,
    source_url: Optional[str] = None,
    query: Optional[str] = None,
    max_pixels: int = MAX_PIXELS,
) -> Ingested:
    """Store `data` once (raises BadImage with the reason); the file is on disk before the row commits."""
    digest = sha256_hex(data)
    existing = find_image(session, digest)
    if existing is not None:
        return Ingested(existing, created=False)
    info = verify_image(data, max_pixels=max_pixels)
    relative = files.relative_path(digest, info.format)
    files.write(data, relative)
    image = Image(
        sha256=digest,
        path=relative,
        width=info.width,
        height=info.height,
        format=info.format,
        source=source,
        source_url=source_url,
        query=query,
        uploader=uploader,
    )
    try:
        with session.begin_nested():
            session.add(image)
    except IntegrityError:  # the same bytes were stored by another worker a moment ago
        return Ingested(find_image(session, digest), created=False)
    return Ingested(image, created=True)
