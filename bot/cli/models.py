"""`citybot models`, `citybot rollback [VERSION]`, `citybot promote VERSION --force`: the model registry by hand."""

import argparse
import sys

from sqlalchemy.orm import Session

from bot.cli.common import in_transaction, store_from
from bot.settings import Settings
from storage.versions import VersionError, get_version, list_versions, live_version, promote, rollback, version_dir
from trainer.errors import ModelLoadError
from trainer.predictor import Predictor


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `models`, `rollback` and `promote`."""
    models = subparsers.add_parser("models", help="list model versions with status and accuracy")
    models.set_defaults(run=run_models)
    back = subparsers.add_parser("rollback", help="make an earlier version live (default: the previous live one)")
    back.add_argument("version", nargs="?")
    back.set_defaults(run=run_rollback)
    force = subparsers.add_parser("promote", help="make a version live without the gate (needs --force)")
    force.add_argument("version")
    force.add_argument("--force", action="store_true", help="yes, skip the promotion gate")
    force.set_defaults(run=run_promote)


def _accuracy(value) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, (int, float)) else "n/a"


def run_models(args: argparse.Namespace, settings: Settings) -> int:
    """One line per version, newest first: name, status, accuracy (and live's at the time), arch, reason."""
    store = store_from(settings)
    try:
        with store.transaction() as session:
            rows = list_versions(session)
            if not rows:
                print("no model versions yet; run `citybot train`")
            for row in rows:
                metrics = row.metrics or {}
                versus = f" (live then {_accuracy(metrics['live_accuracy'])})" if metrics.get("live_accuracy") is not None else ""
                print(f"{row.version}  {row.status:9} {_accuracy(metrics.get('accuracy'))}{versus}  {row.arch}  {row.created_at:%Y-%m-%d %H:%M}  {row.reason or ''}".rstrip())
    finally:
        store.close()
    return 0


def _loads(settings: Settings, session, version: str) -> None:
    row = get_version(session, version)
    if row is None:
        raise VersionError(f"no model version {version!r}")
    Predictor.load(version_dir(settings.data_dir, row))  # a version whose files are broken must never go live


def run_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """Make the previous (or the named) version live again; the current one is marked rejected."""

    def roll_back(session: Session) -> None:
        current = live_version(session)
        target = rollback(session, args.version, by="cli")
        _loads(settings, session, target.version)
        print(f"rolled back: {current.version if current else 'nothing'} -> {target.version} is live")

    return in_transaction(settings, roll_back, errors=(VersionError, ModelLoadError))


def run_promote(args: argparse.Namespace, settings: Settings) -> int:
    """Make a version live, bypassing the gate, if --force is given and its files load."""
    if not args.force:
        print("citybot: promote skips the promotion gate; add --force if you know better", file=sys.stderr)
        return 2

    def make_live(session: Session) -> None:
        _loads(settings, session, args.version)
        promote(session, args.version, reason="promoted by hand (--force)")
        print(f"{args.version} is live")

    return in_transaction(settings, make_live, errors=(VersionError, ModelLoadError))
