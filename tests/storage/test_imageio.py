"""The one decoder: every kind of photo verified or refused with a reason, and decoded to the same RGB."""

import pytest
from PIL import Image as PILImage

from storage.errors import BadImage
from storage.imageio import load_rgb, verify_image
from tests.storage.image_samples import (
    BAD,
    GOOD,
    broken_exif_jpeg,
    exif_rotated_jpeg,
    gif_with_cut_second_frame,
    noise_jpeg,
)


@pytest.mark.parametrize("name", GOOD)
def test_good_image_is_verified_and_decoded_to_rgb(name):
    """Every supported kind passes verification and decodes to RGB of the same size."""
    make, top_left = GOOD[name]
    data = make()
    info = verify_image(data)
    rgb = load_rgb(data)
    assert rgb.mode == "RGB"
    assert rgb.size == (info.width, info.height)
    if top_left is not None:
        assert rgb.getpixel((0, 0)) == pytest.approx(top_left, abs=3)


@pytest.mark.parametrize("name", BAD)
def test_bad_image_is_refused_with_a_reason(name):
    """Empty, non-image, truncated and bomb files raise BadImage whose message says what is wrong."""
    make, words = BAD[name]
    data = make()
    with pytest.raises(BadImage, match=words):
        verify_image(data)
    with pytest.raises(BadImage):
        load_rgb(data)


def test_sixteen_bit_keeps_its_contrast():
    """16-bit white stays white and black stays black (not all clipped to one value)."""
    rgb = load_rgb(GOOD["16-bit"][0]())
    assert (rgb.getpixel((0, 0)), rgb.getpixel((19, 0))) == ((0, 0, 0), (255, 255, 255))


def test_animated_gif_gives_its_first_frame():
    """An animation is judged by its first frame (red), not a later one (blue)."""
    assert load_rgb(GOOD["animated gif"][0]()).getpixel((6, 6)) == (255, 0, 0)


def test_exif_orientation_is_applied():
    """A photo tagged 'rotate 90° clockwise' comes out upright: 20×40 with the red half on top."""
    rgb = load_rgb(exif_rotated_jpeg(6))
    assert rgb.size == (20, 40)
    top, bottom = rgb.getpixel((10, 5)), rgb.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_same_bytes_give_the_same_pixels():
    """Decoding is deterministic, so training and inference see identical input."""
    data = exif_rotated_jpeg(8)
    assert load_rgb(data).tobytes() == load_rgb(data).tobytes()


def test_draft_decoding_keeps_at_least_the_requested_size():
    """Fast JPEG decoding for a 32×32 model input never goes below 32 px on the short side."""
    data = noise_jpeg((400, 300))
    small = load_rgb(data, draft_size=(32, 32))
    assert min(small.size) >= 32 and small.size[0] < 400
    assert isinstance(small, PILImage.Image) and small.mode == "RGB"


def test_broken_exif_costs_only_the_rotation():
    """A photo with corrupt EXIF is kept and decoded as stored, without Pillow's warning failing it."""
    data = broken_exif_jpeg()
    assert verify_image(data).width == 40
    assert load_rgb(data).size == (40, 20)


def test_animation_with_a_damaged_later_frame_is_still_usable():
    """Only the first frame matters, so damage after it does not refuse the photo."""
    data = gif_with_cut_second_frame()
    assert verify_image(data).format == "GIF"
    assert load_rgb(data).getpixel((0, 0)) == (255, 0, 0)
