"""The coupling radius: the paper's 16, or 2 % of the shorter side (issue 18 item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from fusion.pipeline import fuse
from fusion.radius import PAPER_RADIUS, auto_radius, resolve_radius
from ndtheory.errors import NdcnpInputError


@pytest.mark.parametrize(
    ("side", "radius"),
    # side / 50 rounded half up (by hand), at least 1 and below the side.
    [(2, 1), (3, 1), (74, 1), (75, 2), (124, 2), (125, 3), (224, 4), (520, 10), (1000, 20)],
)
def test_auto_radius_is_two_percent_of_the_shorter_side(side, radius):
    assert auto_radius((side, 3 * side, 3)) == radius
    assert auto_radius((5 * side, side)) == radius


def test_resolve_radius_keeps_integers_and_refuses_the_rest():
    assert resolve_radius(PAPER_RADIUS, (520, 520)) == 16
    assert resolve_radius("auto", (224, 300)) == 4
    for bad in ("four", -1, 2.5, True):
        with pytest.raises(NdcnpInputError, match="radius must be"):
            resolve_radius(bad, (64, 64))
    with pytest.raises(NdcnpInputError, match="not smaller than the image"):
        resolve_radius(64, (64, 80))


def test_fuse_reports_the_radius_it_summed_over():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (60, 80), dtype=np.uint8)
    b = rng.integers(0, 256, (60, 80), dtype=np.uint8)
    auto = fuse([a, b], n_steps=12)
    assert auto.radius == 1
    explicit = fuse([a, b], radius=1, n_steps=12)
    np.testing.assert_array_equal(auto.window_sums, explicit.window_sums)
    assert fuse([a, b], radius=PAPER_RADIUS, n_steps=12).radius == 16
