"""The synthetic demo pair: exact complementary focus, from matplotlib's sample image."""

import numpy as np
import pytest

from fusion.synthetic import focus_mask, multifocus_pair, sample_image
from ndtheory.errors import NdcnpInputError


def test_sample_image_is_the_shipped_portrait():
    image = sample_image()
    assert image.shape == (600, 512, 3) and image.dtype == np.uint8


def test_mask_is_non_trivial():
    mask = focus_mask((600, 512))
    share = mask.mean()
    assert 0.2 < share < 0.6
    # the left band and the blob are separate regions, and the blob is not convex:
    # some row crosses its boundary more than twice
    crossings = np.abs(np.diff(mask[:, 80:].astype(int), axis=1)).sum(axis=1)
    assert crossings.max() >= 4


def test_pair_copies_the_sharp_image_exactly_on_complementary_regions():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(40, 50, 3), dtype=np.uint8)
    mask = focus_mask((40, 50))
    a, b = multifocus_pair(image, mask, sigma=1.5)
    np.testing.assert_array_equal(a[mask], image[mask])
    np.testing.assert_array_equal(b[~mask], image[~mask])
    # a blurred copy of random noise differs from the original almost everywhere
    assert (a[~mask] != image[~mask]).mean() > 0.9


def test_blur_of_a_constant_image_changes_nothing():
    image = np.full((30, 30, 3), 77, dtype=np.uint8)
    a, b = multifocus_pair(image, focus_mask((30, 30)), sigma=3.0)
    np.testing.assert_array_equal(a, image)
    np.testing.assert_array_equal(b, image)


def test_pair_rejects_bad_arguments():
    image = np.zeros((20, 20), dtype=np.uint8)
    with pytest.raises(NdcnpInputError, match="mask shape"):
        multifocus_pair(image, np.zeros((10, 10), bool))
    with pytest.raises(NdcnpInputError, match="sigma must be > 0"):
        multifocus_pair(image, np.zeros((20, 20), bool), sigma=0)
