"""Builders of incoming Telegram updates in the Bot API's JSON shape: messages, photos, documents, replies, taps.

Mixed into `FakeTelegram`, which owns the id counters and the files the updates point at.
"""

import time
from typing import Any, Optional

BOT_ID = 777000
BOT_USERNAME = "citybot_test_bot"


class UpdateBuilders:
    """Update factories; the host class provides `_message_ids`, `_file_ids`, `add_file` and `_as_message`."""

    def user(self, user_id: int, name: str = "Ann") -> dict[str, Any]:
        """A Telegram user object."""
        return {"id": user_id, "is_bot": False, "first_name": name}

    def message(self, user_id: int, chat_id: Optional[int] = None, **fields: Any) -> dict[str, Any]:
        """A user's message update in a private chat with the bot."""
        chat = chat_id if chat_id is not None else user_id
        body = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat == user_id else "group", "first_name": "Ann"},
            "from": self.user(user_id),
            **fields,
        }
        return {"message": body}

    def photo_update(self, user_id: int, data: bytes, caption: Optional[str] = None, broken: bool = False) -> dict[str, Any]:
        """A photo message: a thumbnail size and the full size, like Telegram sends."""
        full = self.add_file(data, broken=broken)
        thumb = self.add_file(data[:100])
        sizes = [
            {"file_id": thumb, "file_unique_id": thumb + "u", "width": 90, "height": 90, "file_size": 100},
            {"file_id": full, "file_unique_id": full + "u", "width": 640, "height": 480, "file_size": len(data)},
        ]
        fields: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            fields["caption"] = caption
        return self.message(user_id, **fields)

    def document_update(
        self, user_id: int, data: bytes, mime_type: str, file_name: str, size: Optional[int] = None, caption: Optional[str] = None
    ) -> dict[str, Any]:
        """A file sent as a document."""
        file_id = self.add_file(data, size=size)
        document = {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": file_name, "mime_type": mime_type,
                    "file_size": len(data) if size is None else size}
        fields: dict[str, Any] = {"document": document}
        if caption is not None:
            fields["caption"] = caption
        return self.message(user_id, **fields)

    def text_update(self, user_id: int, text: str, reply_to: Optional[Any] = None) -> dict[str, Any]:
        """A text message (a /command when it starts with '/'), optionally replying to a bot message."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            fields["reply_to_message"] = self._as_message(reply_to)
        return self.message(user_id, **fields)

    def tap(self, user_id: int, sent: Any, data: str) -> dict[str, Any]:
        """A user tapping an inline button under a bot message."""
        return {
            "callback_query": {
                "id": f"cq-{next(self._file_ids)}",
                "from": self.user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": self._as_message(sent),
            }
        }
