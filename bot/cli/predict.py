"""`citybot predict IMAGE... [--json] [--version V]`: every city with its probability, best first."""

import argparse
import json
import sys
from pathlib import Path

from bot.cli.common import store_from
from bot.settings import Settings
from storage.errors import BadImage
from storage.versions import get_version, live_version, version_dir
from trainer.errors import ModelLoadError
from trainer.predictor import Predictor


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `predict`."""
    parser = subparsers.add_parser("predict", help="say which city each photo shows, using the live model")
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--version", help="use this model version instead of the live one")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load the model once, then rank every photo; unreadable photos are reported and skipped."""
    store = store_from(settings)
    try:
        with store.transaction() as session:
            row = get_version(session, args.version) if args.version else live_version(session)
            directory = version_dir(settings.data_dir, row) if row is not None else None
    finally:
        store.close()
    if directory is None:
        print(f"citybot: {'no model version ' + repr(args.version) if args.version else 'no model is live yet; run `citybot train`'}", file=sys.stderr)
        return 1
    try:
        predictor = Predictor.load(directory)
    except ModelLoadError as error:
        print(f"citybot: {error}", file=sys.stderr)
        return 1
    failures = 0
    for path in args.images:
        try:
            ranking = predictor.predict(path.read_bytes())
        except (OSError, BadImage) as error:
            failures += 1
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            print(json.dumps({"image": str(path), "error": reason}) if args.json else f"{path}: {reason}", file=sys.stdout if args.json else sys.stderr)
            continue
        if args.json:
            print(json.dumps({"image": str(path), "version": predictor.version, "ranking": [[city, round(p, 6)] for city, p in ranking]}))
        else:
            print(f"{path}: " + ", ".join(f"{city} {p * 100:.1f}%" for city, p in ranking))
    return 1 if failures else 0
