"""`citybot status [--json]`: what the bot knows, what is waiting, and which model answers."""

import argparse
import json
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli.common import store_from
from bot.settings import Settings
from storage.labels import effective_label_counts, labels_since, unlabelled_image_count
from storage.models import Image, TrainingRun
from storage.versions import last_trained_at, live_version, recent_training_runs

RECENT_RUNS = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `status`."""
    parser = subparsers.add_parser("status", help="labelled photos per city, pending photos, live model, recent training")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the status as text or as one JSON object."""
    store = store_from(settings)
    try:
        with store.read() as session:
            report = collect_status(session)
    finally:
        store.close()
    print(json.dumps(report, indent=2) if args.json else format_status(report))
    return 0


def collect_status(session: Session) -> dict[str, Any]:
    """The status as plain data (the JSON shape)."""
    since = last_trained_at(session)
    live = live_version(session)
    return {
        "cities": effective_label_counts(session),
        "images": session.scalar(select(func.count(Image.id))) or 0,
        "pending": unlabelled_image_count(session),
        "last_trained_at": _iso(since),
        "new_labels_since_training": labels_since(session, since),
        "corrections_since_training": labels_since(session, since, kinds=("correction",)),
        "live_model": None
        if live is None
        else {"version": live.version, "arch": live.arch, "accuracy": (live.metrics or {}).get("accuracy"), "promoted_at": _iso(live.promoted_at)},
        "training_runs": [_run_summary(run) for run in recent_training_runs(session, RECENT_RUNS)],
    }


def format_status(report: dict[str, Any]) -> str:
    """The status as a few readable lines."""
    width = max((len(name) for name in report["cities"]), default=0)
    lines = ["Labelled photos per city:"]
    lines += [f"  {name:<{width}}  {count}" for name, count in sorted(report["cities"].items())] or ["  (no cities)"]
    lines.append(f"Photos stored: {report['images']}, waiting for a label: {report['pending']}")
    since = f"since the last training run ({report['last_trained_at']})" if report["last_trained_at"] else "so far (no training run yet)"
    lines.append(f"New labels {since}: {report['new_labels_since_training']}, of them corrections: {report['corrections_since_training']}")
    lines.append(_format_live(report["live_model"]))
    lines.append("Last training runs:" if report["training_runs"] else "Last training runs: none yet")
    lines += [_format_run(run) for run in report["training_runs"]]
    return "\n".join(lines)


def _format_live(live: Optional[dict[str, Any]]) -> str:
    if live is None:
        return "Live model: none yet (train one first)"
    accuracy = live["accuracy"]
    return f"Live model: {live['version']} ({live['arch']}, accuracy {accuracy:.1%})" if accuracy is not None else f"Live model: {live['version']} ({live['arch']}, accuracy unknown)"


def _format_run(run: dict[str, Any]) -> str:
    verdict = f" → {run['outcome']}" if run["outcome"] else ""
    candidate = f", candidate {run['candidate_version']}" if run["candidate_version"] else ""
    error = f", error: {run['error']}" if run["error"] else ""
    return f"  #{run['id']} {run['created_at']} {run['trigger']}: {run['status']}{verdict}{candidate}{error}"


def _run_summary(run: TrainingRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "trigger": run.trigger,
        "requested_by": run.requested_by,
        "status": run.status,
        "outcome": run.outcome,
        "candidate_version": run.candidate_version,
        "error": run.error,
        "created_at": _iso(run.created_at),
        "finished_at": _iso(run.finished_at),
    }


def _iso(moment: Optional[datetime]) -> Optional[str]:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; everything is stored in UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")
