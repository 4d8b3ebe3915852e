"""`citybot gather CITY...`: an image search per city, through the same pipeline as folders and URL lists."""

import argparse
import sys

from bot.cli.imports import add_download_options, add_pipeline_options, run_collection
from bot.settings import Settings
from storage.store import LabelStore
from trainer.collect.search.registry import DEFAULT_PROVIDER, PROVIDERS, make_provider
from trainer.collect.sources import search_jobs


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `gather`."""
    parser = subparsers.add_parser("gather", help="build a data set from an image search, one query per city")
    parser.add_argument("cities", nargs="+", metavar="CITY", help='cities to search for, e.g. "Cebu" "Munich"')
    parser.add_argument("--per-class", type=int, default=150, help="images to store per city (default: 150)")
    parser.add_argument("--suffix", help='words added to each query, e.g. "city" searches "Cebu city"')
    parser.add_argument("--type", dest="photo_type", help='image type filter, e.g. "photo"')
    parser.add_argument("--provider", choices=sorted(PROVIDERS), default=DEFAULT_PROVIDER)
    add_pipeline_options(parser)
    add_download_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Search, download, verify, dedupe, store and label; report what was collected and why anything stopped."""
    if args.per_class < 1:
        print("citybot: --per-class must be at least 1", file=sys.stderr)
        return 1
    provider = make_provider(args.provider, settings.image_search_url)

    def jobs(store: LabelStore):
        return (
            search_jobs(store, provider, args.cities, args.per_class, args.suffix, args.photo_type, args.add_classes),
            [],
        )

    try:
        return run_collection(args, settings, f"search:{provider.name}", "search", jobs)
    finally:
        provider.close()
