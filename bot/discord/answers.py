"""Buttons under an answer — one per city, "none of these" — and what a tap does, with persistent custom ids.

A custom id carries everything a tap needs, so buttons keep working after a restart:
`citybot:answer:<prediction id>:<index in the stored ranking|none>`. The client registers `AnswerButton`
with `add_dynamic_items`; no view state lives in memory.
"""

import asyncio
from typing import Any, Optional, Sequence

import discord

from bot.core.errors import UnknownPrediction
from bot.core.formatting import format_label
from bot.discord.deps import TEXT_LIMIT, user_ref
from bot.discord.errors import apologise
from storage.errors import UnknownCity

MAX_BUTTONS = 25  # Discord allows five rows of five
LABEL_LIMIT = 80  # Discord's limit on a button label
NONE = "none"
RECORDED_MARK = "\n\n✔ "  # separates the answer from the lines saying what each person recorded


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=r"citybot:answer:(?P<prediction>\d+):(?P<choice>\d+|none)"):
    """One choice under an answer."""

    def __init__(self, prediction_id: int, choice: Optional[int], label: str = "", style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        custom_id = f"citybot:answer:{prediction_id}:{NONE if choice is None else choice}"
        super().__init__(discord.ui.Button(label=label[:LABEL_LIMIT], style=style, custom_id=custom_id))
        self.prediction_id = prediction_id
        self.choice = choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any) -> "AnswerButton":
        """Rebuild the button from a tap (also after a restart)."""
        choice = None if match["choice"] == NONE else int(match["choice"])
        return cls(int(match["prediction"]), choice, item.label or "", item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store the tapping user's own answer (never someone else's) and show it on the message."""
        try:
            await self._record(interaction)
        except Exception as error:
            await apologise(interaction, error)

    async def _record(self, interaction: discord.Interaction) -> None:
        deps = interaction.client.deps
        user = user_ref(interaction.user, deps)
        try:
            outcome = await asyncio.to_thread(deps.core.answer_choice, self.prediction_id, user, self.choice)
        except (UnknownPrediction, UnknownCity) as error:
            await interaction.response.send_message(str(error), ephemeral=True)
            return
        saved = format_label(outcome)
        message = interaction.message
        if not outcome.changed or message is None:
            await interaction.response.send_message(saved, ephemeral=True)
            return
        await interaction.response.edit_message(content=with_recorded(message.content, interaction.user.display_name, saved))


def with_recorded(content: str, who: str, saved: str) -> str:
    """The answer text with one line per person saying what they recorded (theirs replaced, newest last)."""
    answer, _, recorded = content.partition(RECORDED_MARK)
    lines = [line for line in recorded.split("\n") if line and not line.startswith(f"{who}: ")]
    lines.append(f"{who}: {saved}")
    while True:
        text = answer + RECORDED_MARK + "\n".join(lines)
        if len(text) <= TEXT_LIMIT or len(lines) == 1:
            return text[:TEXT_LIMIT]
        lines.pop(0)  # the oldest line goes first; the store keeps every answer anyway


def answer_view(prediction_id: int, ranking: Sequence[tuple[str, float]]) -> discord.ui.View:
    """"✅ Yes, it's X" for the top city, one button per other city (as many as fit), and "❌ None of these"."""
    view = discord.ui.View(timeout=None)
    for index, (city, _) in enumerate(ranking[: MAX_BUTTONS - 1]):
        if index == 0:
            view.add_item(AnswerButton(prediction_id, 0, f"✅ Yes, it's {city}", discord.ButtonStyle.success))
        else:
            view.add_item(AnswerButton(prediction_id, index, city))
    view.add_item(AnswerButton(prediction_id, None, "❌ None of these", discord.ButtonStyle.danger))
    return view
