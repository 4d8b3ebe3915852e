"""`citybot train`: retrain from the label store now, with a progress bar; `--background` hands it to a child process."""

import argparse
import sys
from typing import Any, Optional

from tqdm import tqdm

from bot.cli.common import store_from
from bot.settings import Settings
from storage.errors import StorageError
from trainer.config import TrainConfig
from trainer.errors import TrainerError
from trainer.runner import request_training, run_training

STAGE_NAMES = {
    "data": "reading labels", "lr_find_frozen": "lr_find (frozen)", "frozen": "training head",
    "lr_find_unfrozen": "lr_find (unfrozen)", "unfrozen": "fine-tuning all", "export": "exporting",
    "evaluate": "evaluating", "report": "writing report", "done": "done",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `train`."""
    parser = subparsers.add_parser("train", help="train a new model from the labels; it goes live only if it is at least as good")
    parser.add_argument("--arch", help="override ARCH (mobilenet_v2, resnet34, tiny)")
    parser.add_argument("--image-size", type=int, help="override IMAGE_SIZE")
    parser.add_argument("--frozen-epochs", type=int, help="override FROZEN_EPOCHS")
    parser.add_argument("--unfrozen-epochs", type=int, help="override UNFROZEN_EPOCHS")
    parser.add_argument("--background", action="store_true", help="start the run in a child process and return at once")
    parser.set_defaults(run=run)


def config_from(settings: Settings, args: Optional[argparse.Namespace] = None) -> TrainConfig:
    """The TrainConfig of the settings, with any command-line overrides."""
    overrides = {}
    for field in ("arch", "image_size", "frozen_epochs", "unfrozen_epochs"):
        value = getattr(args, field, None) if args is not None else None
        if value is not None:
            overrides[field] = value
    return TrainConfig.from_settings(settings, **overrides)


class TerminalProgress:
    """A tqdm bar per stage on a terminal; one line per stage and epoch otherwise."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.stage: Optional[str] = None
        self.bar: Optional[tqdm] = None

    def __call__(self, state: dict[str, Any]) -> None:
        """Show one progress update from the trainer."""
        stage = state.get("stage")
        if stage != self.stage:
            self.close()
            self.stage = stage
            if self.interactive and stage in ("lr_find_frozen", "lr_find_unfrozen", "frozen", "unfrozen"):
                self.bar = tqdm(desc=STAGE_NAMES.get(stage, stage), file=self.stream, leave=False, unit="batch")
            else:
                print(f"{STAGE_NAMES.get(stage, stage)}…", file=self.stream)
        if self.bar is not None:
            total = state.get("iterations") or (state.get("total", 0) * state.get("batches", 0)) or None
            if total and self.bar.total != total:
                self.bar.total = total
            self.bar.n = min(state.get("step", self.bar.n), total or state.get("step", 0))
            self.bar.set_postfix({key: f"{state[key]:.3f}" for key in ("loss", "valid_loss", "accuracy") if isinstance(state.get(key), float)})
            self.bar.refresh()
        elif "accuracy" in state and stage in ("frozen", "unfrozen") and not self.interactive:
            print(f"  epoch {state.get('epoch')}/{state.get('total')}: valid loss {state.get('valid_loss', 0):.3f}, accuracy {state['accuracy']:.3f}", file=self.stream)

    def close(self) -> None:
        """Finish the current bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Train in this process (or in the background) and say what became of the candidate."""
    store_from(settings).close()  # migrated, with the configured cities, before the trainer reads it
    config = config_from(settings, args)
    url = settings.effective_database_url
    if args.background:
        request = request_training(url, settings.data_dir, config, trigger="cli", requested_by="cli")
        print(request.message + ("; `citybot status` shows how it goes" if request.started else ""))
        return 0 if request.started else 1
    progress = TerminalProgress()
    try:
        result = run_training(url, settings.data_dir, config, trigger="cli", requested_by="cli", on_progress=progress)
    except (TrainerError, StorageError) as error:
        progress.close()
        print(f"citybot: training failed: {error}", file=sys.stderr)
        return 1
    progress.close()
    verdict = "promoted: now live" if result.promoted else "rejected: live model unchanged"
    live = f" (live was {result.live_accuracy:.3f})" if result.live_accuracy is not None else ""
    print(f"{result.version} {verdict} — accuracy {result.accuracy:.3f}{live}")
    print(f"reason: {result.reason}")
    print(f"report: {result.version_dir / 'report'}")
    return 0
