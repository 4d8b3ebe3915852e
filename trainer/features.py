"""The frozen stage on cached features: the body runs once per photo, then the head trains on its pooled output.

With the body frozen and no augmentation, every epoch of the course recipe pushes the same photos through the
same body; computing those features once and training only the head on them gives the same kind of model in a
fraction of the time (issue 7). The head's lr_find runs on the cached features too.
"""

import torch

import trainer.fastai_import  # noqa: F401  (quiet fastai import first)
from fastai.callback.progress import ProgressCallback as FastaiProgress
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.learner import Learner
from fastai.metrics import accuracy

POOLING_LAYERS = 2  # fastai's head starts with AdaptiveConcatPool2d and Flatten: no weights, so cacheable


@torch.no_grad()
def pooled_features(learn: Learner, loader) -> tuple[torch.Tensor, torch.Tensor]:
    """Body + pooling outputs (and targets) of every photo in `loader`, computed in eval mode."""
    body, pool = learn.model[0], learn.model[1][:POOLING_LAYERS]
    body.eval()
    pool.eval()
    features, targets = [], []
    for images, labels in loader:
        features.append(pool(body(images)))
        targets.append(labels)
    return torch.cat(features), torch.cat(targets)


def head_learner(learn: Learner, batch_size: int) -> Learner:
    """A Learner over the head's trainable layers (shared with `learn.model`) and the cached features."""
    train_loader = learn.dls.test_dl(learn.dls.train.items, with_labels=True, shuffle=False)  # validation transforms
    train_x, train_y = pooled_features(learn, train_loader)
    valid_x, valid_y = pooled_features(learn, learn.dls.valid)
    train = list(zip(train_x, train_y.long()))
    valid = list(zip(valid_x, valid_y.long()))
    batch_size = max(2, min(batch_size, len(train)))
    dls = DataLoaders(
        DataLoader(train, bs=batch_size, shuffle=True, drop_last=True), DataLoader(valid, bs=batch_size), device=torch.device("cpu")
    )
    head = learn.model[1][POOLING_LAYERS:]
    trainee = Learner(
        dls, head, loss_func=learn.loss_func, opt_func=learn.opt_func, metrics=accuracy, wd=learn.wd,
        moms=learn.moms, path=learn.path, wd_bn_bias=learn.wd_bn_bias, train_bn=learn.train_bn,
    )
    trainee.remove_cb(FastaiProgress)
    trainee.logger = learn.logger
    return trainee
