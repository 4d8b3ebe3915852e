"""Progress of a training run: one `Progress` object fans each update out to logs, a callback and fastai's loop."""

import logging
import time
from typing import Any, Callable, Optional

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.callback.core import Callback

log = logging.getLogger("trainer.progress")

ProgressHook = Callable[[dict[str, Any]], None]
FIT_STAGES = ("frozen", "unfrozen")


class Progress:
    """The latest progress dict, pushed to `hook` (throttled between batches) and logged at stage and epoch ends."""

    def __init__(self, hook: Optional[ProgressHook] = None, min_interval: float = 1.0) -> None:
        self.hook = hook
        self.min_interval = min_interval
        self.state: dict[str, Any] = {}
        self._sent_at = float("-inf")

    def stage(self, name: str, **details: Any) -> None:
        """A new stage begins (lr_find_frozen, frozen, lr_find_unfrozen, unfrozen, export, evaluate, report...)."""
        self.state = {"stage": name, **details}
        log.info("stage %s %s", name, _brief(details))
        self._send(force=True)

    def update(self, force: bool = False, **values: Any) -> None:
        """Merge `values` into the current stage's progress; sent at most every `min_interval` unless forced."""
        self.state.update(values)
        self._send(force)

    def epoch_done(self, **values: Any) -> None:
        """An epoch finished: logged and always sent."""
        self.state.update(values)
        log.info("%s epoch %s/%s %s", self.state.get("stage"), self.state.get("epoch"), self.state.get("total"), _brief(values))
        self._send(force=True)

    def _send(self, force: bool) -> None:
        now = time.monotonic()
        if self.hook is None or (not force and now - self._sent_at < self.min_interval):
            return
        self._sent_at = now
        self.hook(dict(self.state))


def _brief(values: dict[str, Any]) -> str:
    return " ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}" for key, value in values.items())


class ProgressCallback(Callback):
    """Reports batches and epochs of fastai fits (and lr_find) to a `Progress`."""

    order = 60  # after the Recorder, so an epoch's losses and metrics are already recorded

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def after_batch(self) -> None:
        """Training batch done: its position and the smoothed loss."""
        if self.training:
            self.progress.update(batch=self.iter + 1, batches=self.n_iter, step=self.train_iter, loss=float(self.smooth_loss))

    def after_epoch(self) -> None:
        """Epoch done: train/valid loss and accuracy from the Recorder (only for fits; lr_find's passes are not epochs)."""
        if self.progress.state.get("stage") not in FIT_STAGES:
            return
        values = self.recorder.values[-1] if self.recorder.values else []
        names = ("train_loss", "valid_loss", "accuracy")
        metrics = {name: float(value) for name, value in zip(names, values) if value is not None}
        self.progress.epoch_done(epoch=self.epoch + 1, total=self.n_epoch, **metrics)
