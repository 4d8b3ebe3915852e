"""Reading the fake Discord's messages as a person sees them: text, embeds, buttons, attachment names."""

from typing import Any


def visible_text(message: dict[str, Any]) -> str:
    """What a person sees of a message: text, embeds, button labels and attachment names."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    parts += [f"[{label}]" for label in button_labels(message)]
    parts += [f"<{a['filename']}>" for a in message.get("attachments", [])]
    return "\n".join(part for part in parts if part)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button under a message, row by row."""
    return [child for row in message.get("components", []) for child in row.get("components", []) if child.get("type") == 2]


def button_labels(message: dict[str, Any]) -> list[str]:
    """The labels of the buttons under a message."""
    return [button.get("label") or "" for button in buttons(message)]


def button(message: dict[str, Any], label_contains: str) -> dict[str, Any]:
    """The first button whose label contains `label_contains` (case-insensitive)."""
    wanted = label_contains.lower()
    return next(b for b in buttons(message) if wanted in (b.get("label") or "").lower())
