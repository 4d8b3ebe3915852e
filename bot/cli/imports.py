"""`citybot import DIR` and `citybot import-urls FILE`: folders and URL lists through the data-set pipeline."""

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from bot.cli.common import store_from
from bot.settings import Settings
from storage.store import LabelStore
from trainer.collect.download import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S
from trainer.collect.errors import CollectError
from trainer.collect.pipeline import CityJob, CollectOptions, Collector
from trainer.collect.prepare import DEFAULT_MIN_SIDE
from trainer.collect.sources import folder_jobs, url_list_jobs

MAX_SOURCE_CHARS = 64  # Image.source's column width
INTERRUPTED_EXIT = 130  # the shell's code for Ctrl-C, so scripts can tell an interrupted run from a finished one


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `import` and `import-urls`."""
    folder = subparsers.add_parser("import", help="import photos from a folder with one sub-folder per city")
    folder.add_argument("directory", type=Path, help="DIR/<city>/<photos>")
    folder.add_argument("--source", default="folder", help="name recorded as the photos' source (default: folder)")
    add_pipeline_options(folder)
    folder.set_defaults(run=run_import)

    urls = subparsers.add_parser("import-urls", help="download photos from a URL list (one per line, or CSV url,class)")
    urls.add_argument("file", type=Path, help="a text file of URLs, or a CSV with url and class columns")
    urls.add_argument("--class", dest="city", help="the city a plain URL list shows (default for CSV rows too)")
    urls.add_argument("--source", default="urls", help="name recorded as the photos' source (default: urls)")
    add_pipeline_options(urls)
    add_download_options(urls)
    urls.set_defaults(run=run_import_urls)


def add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    """Options every source shares."""
    parser.add_argument("--add-classes", action="store_true", help="add cities that are not known yet")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--min-side", type=int, default=DEFAULT_MIN_SIDE, help="refuse smaller pictures (pixels)")
    parser.add_argument("--max-side", type=int, help="shrink larger pictures to this many pixels on the long side")
    parser.add_argument("--workers", type=int, default=8, help="parallel downloads/decodes (default: 8)")


def add_download_options(parser: argparse.ArgumentParser) -> None:
    """Options of sources that download."""
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per download")
    parser.add_argument("--deadline", type=float, help="stop downloading after this many seconds in all")
    parser.add_argument("--max-mb", type=float, default=DEFAULT_MAX_BYTES / 2**20, help="largest download (MB)")


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a folder data set."""
    def jobs(store: LabelStore) -> tuple[list[CityJob], list[str]]:
        return folder_jobs(store, args.directory, args.add_classes)

    return run_collection(args, settings, f"import:{args.source}", "import", jobs)


def run_import_urls(args: argparse.Namespace, settings: Settings) -> int:
    """Download and import a URL list."""
    def jobs(store: LabelStore) -> tuple[list[CityJob], list[str]]:
        return url_list_jobs(store, args.file, args.city, args.add_classes), []

    return run_collection(args, settings, f"import:{args.source}", "import", jobs)


def run_collection(
    args: argparse.Namespace,
    settings: Settings,
    source: str,
    kind: str,
    make_jobs: Callable[[LabelStore], tuple[list[CityJob], list[str]]],
) -> int:
    """Open the store, build the jobs, run the pipeline and print its summary; user mistakes exit 1 with a message."""
    if len(source) > MAX_SOURCE_CHARS:
        print(f"citybot: --source is limited to {MAX_SOURCE_CHARS - len('import:')} characters", file=sys.stderr)
        return 1
    if args.min_side < 1 or (args.max_side is not None and args.max_side < args.min_side) or args.workers < 1:
        print("citybot: --min-side and --workers must be at least 1, --max-side at least --min-side", file=sys.stderr)
        return 1
    if getattr(args, "timeout", 1) <= 0 or getattr(args, "max_mb", 1) <= 0 or (getattr(args, "deadline", None) or 1) <= 0:
        print("citybot: --timeout, --deadline and --max-mb must be positive", file=sys.stderr)
        return 1
    options = CollectOptions(
        source=source,
        kind=kind,
        workers=args.workers,
        min_side=args.min_side,
        max_side=args.max_side,
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT_S),
        deadline_s=getattr(args, "deadline", None),
        max_bytes=int(getattr(args, "max_mb", DEFAULT_MAX_BYTES / 2**20) * 2**20),
    )
    store = store_from(settings)
    try:
        jobs, notes = make_jobs(store)
        summary = Collector(store, options).run(jobs)
    except CollectError as error:
        print(f"citybot: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    summary.notes[:0] = notes
    print(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False) if args.json else summary.as_text())
    return INTERRUPTED_EXIT if summary.interrupted else 0
