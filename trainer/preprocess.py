"""The validation transform in numpy and Pillow: exactly what fastai's `Resize` + `Normalize` do at validation."""

from typing import Sequence

import numpy as np
from PIL import Image as PILImage


def resize_for_model(image: PILImage.Image, size: int, method: str) -> PILImage.Image:
    """fastai `Resize(size, method)` at validation: centre crop to a square (for "crop"), then bilinear resize."""
    if method == "squish":
        return image.resize((size, size), PILImage.Resampling.BILINEAR)
    width, height = image.size
    # Same arithmetic as fastai's Resize.encodes with pcts=(0.5, 0.5), so the pixels match exactly.
    scale = min(width / size, height / size)
    crop = int(scale * size)
    left, top = int(0.5 * (width - crop)), int(0.5 * (height - crop))
    box = (max(left, 0), max(top, 0), min(left + crop, width), min(top + crop, height))
    return image.crop(box).resize((size, size), PILImage.Resampling.BILINEAR)


def to_input_array(
    images: Sequence[PILImage.Image], size: int, method: str, mean: Sequence[float], std: Sequence[float]
) -> np.ndarray:
    """A float32 NCHW batch: resized, scaled to [0, 1] and normalised channel-wise."""
    batch = np.empty((len(images), size, size, 3), dtype=np.float32)
    for index, image in enumerate(images):
        batch[index] = np.asarray(resize_for_model(image, size, method), dtype=np.float32)
    batch /= np.float32(255)  # fastai IntToFloatTensor divides, so do we (bit-identical)
    batch -= np.asarray(mean, dtype=np.float32)
    batch /= np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64, so each row sums to 1 within rounding."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
