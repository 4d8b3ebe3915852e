"""The course's training cycle: lr_find, fit the head frozen, unfreeze, lr_find again, fit with slice(lo, hi)."""

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import torch

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.callback.schedule import minimum, valley
from fastai.learner import Learner
from trainer.config import TrainConfig
from trainer.features import head_learner
from trainer.progress import Progress, ProgressCallback

log = logging.getLogger(__name__)

HEAD_TO_BODY_RATE = 10  # hi = frozen rate / 10: the pretrained body moves gently (the course says 5-10)
LO_SPAN = 1000  # discriminative rates span at most three orders of magnitude
FALLBACK_LR = 1e-3
MIN_SUGGESTION_POINTS = 4  # used if lr_find gives no usable suggestion (e.g. the loss never fell)


@dataclass
class LrCurve:
    """One lr_find: the learning rates tried, their smoothed losses, and the suggestions."""

    lrs: list[float]
    losses: list[float]
    suggestions: dict[str, float]


@dataclass
class CycleResult:
    """What the cycle chose and how training went, for meta.json and the report."""

    frozen_lr: float
    unfrozen_lrs: tuple[float, float]
    lr_finds: dict[str, LrCurve] = field(default_factory=dict)
    epochs: list[dict[str, Any]] = field(default_factory=list)  # one row per epoch: stage, losses, accuracy


def find_lr(learn: Learner, progress: Progress, stage: str, iterations: int, start: float = 1e-7, end: float = 10) -> LrCurve:
    """Run fastai's lr_find from `start` to `end` (it stops early once the loss soars) and keep its curve."""
    progress.stage(stage, iterations=iterations)
    learn.lr_find(start_lr=start, end_lr=end, num_it=iterations, show_plot=False, suggest_funcs=None)
    lrs = [float(lr) for lr in learn.recorder.lrs]
    losses = [float(loss) for loss in learn.recorder.losses]
    curve = LrCurve(lrs=lrs, losses=losses, suggestions=suggest(lrs, losses, iterations))
    log.info("%s suggests valley=%.2e minimum=%.2e", stage, curve.suggestions["valley"], curve.suggestions["minimum"])
    return curve


def suggest(lrs: list[float], losses: list[float], iterations: int) -> dict[str, float]:
    """fastai's valley and minimum suggestions, also when lr_find stopped after only a few points.

    fastai drops the first tenth and the last five points before suggesting, which leaves nothing (and
    raises IndexError) when the loss soared early, as it does once the frozen stage has the loss near zero.
    """
    points = [(lr, loss) for lr, loss in zip(lrs, losses) if math.isfinite(loss)]
    trimmed = points[iterations // 10:-5]
    points = trimmed if len(trimmed) >= MIN_SUGGESTION_POINTS else points
    if not points:
        return {"valley": math.nan, "minimum": math.nan}
    lr_tensor, loss_tensor = torch.tensor([lr for lr, _ in points]), torch.tensor([loss for _, loss in points])
    lowest = minimum(lr_tensor, loss_tensor, iterations)[0]
    steepest = valley(lr_tensor, loss_tensor, iterations)[0]
    # On a handful of points fastai's valley can index past the valley into the soaring part; never go there.
    return {"valley": steepest if steepest <= lowest * 10 else lowest, "minimum": lowest}


def usable(lr: float) -> bool:
    """A finite, positive learning rate."""
    return math.isfinite(lr) and lr > 0


def unfrozen_rates(frozen_lr: float, minimum_lr: float) -> tuple[float, float]:
    """(lo, hi): hi is the frozen rate / 10; lo is lr_find's minimum (already /10), within 10x-1000x below hi.

    After a good frozen stage the loss is near zero and the unfrozen curve is mostly noise, so its minimum can
    land at the very first point; the bounds keep the early layers learning without outrunning the head.
    """
    hi = frozen_lr / HEAD_TO_BODY_RATE
    lo = minimum_lr if usable(minimum_lr) else hi / 100
    return (min(max(lo, hi / LO_SPAN), hi / 10), hi)


def record_epochs(learn: Learner, stage: str, result: CycleResult) -> None:
    """Copy the Recorder's epoch rows of the fit just finished into the result."""
    for row in learn.recorder.values:
        train_loss, valid_loss, accuracy = (float(value) for value in row[:3])
        result.epochs.append({"stage": stage, "train_loss": train_loss, "valid_loss": valid_loss, "accuracy": accuracy})


def fit_frozen(learn: Learner, config: TrainConfig, progress: Progress, result: CycleResult) -> None:
    """lr_find and fit_one_cycle of the head with the body frozen: on cached features, or fastai's loop over images."""
    learn.freeze()
    if config.cache_features:
        progress.stage("features")
        trainee = head_learner(learn, config.batch_size)
        trainee.add_cb(ProgressCallback(progress))
    else:
        trainee = learn
    curve = find_lr(trainee, progress, "lr_find_frozen", config.lr_find_iterations)
    result.lr_finds["frozen"] = curve
    result.frozen_lr = curve.suggestions["valley"] if usable(curve.suggestions["valley"]) else FALLBACK_LR
    progress.stage("frozen", epoch=0, total=config.frozen_epochs, lr=result.frozen_lr)
    trainee.fit_one_cycle(config.frozen_epochs, result.frozen_lr)
    record_epochs(trainee, "frozen", result)


def fit_unfrozen(learn: Learner, config: TrainConfig, progress: Progress, result: CycleResult) -> None:
    """Unfreeze, lr_find again, fit_one_cycle with discriminative rates slice(lo, hi)."""
    if config.unfrozen_epochs == 0:
        return
    learn.unfreeze()
    # lo must end up at least 100x below the frozen rate; the points far above it are never used.
    frozen_lr = result.frozen_lr
    curve = find_lr(learn, progress, "lr_find_unfrozen", config.lr_find_unfrozen_iterations, frozen_lr / 1e4, frozen_lr * 10)
    result.lr_finds["unfrozen"] = curve
    result.unfrozen_lrs = unfrozen_rates(result.frozen_lr, curve.suggestions["minimum"])
    lo, hi = result.unfrozen_lrs
    progress.stage("unfrozen", epoch=0, total=config.unfrozen_epochs, lr_lo=lo, lr_hi=hi)
    learn.fit_one_cycle(config.unfrozen_epochs, slice(lo, hi))
    record_epochs(learn, "unfrozen", result)


def train_cycle(learn: Learner, config: TrainConfig, progress: Progress) -> CycleResult:
    """The whole course cycle on `learn`; returns the rates chosen, both lr_find curves and every epoch."""
    result = CycleResult(frozen_lr=FALLBACK_LR, unfrozen_lrs=(0.0, 0.0))
    fit_frozen(learn, config, progress, result)
    fit_unfrozen(learn, config, progress, result)
    return result
