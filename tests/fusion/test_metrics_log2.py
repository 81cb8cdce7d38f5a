"""The FMI kernel's branch-free log2 against glibc's (``math.log2``) and exact values."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fusion.metrics._log2 import log2

SMALLEST_SUBNORMAL = 5e-324
SMALLEST_NORMAL = 2.2250738585072014e-308
LARGEST = 1.7976931348623157e308


@numba.njit(error_model="numpy")
def log2_all(x):
    # As the kernel calls it: in a loop LLVM vectorises (the values may differ from a scalar
    # call only if the vector code does; both paths are tested).
    out = np.empty_like(x)
    for k in range(x.size):
        out[k] = log2(x[k])
    return out


def ulps(a, b):
    """Distance in units in the last place between float64 arrays of one sign."""
    ia, ib = np.asarray(a).view(np.int64), np.asarray(b).view(np.int64)
    return np.abs(ia - ib)


def glibc(x):
    return np.array([math.log2(v) for v in x])


@given(st.floats(min_value=SMALLEST_SUBNORMAL, max_value=LARGEST))
def test_within_one_ulp_of_glibc(x):
    got = log2(x)
    want = math.log2(x)
    # Both carry the sign of the result; compare as one signed-magnitude integer each.
    assert np.sign(got) == np.sign(want)
    assert ulps(np.abs(got), np.abs(want)) <= 1


def test_within_one_ulp_in_a_vectorised_loop():
    rng = np.random.default_rng(7)
    x = np.concatenate(
        [
            rng.random(20_000),  # pdf-like values in (0, 1)
            np.exp2(rng.uniform(-1074, 1024, 20_000)),  # every binade, subnormals included
            1 + rng.uniform(-1e-6, 1e-6, 20_000),  # near 1, where log2 cancels
            np.sqrt(2) * (1 + rng.uniform(-1e-9, 1e-9, 20_000)),  # the range-reduction switch
            np.sqrt(0.5) * (1 + rng.uniform(-1e-9, 1e-9, 20_000)),
            rng.integers(1, 2**52, 20_000).view(np.float64),  # subnormal bit patterns
        ]
    )
    x = x[(x > 0) & np.isfinite(x)]
    got, want = log2_all(x), glibc(x)
    assert np.all(np.sign(got) == np.sign(want))
    assert ulps(np.abs(got), np.abs(want)).max() <= 1


def test_powers_of_two_are_exact():
    # log2(2**k) = k exactly, from the largest binade down to the smallest subnormal.
    k = np.arange(-1074, 1024)
    x = np.ldexp(1.0, k)
    np.testing.assert_array_equal(log2_all(x), k.astype(np.float64))
    assert all(log2(float(v)) == float(e) for v, e in zip(x[::97], k[::97], strict=True))


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (0.0, -math.inf),
        (-0.0, -math.inf),
        (math.inf, math.inf),
        (-math.inf, math.nan),
        (math.nan, math.nan),
        (-1.0, math.nan),
        (-SMALLEST_SUBNORMAL, math.nan),
        (SMALLEST_SUBNORMAL, -1074.0),
        (SMALLEST_NORMAL, -1022.0),
        (1.0, 0.0),
    ],
)
def test_special_values(x, want):
    for got in (log2(x), log2_all(np.array([x]))[0]):
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == want
