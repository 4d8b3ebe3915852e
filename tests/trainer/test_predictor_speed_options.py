"""Serving speed options of the Predictor: draft JPEG decoding, tuned ONNX Runtime threads, batched serving."""

import io
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image as PILImage

from bot.core.batcher import BatchedPredictions, MicroBatcher
from storage.imageio import load_rgb
from tests.synthetic import make_city_photo, photo_bytes
from trainer.predictor import DRAFT_FACTOR, Predictor
from trainer.preprocess import resize_for_model, to_input_array


def _jpeg(city: str, seed: int, size: tuple[int, int], orientation: int = 1) -> bytes:
    image = make_city_photo(city, seed, size)
    buffer = io.BytesIO()
    exif = image.getexif()
    if orientation != 1:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def large_photos() -> list[bytes]:
    """Six 1600×1200 phone-sized JPEGs, two per city, one of each stored sideways with an EXIF rotation."""
    return [_jpeg(city, seed, (1600, 1200), orientation=6 if seed else 1) for city in ("Cebu", "Munich", "Seoul") for seed in (0, 1)]


@pytest.fixture(scope="module")
def predictor(trained_version) -> Predictor:
    """The session's tiny trained model (64 px), loaded once for this module."""
    return Predictor.load(trained_version)


def test_large_jpegs_are_decoded_small_but_never_below_twice_the_model_input(predictor, large_photos):
    """A 1600×1200 photo is decoded at reduced scale, short side still >= 2× the input size, orientation kept."""
    full, draft = load_rgb(large_photos[1]), predictor.decode(large_photos[1])
    assert full.size == (1200, 1600)  # EXIF orientation 6: portrait
    assert draft.size[0] < full.size[0] and draft.size[1] < full.size[1]
    assert min(draft.size) >= DRAFT_FACTOR * predictor.image_size
    assert (draft.size[0] < draft.size[1]) == (full.size[0] < full.size[1])


def test_draft_decoding_gives_the_same_ranking_as_a_full_decode(predictor, large_photos):
    """For large photos, predict(bytes) ranks the cities as the full-resolution validation transform does."""
    for data in large_photos:
        fast = predictor.predict(data)
        exact = predictor.predict_images([load_rgb(data)])[0]
        assert fast[0][0] == exact[0][0]
        assert max(abs(dict(fast)[city] - p) for city, p in exact) <= 0.01


def test_small_photos_are_decoded_exactly_as_for_training(predictor):
    """Photos too small to gain from draft decoding come out pixel for pixel as the training decoder makes them."""
    data = photo_bytes("Munich", 3, size=(120, 90))
    assert np.array_equal(np.asarray(predictor.decode(data)), np.asarray(load_rgb(data)))
    png = photo_bytes("Seoul", 3, size=(900, 700), fmt="PNG")
    assert np.array_equal(np.asarray(predictor.decode(png)), np.asarray(load_rgb(png)))


def test_input_array_is_the_plain_normalisation_bit_for_bit():
    """The copy-free NCHW batch equals (pixels / 255 - mean) / std in float32, transposed, exactly."""
    images = [make_city_photo(city, 4, (130, 97)) for city in ("Cebu", "Munich", "Seoul")]
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    plain = np.stack([np.asarray(resize_for_model(image, 64, "crop"), dtype=np.float32) for image in images])
    plain = ((plain / np.float32(255) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)).transpose(0, 3, 1, 2)
    batch = to_input_array(images, 64, "crop", mean, std)
    assert batch.dtype == np.float32 and batch.flags["C_CONTIGUOUS"]
    assert np.array_equal(batch, plain)


def test_session_uses_the_usable_cores_without_spinning(predictor, trained_version):
    """ONNX Runtime runs on as many threads as cores this process may use, and idle threads sleep."""
    options = predictor.session.get_session_options()
    assert options.intra_op_num_threads == len(os.sched_getaffinity(0))
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert Predictor.load(trained_version, threads=1).session.get_session_options().intra_op_num_threads == 1


def test_batched_serving_answers_each_photo_as_predict_does(predictor):
    """Twenty-four photos from eight threads through the micro-batcher get exactly the rankings of predict()."""
    photos = [photo_bytes(city, seed, size=(100 + seed, 80)) for city in ("Cebu", "Munich", "Seoul") for seed in range(8)]
    expected = [predictor.predict(data) for data in photos]
    with MicroBatcher(predictor.predict_images, window_ms=5, max_batch=8) as batcher:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda data: batcher(predictor.decode(data), timeout=30), photos))
    for answer, single in zip(answers, expected):
        assert [city for city, _ in answer] == [city for city, _ in single]
        assert np.allclose([p for _, p in answer], [p for _, p in single], atol=1e-5)


def test_a_batch_across_a_model_swap_answers_each_photo_with_its_own_model(predictor, tiny_trained):
    """Requests that started on two different models share a batch, yet each gets exactly its own model's ranking."""
    other = Predictor.load(tiny_trained.version_dir)  # trained separately: different probabilities
    photos = [photo_bytes(city, seed, size=(96, 80)) for city in ("Cebu", "Munich", "Seoul") for seed in range(4)]
    models = [predictor if index % 2 else other for index in range(len(photos))]
    expected = [model.predict(data) for model, data in zip(models, photos)]
    assert any(dict(a) != dict(model.predict(data)) for a, model, data in zip(expected, models[1:] + models[:1], photos))
    batched = BatchedPredictions(window_ms=300, max_batch=16)
    try:
        with ThreadPoolExecutor(len(photos)) as pool:
            answers = list(pool.map(lambda pair: batched.predict(*pair), zip(models, photos)))
    finally:
        batched.close()
    for answer, own in zip(answers, expected):
        assert [city for city, _ in answer] == [city for city, _ in own]
        assert np.allclose([p for _, p in answer], [p for _, p in own], atol=1e-6)
