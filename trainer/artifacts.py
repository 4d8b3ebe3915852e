"""Writing a model version directory: ONNX, numpy weights and meta.json in a temp dir, renamed into place."""

import hashlib
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from trainer.meta import META_FILE, META_FORMAT, ONNX_FILE, TEMP_PREFIX, WEIGHTS_FILE

ONNX_OPSET = 17


@dataclass(frozen=True)
class StagedVersion:
    """A version written to a temp directory, not yet visible under its name."""

    version: str
    temp_dir: Path
    final_dir: Path


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stage_version(models_dir: Path, version: str) -> StagedVersion:
    """A fresh temp directory next to where the version will live (same file system, so rename is atomic)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    final_dir = models_dir / version
    if final_dir.exists():
        raise FileExistsError(f"model version {version} already exists at {final_dir}")
    temp_dir = models_dir / f"{TEMP_PREFIX}{version}"
    shutil.rmtree(temp_dir, ignore_errors=True)
    temp_dir.mkdir()
    return StagedVersion(version, temp_dir, final_dir)


def export_onnx(model: nn.Module, image_size: int, path: Path) -> None:
    """Export `model` (eval mode, CPU) to ONNX with a dynamic batch dimension, input "image", output "logits"."""
    model = model.eval().cpu()
    example = torch.zeros(1, 3, image_size, image_size)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice is not ours to fix
        torch.onnx.export(
            model, (example,), str(path), input_names=["image"], output_names=["logits"],
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=ONNX_OPSET, dynamo=False,
        )


def save_weights(model: nn.Module, path: Path) -> None:
    """The state dict as a numpy .npz (loadable with allow_pickle=False, unlike torch.save)."""
    arrays = {name: tensor.detach().cpu().numpy() for name, tensor in model.state_dict().items()}
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def load_weights(model: nn.Module, path: Path) -> nn.Module:
    """Load weights written by `save_weights` into `model` (for fine-tuning a later version from this one)."""
    with np.load(path, allow_pickle=False) as arrays:
        model.load_state_dict({name: torch.from_numpy(arrays[name]) for name in arrays.files})
    return model


def inference_meta(version: str, arch: str, classes: list[str], image_size: int, resize_method: str, stats) -> dict[str, Any]:
    """The meta.json keys the Predictor needs to reproduce the validation transform."""
    mean, std = stats
    return {
        "format": META_FORMAT,
        "version": version,
        "arch": arch,
        "classes": list(classes),
        "image_size": image_size,
        "resize": {"method": resize_method, "resample": "bilinear", "crop": "centre" if resize_method == "crop" else None},
        "normalize": {"mean": list(mean), "std": list(std), "scale": 255},
        "files": {"onnx": ONNX_FILE, "weights": WEIGHTS_FILE},
        "input": {"name": "image", "layout": "NCHW", "dtype": "float32"},
        "output": {"name": "logits", "activation": "softmax"},
    }


def write_meta(directory: Path, meta: dict[str, Any]) -> None:
    """meta.json, pretty-printed for people reading it."""
    (directory / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_model_files(staged: StagedVersion, model: nn.Module, image_size: int) -> dict[str, str]:
    """ONNX and weights into the temp dir; returns {file name: sha256}."""
    export_onnx(model, image_size, staged.temp_dir / ONNX_FILE)
    save_weights(model, staged.temp_dir / WEIGHTS_FILE)
    return {name: file_sha256(staged.temp_dir / name) for name in (ONNX_FILE, WEIGHTS_FILE)}


def publish(staged: StagedVersion) -> Path:
    """fsync every file, then rename the temp dir to its version name: it appears whole or not at all."""
    for path in staged.temp_dir.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    os.rename(staged.temp_dir, staged.final_dir)
    descriptor = os.open(staged.final_dir.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return staged.final_dir


def discard(staged: StagedVersion) -> None:
    """Remove an unpublished temp dir (after a failure)."""
    shutil.rmtree(staged.temp_dir, ignore_errors=True)
