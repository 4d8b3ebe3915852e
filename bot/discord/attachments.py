"""Which attachments we download: images only, and only below the size limit (checked before downloading)."""

from typing import Optional

import discord


class Refused(Exception):
    """An attachment we will not download; the message is the reply."""


def check_attachment(attachment: discord.Attachment, limit: int) -> None:
    """Raise Refused for a file that is too large or says it is not an image; nothing is downloaded."""
    check_size(attachment.filename, attachment.size, limit)
    kind: Optional[str] = attachment.content_type
    if kind is not None and not kind.split(";")[0].strip().lower().startswith("image/"):
        raise Refused(f"That file ({attachment.filename}, {kind}) is not an image I can read. Send a JPEG, PNG or WebP photo.")


def check_size(filename: str, size: int, limit: int) -> None:
    """Raise Refused when `size` bytes is over `limit` (the declared size before downloading, the real one after)."""
    if size > limit:
        raise Refused(
            f"{filename} is too large ({size / 1024 / 1024:.1f} MB); I look at images up to "
            f"{limit / 1024 / 1024:.0f} MB. Send a smaller copy."
        )
