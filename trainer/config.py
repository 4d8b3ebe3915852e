"""Every training knob in one place, with why each default suits a small CPU host."""

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TrainConfig:
    """How one training run trains; `from_settings` fills it from citybot's settings."""

    arch: str = "mobilenet_v2"  # small, fast on CPU, and its ImageNet weights ship offline
    image_size: int = 224  # what the pretrained weights were made for; 128-160 trains ~2-3x faster
    batch_size: int = 32  # fits a 512 MB host while fine-tuning; BatchNorm is stable from ~16 up
    frozen_epochs: int = 2  # the head converges in a couple of passes on a pretrained body
    unfrozen_epochs: int = 2  # gentle whole-network fine-tuning; more rarely pays off on small sets
    augment: bool = True  # flips/rotations/lighting on the unfrozen stage; the frozen head trains on cached features
    valid_pct: float = 0.2  # share of photos held out for the promotion gate
    min_images_per_class: int = 5  # below this a city cannot be learned or judged
    promotion_margin: float = 0.0  # how much worse than live a candidate may be and still go live
    resize_method: str = "crop"  # fastai's default: centre crop at validation, random crop position in training
    seed: int = 42  # same data, same config -> the same model
    lr_find_iterations: int = 100  # fastai's default, for the head (cheap on cached features); stops when the loss soars
    lr_find_unfrozen_iterations: int = 20  # only lo is read from it: 5 decades below/around the frozen rate
    cache_features: bool = True  # train the frozen head on the body's features computed once (issue 7)
    threads: int = 0  # torch intra-op threads; 0 lets torch use every core

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> "TrainConfig":
        """Copy every field that `settings` has an attribute for (duck-typed: trainer does not import bot)."""
        values = {field.name: getattr(settings, field.name) for field in fields(cls) if hasattr(settings, field.name)}
        values.update(overrides)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values, for meta.json and the child process."""
        return asdict(self)
