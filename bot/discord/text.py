"""Discord presentation of the core's text: ranking lines in a code block, because Discord's font is proportional."""

from typing import Sequence

FENCE = "```"
FENCE_COST = 2 * (len(FENCE) + 1)  # two fences and their line breaks


def monospace_ranking(text: str, cities: Sequence[str]) -> str:
    """Fence the run of lines that start with a ranked city (and a following "… and N more") so the bars line up."""
    lines = text.split("\n")
    ranked = [i for i, line in enumerate(lines) if any(line == city or line.startswith(city + " ") for city in cities)]
    if not ranked:
        return text
    first, last = ranked[0], ranked[-1]
    if last + 1 < len(lines) and lines[last + 1].startswith("… and "):
        last += 1
    return "\n".join([*lines[:first], FENCE, *lines[first : last + 1], FENCE, *lines[last + 1 :]])
