"""The phase-congruency kernel's branch-free exp against glibc's (``math.exp``) and exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ulps import in_a_loop, ulps

from fusion.metrics._exp import exp

OVERFLOW = 709.782712893384  # math.exp overflows above this
UNDERFLOW = -745.1332191019412  # and is 0 below this


exp_all = in_a_loop(exp)


def glibc(x):
    return np.array([math.exp(v) for v in x])


@given(st.floats(min_value=UNDERFLOW, max_value=OVERFLOW))
def test_within_one_ulp_of_glibc(x):
    assert ulps(exp(x), math.exp(x)) <= 1


def test_within_one_ulp_in_a_vectorised_loop():
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [
            rng.uniform(-5, 5, 50_000),  # the frequency-spread exponents of phase congruency
            rng.uniform(UNDERFLOW, OVERFLOW, 50_000),  # every binade of the result
            rng.uniform(-745.1, -708.5, 20_000),  # subnormal results
            rng.uniform(-1e-9, 1e-9, 20_000),  # near 0, where exp is 1 + x
            np.log(2) / 2 * (1 + rng.uniform(-1e-9, 1e-9, 20_000)),  # range-reduction switch
            np.log(2) * rng.integers(-1000, 1000, 20_000),  # near k ln 2
        ]
    )
    assert ulps(exp_all(x), glibc(x)).max() <= 1


def test_exact_at_zero_and_e_at_one():
    assert exp(0.0) == 1.0
    assert exp(-0.0) == 1.0
    assert ulps(exp(1.0), math.e) <= 1
    assert ulps(exp(-1.0), 1 / math.e) <= 1


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (math.inf, math.inf),
        (-math.inf, 0.0),
        (math.nan, math.nan),
        (710.0, math.inf),
        (1e300, math.inf),
        (-746.0, 0.0),
        (-1e300, 0.0),
        (UNDERFLOW + 1e-3, 5e-324),  # the smallest subnormal
    ],
)
def test_special_values(x, want):
    for got in (exp(x), exp_all(np.array([x]))[0]):
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == want
