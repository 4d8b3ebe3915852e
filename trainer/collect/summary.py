"""What a collection run did, per city: found, downloaded, refused (by reason), duplicates, near-duplicates, stored."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

SHOWN_REFUSALS = 20  # the text summary lists this many refused items; --json lists them all


@dataclass
class CitySummary:
    """Counts for one city."""

    city: str
    found: int = 0
    already_stored: int = 0  # URLs stored by an earlier run, not downloaded again
    downloaded: int = 0
    refused: Counter = field(default_factory=Counter)
    duplicates: int = 0
    near_duplicates: int = 0
    stored: int = 0
    stopped: Optional[str] = None  # why the source stopped early (search gave up, deadline), if it did

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "found": self.found,
            "already_stored": self.already_stored,
            "downloaded": self.downloaded,
            "refused": sum(self.refused.values()),
            "refused_reasons": dict(self.refused.most_common()),
            "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "stored": self.stored,
            "stopped": self.stopped,
        }


@dataclass
class Refusal:
    """One candidate that was not stored, and why."""

    city: str
    item: str
    reason: str
    detail: str


@dataclass
class RunSummary:
    """Every city's counts, each refusal, and notes about the source."""

    cities: dict[str, CitySummary] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False

    def city(self, name: str) -> CitySummary:
        """The counts of `name`, created on first use."""
        return self.cities.setdefault(name, CitySummary(name))

    def refuse(self, city: str, item: str, reason: str, detail: str = "") -> None:
        """Count a refusal and remember the item."""
        self.city(city).refused[reason] += 1
        self.refusals.append(Refusal(city, item, reason, detail))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what `--json` prints)."""
        totals = Counter()
        for summary in self.cities.values():
            totals.update({key: value for key, value in summary.as_dict().items() if isinstance(value, int)})
        return {
            "cities": {name: summary.as_dict() for name, summary in self.cities.items()},
            "totals": dict(totals),
            "refusals": [refusal.__dict__ for refusal in self.refusals],
            "notes": self.notes,
            "interrupted": self.interrupted,
        }

    def as_text(self) -> str:
        """A table a person reads at the end of a run."""
        columns = ("found", "already_stored", "downloaded", "refused", "duplicates", "near_duplicates", "stored")
        headers = ("city",) + tuple(column.replace("_", " ") for column in columns)
        rows = [
            (name,) + tuple(str(summary.as_dict()[column]) for column in columns)
            for name, summary in self.cities.items()
        ]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [headers, *rows]]
        for name, summary in self.cities.items():
            if summary.refused:
                reasons = ", ".join(f"{count}× {reason}" for reason, count in summary.refused.most_common())
                lines.append(f"{name} refused: {reasons}")
            if summary.stopped:
                lines.append(f"{name} stopped early: {summary.stopped}")
        for refusal in self.refusals[:SHOWN_REFUSALS]:
            detail = f" ({refusal.detail})" if refusal.detail else ""
            lines.append(f"  refused {refusal.item}: {refusal.reason}{detail}")
        if len(self.refusals) > SHOWN_REFUSALS:
            lines.append(f"  … and {len(self.refusals) - SHOWN_REFUSALS} more refusals (see --json)")
        lines.extend(self.notes)
        return "\n".join(lines)
