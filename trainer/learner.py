"""fastai DataLoaders and a vision Learner for a data set, with the exact transforms the Predictor mirrors."""

import logging
from operator import attrgetter
from pathlib import Path

import torch

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.callback.progress import ProgressCallback
from fastai.data.block import CategoryBlock, DataBlock
from fastai.data.transforms import FuncSplitter, Normalize
from fastai.learner import Learner
from fastai.metrics import accuracy
from fastai.vision.augment import Resize, ResizeMethod, aug_transforms
from fastai.vision.core import PILImage, imagenet_stats
from fastai.vision.data import ImageBlock
from fastai.vision.learner import vision_learner
from storage.imageio import load_rgb
from trainer.archs import Architecture
from trainer.config import TrainConfig
from trainer.dataset import Dataset, Example

log = logging.getLogger(__name__)

RESIZE_METHODS = {"crop": ResizeMethod.Crop, "squish": ResizeMethod.Squish}
NORMALIZE_STATS = imagenet_stats  # every arch, pretrained or not, so meta.json always carries real stats


def log_recorder_row(row) -> None:
    """Where fastai's Recorder sends each epoch's row: the debug log, not stdout."""
    log.debug("epoch row %s", row)


def load_example(example: Example) -> PILImage:
    """The photo decoded by the shared decoder (the Predictor uses the same one)."""
    return PILImage.create(load_rgb(example.path.read_bytes()))


def build_dataloaders(dataset: Dataset, config: TrainConfig, augment: bool):
    """Train/valid DataLoaders on the CPU: Resize per item, optional augmentation, ImageNet normalisation."""
    batch_tfms = [*aug_transforms()] if augment else []
    block = DataBlock(
        blocks=(ImageBlock, CategoryBlock(vocab=dataset.classes)),
        get_x=load_example,
        get_y=attrgetter("city"),
        splitter=FuncSplitter(attrgetter("is_valid")),
        item_tfms=Resize(config.image_size, method=RESIZE_METHODS[config.resize_method]),
        batch_tfms=batch_tfms + [Normalize.from_stats(*NORMALIZE_STATS)],
    )
    # A batch larger than the training set would leave no full batch (the last one is dropped in training).
    batch_size = max(2, min(config.batch_size, len(dataset.train)))
    return block.dataloaders(dataset.examples, bs=batch_size, num_workers=0, device=torch.device("cpu"))


def build_learner(dls, architecture: Architecture, workdir: Path) -> Learner:
    """A frozen vision learner for `architecture`; lr_find's scratch files go under `workdir`."""
    learn = vision_learner(dls, architecture.constructor, pretrained=architecture.pretrained, metrics=accuracy, path=workdir)
    learn.remove_cb(ProgressCallback)  # our own callback reports progress; fastprogress would print tables
    learn.logger = log_recorder_row  # the Recorder prints each epoch's row to stdout otherwise
    learn.freeze()
    return learn
