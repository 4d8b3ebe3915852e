"""The files of a model version directory and its `meta.json`, readable without torch."""

import json
import shutil
from pathlib import Path
from typing import Any

from trainer.errors import ModelLoadError

MODELS_DIR = "models"  # under DATA_DIR; ModelVersion.artifact_path is "models/<version>"
TEMP_PREFIX = ".incoming-"  # a version being written; never a version directory
META_FILE = "meta.json"
ONNX_FILE = "model.onnx"
WEIGHTS_FILE = "weights.npz"  # the state dict as plain numpy arrays: no pickle anywhere
REPORT_DIR = "report"
META_FORMAT = 1
RESIZE_METHODS = ("crop", "squish")
REQUIRED_KEYS = ("version", "arch", "classes", "image_size", "resize", "normalize")


def read_meta(version_dir: Path) -> dict[str, Any]:
    """The parsed `meta.json` of a version directory, checked for the keys inference needs."""
    path = Path(version_dir) / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelLoadError(f"{version_dir} has no {META_FILE}; is it a model version directory?") from None
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{path} cannot be read: {error}") from None
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise ModelLoadError(f"{path} lacks {', '.join(missing)}")
    if meta["resize"].get("method") not in RESIZE_METHODS:
        raise ModelLoadError(f"{path}: unknown resize method {meta['resize'].get('method')!r}")
    if len(meta["classes"]) < 2 or len(set(meta["classes"])) != len(meta["classes"]):
        raise ModelLoadError(f"{path}: classes must be at least two distinct names, got {meta['classes']!r}")
    return meta


def remove_stale_temp_dirs(models_dir: Path) -> list[Path]:
    """Delete temp dirs left by a run that was killed; call only while holding the training lock."""
    removed = []
    if Path(models_dir).is_dir():
        for path in Path(models_dir).glob(f"{TEMP_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
