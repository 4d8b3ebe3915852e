"""Rankings as people read them: bars, best first, the verdict, and always within the platform's length limit."""

import pytest

from bot.core.formatting import (
    DISCORD_TEXT_LIMIT,
    TELEGRAM_CAPTION_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    bar,
    format_cities,
    format_ranking,
)


def test_lines_show_city_percent_and_bar_best_first():
    """Each city gets 'Name  87% ████████▋' in the given order, with the model version at the end."""
    text = format_ranking([("Munich", 0.87), ("Seoul", 0.1), ("Cebu", 0.03)], "v7", sure=True)
    lines = text.splitlines()
    assert lines[0] == "This looks like Munich."
    assert lines[1].startswith("Munich  87% ████████") and lines[2].startswith("Seoul   10% █")
    assert lines[-1] == "model v7"


def test_unsure_answer_says_so():
    """Below the threshold the verdict is 'I'm not sure'."""
    assert format_ranking([("Cebu", 0.4), ("Seoul", 0.35), ("Munich", 0.25)], "v1", sure=False).startswith("I'm not sure")


def test_bar_scales_in_eighths():
    """A full bar is ten blocks; zero is empty; 0.05 is half a block."""
    assert bar(1.0) == "█" * 10 and bar(0.0) == "" and bar(0.05) == "▌"


@pytest.mark.parametrize("limit", [TELEGRAM_TEXT_LIMIT, TELEGRAM_CAPTION_LIMIT, DISCORD_TEXT_LIMIT, 200])
def test_many_long_city_names_stay_within_the_limit(limit):
    """300 cities with long names: the top ones are shown, the rest counted, the version kept, the limit respected."""
    ranking = [(f"Llanfairpwllgwyngyll-{i:03d}-on-the-very-long-river", 1 / 300) for i in range(300)]
    text = format_ranking(ranking, "v1", sure=False, max_length=limit, top=300)
    assert len(text) <= limit and "more" in text and text.endswith("model v1")
    assert len(format_cities([name for name, _ in ranking], max_length=limit)) <= limit
