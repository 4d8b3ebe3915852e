"""The buttons and the "who recorded what" lines under an answer, within Discord's limits however many cities there are."""

from bot.core.formatting import DISCORD_TEXT_LIMIT, format_ranking
from bot.discord.answers import AnswerButton, answer_view, with_recorded
from bot.discord.text import FENCE_COST, monospace_ranking


def _ranking(count: int) -> list[tuple[str, float]]:
    return [(f"City number {i} with a rather long name {'x' * 60}", 1 / count) for i in range(count)]


def test_many_cities_fit_discords_button_and_text_limits():
    """Forty long-named cities: at most 25 buttons (the last is "none of these"), short labels and ids, text within 2,000."""
    ranking = _ranking(40)
    view = answer_view(123456789, ranking)
    buttons = [item.item for item in view.children if isinstance(item, AnswerButton)]
    assert len(buttons) == 25 and buttons[-1].label == "❌ None of these" and buttons[0].label.startswith("✅ Yes, it's City number 0")
    assert all(len(b.label) <= 80 and len(b.custom_id) <= 100 for b in buttons)
    assert [b.custom_id for b in buttons[:2]] == ["citybot:answer:123456789:0", "citybot:answer:123456789:1"]
    assert len(format_ranking(ranking, "v1", False, max_length=DISCORD_TEXT_LIMIT)) <= DISCORD_TEXT_LIMIT


def test_recorded_lines_keep_one_line_per_person_and_the_limit():
    """A person's new answer replaces their old line, others' lines stay, and the oldest lines go first past 2,000 chars."""
    text = with_recorded("Munich 80%", "bo", "Saved: it's Seoul.")
    text = with_recorded(text, "cy", "Saved: it's Munich.")
    text = with_recorded(text, "bo", "Saved: none of these.")
    assert text == "Munich 80%\n\n✔ cy: Saved: it's Munich.\nbo: Saved: none of these."
    for person in range(200):
        text = with_recorded(text, f"person{person}", "Saved: it's Cebu.")
    assert len(text) <= DISCORD_TEXT_LIMIT and text.startswith("Munich 80%") and text.endswith("person199: Saved: it's Cebu.")


def test_ranking_lines_are_fenced_so_the_bars_line_up_within_the_limit():
    """The ranking lines (and "… and N more") sit in one code block; verdict and version stay outside; 2,000 chars hold."""
    ranking = _ranking(40)
    text = monospace_ranking(format_ranking(ranking, "v7", True, max_length=DISCORD_TEXT_LIMIT - FENCE_COST), [c for c, _ in ranking])
    lines = text.split("\n")
    assert len(text) <= DISCORD_TEXT_LIMIT and lines[0].startswith("This looks like City number 0")
    assert lines[1] == "```" and lines[-2] == "```" and lines[-1] == "model v7" and lines[-3].startswith("… and ")
    assert monospace_ranking("no cities here", ["Munich"]) == "no cities here"
