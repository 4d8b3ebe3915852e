"""The Predictor: ONNX Runtime inference that matches fastai exactly, without importing torch."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image as PILImage

from storage.errors import BadImage
from tests.synthetic import photo_bytes
from trainer.errors import ModelLoadError
from trainer.predictor import Predictor


def test_importing_predictor_does_not_import_torch_or_fastai():
    """A serving process that imports the predictor stays free of torch and fastai."""
    code = "import sys, trainer.predictor; print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'fastai', 'torchvision')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_probabilities_match_fastai_on_validation_images(tiny_trained):
    """Predictor probabilities equal the fastai learner's on every validation photo (max abs diff <= 1e-4)."""
    from trainer.learner import load_example

    expected, _ = tiny_trained.learn.get_preds(ds_idx=1)
    predictor = Predictor.load(tiny_trained.version_dir)
    actual = predictor.probabilities([load_example(example) for example in tiny_trained.dataset.valid])
    assert predictor.classes == tiny_trained.dataset.classes
    assert np.abs(actual - expected.numpy()).max() <= 1e-4


def test_predict_ranks_every_city_best_first(tiny_trained):
    """predict(bytes) returns every class once, sorted by probability, summing to 1."""
    predictor = Predictor.load(tiny_trained.version_dir)
    ranking = predictor.predict(photo_bytes("Seoul", 500, size=(120, 90)))
    assert sorted(city for city, _ in ranking) == ["Cebu", "Munich", "Seoul"]
    probabilities = [probability for _, probability in ranking]
    assert probabilities == sorted(probabilities, reverse=True)
    assert abs(sum(probabilities) - 1) < 1e-9
    assert predictor.version == "tiny-1"


def test_batch_equals_one_by_one(tiny_trained):
    """predict_images on a batch gives the same rankings as one image at a time."""
    predictor = Predictor.load(tiny_trained.version_dir)
    images = [PILImage.open(io.BytesIO(photo_bytes(city, 7, size=(100, 70)))).convert("RGB") for city in ("Cebu", "Munich", "Seoul")]
    batched = predictor.predict_images(images)
    single = [predictor.predict_images([image])[0] for image in images]
    for left, right in zip(batched, single):
        assert [city for city, _ in left] == [city for city, _ in right]
        assert np.allclose([p for _, p in left], [p for _, p in right], atol=1e-6)


@pytest.mark.parametrize("data", [b"", b"not an image at all", photo_bytes("Cebu", 1)[:200]])
def test_bad_bytes_raise_bad_image(tiny_trained, data):
    """Empty, non-image and truncated bytes raise BadImage with a readable reason."""
    with pytest.raises(BadImage):
        Predictor.load(tiny_trained.version_dir).predict(data)


def test_incomplete_version_dir_is_refused(tmp_path, tiny_trained):
    """A directory without meta.json, or whose classes disagree with the model, is refused clearly."""
    with pytest.raises(ModelLoadError, match="no meta.json"):
        Predictor.load(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    meta = json.loads((tiny_trained.version_dir / "meta.json").read_text())
    (broken / "meta.json").write_text(json.dumps({**meta, "classes": ["A", "B"]}))
    (broken / "model.onnx").write_bytes((tiny_trained.version_dir / "model.onnx").read_bytes())
    with pytest.raises(ModelLoadError, match="3 outputs"):
        Predictor.load(broken)
