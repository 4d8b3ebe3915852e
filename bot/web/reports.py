"""Every plot of a training run's report (the chat shows two; the admin page shows them all)."""

from pathlib import Path

from sqlalchemy.orm import Session

from storage.models import TrainingRun

PLOT_ORDER = ("lr_find", "training_curves", "confusion", "top_losses")  # the order the course meets them


def run_plots(session: Session, data_dir: Path, run_id: int) -> list[Path]:
    """The PNGs in run `run_id`'s report folder, in course order; none while it runs or if it wrote none."""
    run = session.get(TrainingRun, run_id)
    if run is None or run.status not in ("succeeded", "failed") or not run.report_path:
        return []
    where = Path(data_dir) / run.report_path
    folder = where if where.is_dir() else where.parent
    return sorted(folder.glob("*.png"), key=_course_order)


def _course_order(path: Path) -> tuple[int, str]:
    ranks = [index for index, prefix in enumerate(PLOT_ORDER) if path.name.startswith(prefix)]
    return (ranks[0] if ranks else len(PLOT_ORDER), path.name)
