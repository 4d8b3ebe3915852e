"""Inference on a model version with ONNX Runtime, numpy and Pillow only: no torch, no fastai."""

import os
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import onnxruntime
from PIL import Image as PILImage

from storage.imageio import load_rgb
from trainer.errors import ModelLoadError
from trainer.meta import ONNX_FILE, read_meta
from trainer.preprocess import softmax, to_input_array

Ranking = list[tuple[str, float]]

# Decode big JPEGs at 1/2..1/8 scale but keep >= 2x the model input: at 1x the DCT downscale differs enough
# from a full decode + bilinear resize to flip a top-1 now and then; at 2x rankings match a full decode.
DRAFT_FACTOR = 2


def session_options(threads: Optional[int] = None) -> onnxruntime.SessionOptions:
    """ONNX Runtime options for a small shared CPU host: one op at a time on `threads` (default: usable cores), no spinning."""
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
    options.inter_op_num_threads = 1
    # Idle ORT threads spin-wait by default, burning the core that decodes the next photo or serves the web page.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


class Predictor:
    """A loaded model version: `predict(bytes)` ranks every city, best first."""

    def __init__(self, session: onnxruntime.InferenceSession, meta: dict[str, Any], version_dir: Path) -> None:
        self.session = session
        self.meta = meta
        self.version_dir = version_dir
        self.version: str = meta["version"]
        self.classes: list[str] = list(meta["classes"])
        self.image_size: int = int(meta["image_size"])
        self.resize_method: str = meta["resize"]["method"]
        self.mean = meta["normalize"]["mean"]
        self.std = meta["normalize"]["std"]
        self.input_name = session.get_inputs()[0].name

    @classmethod
    def load(cls, version_dir: Path, threads: Optional[int] = None) -> "Predictor":
        """Load `version_dir` (meta.json + model.onnx); raises ModelLoadError saying what is wrong."""
        version_dir = Path(version_dir)
        meta = read_meta(version_dir)
        options = session_options(threads)
        model_path = version_dir / ONNX_FILE
        if not model_path.is_file():
            raise ModelLoadError(f"{version_dir} has no {ONNX_FILE}")
        try:
            session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # ORT raises its own untyped errors for damaged files
            raise ModelLoadError(f"{model_path} cannot be loaded: {error}") from None
        outputs = session.get_outputs()[0].shape[-1]
        if outputs != len(meta["classes"]):
            raise ModelLoadError(f"{model_path} has {outputs} outputs but meta.json names {len(meta['classes'])} classes")
        return cls(session, meta, version_dir)

    def predict(self, data: bytes) -> Ranking:
        """Every city with its probability, best first; raises storage.errors.BadImage for bytes that are no image."""
        return self.predict_images([self.decode(data)])[0]

    def decode(self, data: bytes) -> PILImage.Image:
        """Bytes to RGB with the shared decoder, large JPEGs decoded at reduced scale; raises BadImage."""
        side = self.image_size * DRAFT_FACTOR
        return load_rgb(data, draft_size=(side, side))

    def predict_images(self, images: Sequence[PILImage.Image]) -> list[Ranking]:
        """Rankings for decoded RGB images, computed in one batched session run."""
        return [self._ranking(row) for row in self.probabilities(images)]

    def probabilities(self, images: Sequence[PILImage.Image]) -> np.ndarray:
        """An (images × classes) array of probabilities in `classes` order."""
        if not images:
            return np.empty((0, len(self.classes)))
        batch = to_input_array(images, self.image_size, self.resize_method, self.mean, self.std)
        (logits,) = self.session.run(None, {self.input_name: batch})
        return softmax(logits)

    def _ranking(self, row: np.ndarray) -> Ranking:
        order = np.argsort(-row, kind="stable")
        return [(self.classes[index], float(row[index])) for index in order]

    def __repr__(self) -> str:
        return f"Predictor({self.version}, {len(self.classes)} classes, {self.image_size}px)"
