"""Text a person reads at a glance: one line per city with its probability and a small bar, best first.

Every function takes `max_length` (Telegram 4096, captions 1024, Discord 2000) and never exceeds it:
with many cities the top ones are shown and the rest counted.
"""

from typing import Optional, Sequence

from bot.core.results import ColdStart, LabelOutcome, TaughtOutcome

BAR_WIDTH = 10
EIGHTHS = " ▏▎▍▌▋▊▉"
DEFAULT_TOP = 10
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
DISCORD_TEXT_LIMIT = 2000


def bar(probability: float, width: int = BAR_WIDTH) -> str:
    """A bar of `width` cells filled to `probability`, in eighths of a cell (0.87 -> '████████▋')."""
    eighths = round(max(0.0, min(1.0, probability)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).rstrip()


def ranking_line(city: str, probability: float, name_width: int) -> str:
    """`Munich   87% ████████▋`."""
    return f"{city:<{name_width}} {round(probability * 100):>3d}% {bar(probability)}".rstrip()


def format_ranking(
    ranking: Sequence[tuple[str, float]],
    model_version: str,
    sure: bool,
    max_length: int = TELEGRAM_TEXT_LIMIT,
    top: int = DEFAULT_TOP,
    heading: Optional[str] = None,
) -> str:
    """The answer to a photo: a verdict, the top cities with bars, how many more, and the model version."""
    if not ranking:
        return _fit(f"I have no cities to choose from.\nmodel {model_version}", max_length)
    best, probability = ranking[0]
    verdict = heading or (
        f"This looks like {best}." if sure else f"I'm not sure — maybe {best} ({round(probability * 100)}%)?"
    )
    footer = f"model {model_version}"
    shown = list(ranking[:top])
    while True:
        lines = [verdict, *_lines(shown)]
        hidden = len(ranking) - len(shown)
        if hidden:
            lines.append(f"… and {hidden} more")
        text = "\n".join([*lines, footer])
        if len(text) <= max_length or len(shown) <= 1:
            return _fit(text, max_length)
        shown.pop()


def format_label(outcome: LabelOutcome) -> str:
    """What a tap or reply recorded."""
    what = f"it's {outcome.city}" if outcome.city is not None else "none of these"
    verb = "Saved" if outcome.changed else "Already saved"
    return f"{verb}: {what}. Thanks! (model {outcome.model_version})"


def format_taught(outcome: TaughtOutcome, max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Thanks for a captioned photo, with what the live model would have said."""
    thanks = f"Thanks! I'll remember this one as {outcome.city}."
    if outcome.ranking is None or outcome.model_version is None:
        return _fit(thanks + " (No model is live yet, so I couldn't guess.)", max_length)
    best, probability = outcome.ranking[0]
    verdict = "I'd have got it right" if best == outcome.city else "I'd have got it wrong"
    heading = f"{thanks}\n{verdict}:"
    return format_ranking(outcome.ranking, outcome.model_version, True, max_length, heading=heading)


def format_cold_start(cold: ColdStart, for_admin: bool, max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The not-trained-yet message; admins also see how many examples each city still needs."""
    text = "I haven't been trained yet — send photos with the city as caption."
    if for_admin:
        if cold.needs:
            needs = "\n".join(f"{city}: {count} more (has {cold.counts.get(city, 0)})" for city, count in sorted(cold.needs.items()))
            text += "\nExamples still needed before the first training run:\n" + needs
        else:
            text += "\nEvery city has enough examples — run /retrain."
    return _fit(text, max_length)


def format_cities(names: Sequence[str], max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The known cities as one comma-separated line."""
    return _fit("Cities I know: " + (", ".join(names) or "none yet"), max_length)


def _lines(ranking: Sequence[tuple[str, float]]) -> list[str]:
    width = max(len(city) for city, _ in ranking)
    return [ranking_line(city, probability, width) for city, probability in ranking]


def _fit(text: str, max_length: int) -> str:
    return text if len(text) <= max_length else text[: max_length - 1] + "…"
