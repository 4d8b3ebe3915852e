"""Architectures: offline mobilenet_v2 weights, a clear offline error for resnet34, correct fastai registration."""

import pytest
import torch

from trainer.archs import MOBILENET_WEIGHTS_FILE, get_architecture, hub_checkpoint_dir, prepare_mobilenet_weights
from trainer.errors import ArchitectureError


@pytest.fixture
def empty_torch_home(tmp_path, monkeypatch):
    """A fresh torch hub cache, as on a new host."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch"


def test_mobilenet_weights_are_copied_and_hash_checked(empty_torch_home):
    """The packaged weights land in torch's hub cache; a damaged cached copy is replaced by a good one."""
    target = prepare_mobilenet_weights()
    assert target == hub_checkpoint_dir() / MOBILENET_WEIGHTS_FILE and target.is_relative_to(empty_torch_home)
    good = target.read_bytes()
    target.write_bytes(b"damaged")
    prepare_mobilenet_weights()
    assert target.read_bytes() == good


def test_vision_model_uses_the_registered_cut_split_and_offline_weights(empty_torch_home):
    """fastai builds mobilenet_v2 with our cut (the features), ImageNet V1 weights, and three layer groups."""
    from fastai.vision.learner import create_vision_model, model_meta

    architecture = get_architecture("mobilenet_v2")
    model = create_vision_model(architecture.constructor, 3, pretrained=True)
    checkpoint = torch.load(hub_checkpoint_dir() / MOBILENET_WEIGHTS_FILE, weights_only=True)
    assert len(model[0]) == 19  # torchvision's mobilenet_v2.features
    assert torch.equal(model[0][0][0].weight, checkpoint["features.0.0.weight"])
    assert len(model_meta[architecture.constructor]["split"](model)) == 3


def test_resnet34_offline_names_the_offline_choice(empty_torch_home, monkeypatch):
    """Without a way to download, resnet34 fails with a message pointing at ARCH=mobilenet_v2."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there: the host is offline
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    with pytest.raises(ArchitectureError, match="ARCH=mobilenet_v2"):
        get_architecture("resnet34")


def test_unknown_architecture_lists_the_choices():
    """A typo in ARCH gets the list of architectures."""
    with pytest.raises(ArchitectureError, match="mobilenet_v2, resnet34, tiny"):
        get_architecture("mobilenet_v3")
