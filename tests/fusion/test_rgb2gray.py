"""``rgb2gray``'s numba pass gives the NumPy expression's values, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from fusion.images import RGB2GRAY_WEIGHTS, rgb2gray, rgb2gray_reference


def test_every_8_bit_colour():
    # All 2**24 colours, as one 4096 x 4096 image.
    codes = np.arange(2**24, dtype=np.uint32)
    rgb = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=-1)
    image = rgb.astype(np.uint8).reshape(4096, 4096, 3)
    got = rgb2gray(image)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, rgb2gray_reference(image))


def test_16_bit_and_views():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 65536, (61, 47, 3)).astype(np.uint16)
    image[0, :3] = [[65535, 65535, 65535], [0, 0, 0], [65535, 0, 0]]
    for view in (image, image[:, ::-2], image.transpose(1, 0, 2)):  # not C-contiguous too
        got = rgb2gray(view)
        assert got.dtype == np.uint16
        np.testing.assert_array_equal(got, rgb2gray_reference(view))


@pytest.mark.parametrize("colour", [(255, 255, 255), (0, 0, 0), (0, 255, 0), (1, 2, 3)])
def test_hand_values(colour):
    # round(wr R + wg G + wb B), halves away from zero, from the weights by hand.
    image = np.array([[colour]], dtype=np.uint8)
    exact = sum(w * c for w, c in zip(RGB2GRAY_WEIGHTS, colour, strict=True))
    assert rgb2gray(image)[0, 0] == int(np.floor(exact + 0.5))
