"""Inline buttons under an answer: one per city (the predicted one marked), "none of these", and /forget's confirmation.

Callback data stays far below Telegram's 64-byte limit because it names the city by its index in
the stored ranking, not by name: `ans:<prediction id>:<index>` or `ans:<prediction id>:none`.
"""

from typing import Optional, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ANSWER_PREFIX = "ans"
NONE = "none"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
MAX_CITY_BUTTONS = 98  # Telegram allows 100 buttons; two rows stay free for the verdict and "none"


def answer_keyboard(prediction_id: int, ranking: Sequence[tuple[str, float]]) -> InlineKeyboardMarkup:
    """A "yes, it's X" button for the top city, one button per other city (two a row), and "none of these"."""
    cities = [city for city, _ in ranking[:MAX_CITY_BUTTONS]]
    rows = [[InlineKeyboardButton(f"✅ Yes, it's {cities[0]}", callback_data=f"{ANSWER_PREFIX}:{prediction_id}:0")]]
    others = [InlineKeyboardButton(city, callback_data=f"{ANSWER_PREFIX}:{prediction_id}:{i}") for i, city in enumerate(cities) if i]
    rows += [others[i : i + 2] for i in range(0, len(others), 2)]
    rows.append([InlineKeyboardButton("❌ None of these", callback_data=f"{ANSWER_PREFIX}:{prediction_id}:{NONE}")])
    return InlineKeyboardMarkup(rows)


def parse_answer(data: str) -> Optional[tuple[int, Optional[int]]]:
    """(prediction id, ranking index or None for "none of these"), or None if the data is not an answer tap."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != ANSWER_PREFIX or not parts[1].isdigit():
        return None
    if parts[2] == NONE:
        return int(parts[1]), None
    return (int(parts[1]), int(parts[2])) if parts[2].isdigit() else None


def forget_keyboard() -> InlineKeyboardMarkup:
    """Confirm or cancel /forget."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes, delete my data", callback_data=FORGET_YES), InlineKeyboardButton("Cancel", callback_data=FORGET_NO)]]
    )
