"""`citybot export DIR`: the effective data set as one folder per city, for people who train elsewhere."""

import argparse
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli.common import store_from
from bot.settings import Settings
from storage.labels import effective_label_rows
from storage.store import LabelStore


@dataclass
class ExportSummary:
    """What was written where, and what could not be."""

    per_city: Counter = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)

    def line(self, target: Path) -> str:
        """One summary line for the terminal."""
        cities = ", ".join(f"{name} {count}" for name, count in sorted(self.per_city.items())) or "none"
        text = f"exported {sum(self.per_city.values())} photos of {len(self.per_city)} cities to {target} ({cities})"
        return text + (f"; {len(self.missing)} stored files were missing and skipped" if self.missing else "")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `export`."""
    parser = subparsers.add_parser("export", help="write the labelled photos as DIR/<city>/<sha256>.<ext>")
    parser.add_argument("directory", type=Path, help="an empty or new folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Export the effective data set, or explain why not."""
    target: Path = args.directory
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"citybot: {target} must be a new or empty folder (exporting into old files would mix data sets)")
        return 1
    store = store_from(settings)
    try:
        summary = export_dataset(store, target)
    finally:
        store.close()
    print(summary.line(target))
    for path in summary.missing[:10]:
        print(f"  missing: {path}")
    return 0


def export_dataset(store: LabelStore, target: Path) -> ExportSummary:
    """Copy every effectively labelled training photo (active cities, not excluded) to target/<city>/."""
    with store.read() as session:
        pairs = [(row.path, row.city) for row in effective_label_rows(session)]
    summary = ExportSummary()
    for relative, city in pairs:
        source = store.files.path_of(relative)
        if not source.is_file():
            summary.missing.append(relative)
            continue
        _copy_atomically(source, target / folder_name(city) / Path(relative).name)
        summary.per_city[city] += 1
    return summary


def folder_name(city: str) -> str:
    """A city name safe as one folder name (no separators, no leading dots)."""
    cleaned = city.replace(os.sep, "-").replace("/", "-").replace("\\", "-").lstrip(".").strip()
    return cleaned or "unnamed"


def _copy_atomically(source: Path, destination: Path) -> None:
    # A copy interrupted half-way must not look like a finished photo to whoever trains on the folder.
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=destination.parent, prefix=".export-")
    os.close(handle)
    try:
        shutil.copyfile(source, temp_name)
        os.replace(temp_name, destination)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
