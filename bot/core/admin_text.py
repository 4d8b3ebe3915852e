"""Text for admins and for /stats: run progress and results, status, model list — every front end shows the same."""

from typing import Any, Sequence

from bot.core.admin import RunReport, StatusReport, VersionInfo
from bot.core.formatting import TELEGRAM_TEXT_LIMIT, _fit
from bot.core.results import UserStats


NOT_AUTHORISED = "Sorry, not authorised: that command is for admins."  # every front end's answer to a non-admin

def percent(value: Any) -> str:
    """0.953 -> '95.3%'; None -> 'n/a'."""
    return f"{float(value) * 100:.1f}%" if isinstance(value, (int, float)) else "n/a"


def format_progress(report: RunReport) -> str:
    """One line on a run under way: status, stage, epoch and loss when the trainer reports them."""
    progress = report.progress
    parts = [f"Training run {report.run_id}: {progress.get('stage') or report.status}"]
    if progress.get("epoch") is not None and progress.get("total"):
        parts.append(f"epoch {progress['epoch']}/{progress['total']}")
    for key in ("train_loss", "loss", "valid_loss", "accuracy"):
        if isinstance(progress.get(key), (int, float)):
            parts.append(f"{key.replace('_', ' ')} {progress[key]:.3f}")
    return ", ".join(parts)


def format_run_result(report: RunReport, max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The end of a run: promoted or rejected (with the reason) and accuracy vs live, or the failure."""
    if report.status == "failed":
        return _fit(f"Training run {report.run_id} failed: {report.error or 'no reason recorded'}", max_length)
    versus = f"accuracy {percent(report.accuracy)} (live model: {percent(report.live_accuracy)})"
    if report.outcome == "promoted":
        text = f"Training run {report.run_id} finished: {report.candidate_version} is now live — {versus}."
    else:
        text = (
            f"Training run {report.run_id} finished: {report.candidate_version or 'the candidate'} was rejected"
            f" — {report.reason or 'no reason recorded'}; {versus}."
        )
    return _fit(text, max_length)


def format_status(status: StatusReport, max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """/status: live model, examples per city, pending photos, last runs."""
    lines = [f"Live model: {status.live_version or 'none'} (accuracy {percent(status.live_accuracy)})"]
    lines.append("Labelled examples: " + (", ".join(f"{c} {n}" for c, n in sorted(status.counts.items())) or "none"))
    lines.append(f"Photos waiting for a label: {status.pending}")
    for run in status.runs:
        if not run.finished:
            lines.append(format_progress(run))  # the queue: what is running now and how far it got
            continue
        verdict = run.outcome or run.error or ""
        lines.append(f"Run {run.run_id}: {run.status} {verdict}".rstrip())
    return _fit("\n".join(lines), max_length)


def format_models(models: Sequence[VersionInfo], max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """/models: every version, newest first, with status and accuracy."""
    if not models:
        return "No model versions yet."
    lines = [f"{m.version}  {m.status}  {percent(m.accuracy)}" + (f"  ({m.reason})" if m.reason else "") for m in models]
    return _fit("\n".join(lines), max_length)


def format_stats(stats: UserStats, max_length: int = TELEGRAM_TEXT_LIMIT) -> str:
    """/stats: what this user contributed, next to the totals and the live model."""
    text = (
        f"You sent {stats.photos} photo(s) and gave {stats.labels} label(s): "
        f"{stats.confirmations} confirmation(s), {stats.corrections} correction(s), {stats.captions} taught by caption.\n"
        f"Everyone together: {stats.total_images} photos, {stats.total_labels} labels.\n"
        f"Live model: {stats.live_version or 'none yet'} (accuracy {percent(stats.live_accuracy)})"
    )
    return _fit(text, max_length)
