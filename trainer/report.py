"""A run's report: lr_find plots with the chosen rates, training curves, confusion matrix, top losses, summary."""

import json
import math
from pathlib import Path
from typing import Any, Sequence

from matplotlib.figure import Figure

from storage.imageio import load_rgb
from trainer.cycle import CycleResult, LrCurve
from trainer.dataset import Example
from trainer.evaluate import Evaluation

TOP_LOSSES = 9


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    return path


def plot_lr_find(curve: LrCurve, chosen: Sequence[tuple[str, float]], title: str, path: Path) -> Path:
    """Loss against learning rate (log scale), suggestions as dots and the rates used as vertical lines."""
    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    axes.plot(curve.lrs, curve.losses)
    axes.set_xscale("log")
    axes.set_xlabel("learning rate")
    axes.set_ylabel("smoothed loss")
    axes.set_title(title)
    for name, lr in curve.suggestions.items():
        nearest = min(range(len(curve.lrs)), key=lambda i: abs(curve.lrs[i] - lr)) if curve.lrs else None
        if nearest is not None:
            axes.plot([lr], [curve.losses[nearest]], "o", label=f"{name} {lr:.1e}")
    for name, lr in chosen:
        axes.axvline(lr, linestyle="--", color="red" if name.startswith("hi") or name == "used" else "orange", label=f"{name} {lr:.1e}")
    axes.legend(fontsize=8)
    return _save(figure, path)


def plot_training_curves(epochs: Sequence[dict[str, Any]], path: Path) -> Path:
    """Train/valid loss and accuracy per epoch, frozen and unfrozen stages in order."""
    figure = Figure(figsize=(6, 4))
    loss_axes = figure.subplots()
    steps = list(range(1, len(epochs) + 1))
    loss_axes.plot(steps, [row["train_loss"] for row in epochs], "o-", label="train loss")
    loss_axes.plot(steps, [row["valid_loss"] for row in epochs], "o-", label="valid loss")
    loss_axes.set_xticks(steps)
    loss_axes.set_xlabel("epoch (frozen, then unfrozen)")
    loss_axes.set_ylabel("loss")
    accuracy_axes = loss_axes.twinx()
    accuracy_axes.plot(steps, [row["accuracy"] for row in epochs], "s--", color="green", label="accuracy")
    accuracy_axes.set_ylabel("accuracy")
    accuracy_axes.set_ylim(0, 1.02)
    frozen = sum(row["stage"] == "frozen" for row in epochs)
    if 0 < frozen < len(epochs):
        loss_axes.axvline(frozen + 0.5, color="grey", linestyle=":", label="unfreeze")
    figure.legend(fontsize=8, loc="upper center")
    return _save(figure, path)


def plot_confusion(metrics: dict[str, Any], path: Path) -> Path:
    """The confusion matrix with counts in each cell (rows actual, columns predicted)."""
    confusion = metrics["confusion"]
    labels, columns, matrix = confusion["labels"], confusion["columns"], confusion["matrix"]
    figure = Figure(figsize=(1.2 * len(columns) + 2, 1.0 * len(labels) + 1.5))
    axes = figure.subplots()
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    peak = max((max(row) for row in matrix), default=0)
    for row_index, row in enumerate(matrix):
        for column_index, value in enumerate(row):
            colour = "white" if peak and value > peak / 2 else "black"
            axes.text(column_index, row_index, str(value), ha="center", va="center", color=colour)
    axes.set_title(f"accuracy {metrics['accuracy']:.3f} on {metrics['n']} photos")
    return _save(figure, path)


def plot_top_losses(examples: Sequence[Example], evaluation: Evaluation, path: Path, count: int = TOP_LOSSES) -> Path:
    """The photos the model got most wrong: predicted/actual, loss and the probability of the true city."""
    order = sorted(range(len(examples)), key=lambda i: evaluation.true_probability[i])[:count]
    columns = 3
    rows = max(1, math.ceil(len(order) / columns))
    figure = Figure(figsize=(3 * columns, 3.2 * rows))
    grid = figure.subplots(rows, columns, squeeze=False)
    for axes in grid.flat:
        axes.axis("off")
    for axes, index in zip(grid.flat, order):
        probability = evaluation.true_probability[index]
        loss = -math.log(max(probability, 1e-12))
        axes.imshow(load_rgb(examples[index].path.read_bytes()))
        axes.set_title(f"{evaluation.predicted[index]}/{examples[index].city}\nloss {loss:.2f} p {probability:.2f}", fontsize=9)
    figure.suptitle("top losses: predicted/actual, loss, probability of actual")
    return _save(figure, path)


def write_summary(directory: Path, summary: dict[str, Any]) -> None:
    """summary.json (everything) and summary.txt (what an admin reads first)."""
    (directory / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    (directory / "summary.txt").write_text(summary_text(summary), encoding="utf-8")


def summary_text(summary: dict[str, Any]) -> str:
    """A few lines: verdict, accuracy vs live, per-city recall, rates and data sizes."""
    accuracy, live = summary["accuracy"], summary.get("live_accuracy")
    lines = [
        f"version {summary['version']}: {summary['decision']} — {summary['reason']}",
        f"accuracy {accuracy:.3f}" + (f" vs live {summary['live_version']} {live:.3f} ({accuracy - live:+.3f})" if live is not None else " (no live model)"),
    ]
    for city, values in summary["per_city"].items():
        recall, precision = values["recall"], values["precision"]
        lines.append(f"  {city}: recall {_fmt(recall)} precision {_fmt(precision)} ({values['support']} photos)")
    lines.append(f"rates: frozen {summary['frozen_lr']:.2e}, unfrozen slice({summary['unfrozen_lrs'][0]:.2e}, {summary['unfrozen_lrs'][1]:.2e})")
    lines.append(f"photos: train {sum(summary['counts']['train'].values())}, valid {sum(summary['counts']['valid'].values())}")
    lines.append(f"training took {summary['seconds']:.1f} s")
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "n/a"


def write_plots(directory: Path, cycle: CycleResult, valid: Sequence[Example], evaluation: Evaluation) -> list[Path]:
    """Every PNG of the report into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    if "frozen" in cycle.lr_finds:
        paths.append(plot_lr_find(cycle.lr_finds["frozen"], [("used", cycle.frozen_lr)], "lr_find, body frozen", directory / "lr_find_frozen.png"))
    if "unfrozen" in cycle.lr_finds:
        lo, hi = cycle.unfrozen_lrs
        paths.append(plot_lr_find(cycle.lr_finds["unfrozen"], [("lo", lo), ("hi", hi)], "lr_find, unfrozen", directory / "lr_find_unfrozen.png"))
    if cycle.epochs:
        paths.append(plot_training_curves(cycle.epochs, directory / "training_curves.png"))
    paths.append(plot_confusion(evaluation.metrics, directory / "confusion.png"))
    paths.append(plot_top_losses(valid, evaluation, directory / "top_losses.png"))
    return paths
