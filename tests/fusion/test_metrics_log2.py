"""The FMI kernel's branch-free log2 against glibc's (``math.log2``) and exact values; its lean
variant and the kernel's fallback to the full one."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ulps import in_a_loop, ulps

from fusion.metrics import _fmi_kernel
from fusion.metrics._log2 import is_normal, log2, log2_normal

SMALLEST_SUBNORMAL = 5e-324
SMALLEST_NORMAL = 2.2250738585072014e-308
LARGEST = 1.7976931348623157e308


log2_all = in_a_loop(log2)
log2_normal_all = in_a_loop(log2_normal)


@numba.njit
def is_normal_all(x):
    out = np.empty(x.size, dtype=np.bool_)
    for k in range(x.size):
        out[k] = is_normal(x[k])
    return out


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


def normal_numbers():
    rng = np.random.default_rng(11)
    return np.concatenate(
        [
            rng.random(20_000) + SMALLEST_NORMAL,
            np.exp2(rng.uniform(-1022, 1024, 20_000)),
            1 + rng.uniform(-1e-6, 1e-6, 20_000),
            np.sqrt(2) * (1 + rng.uniform(-1e-9, 1e-9, 20_000)),
            np.sqrt(0.5) * (1 + rng.uniform(-1e-9, 1e-9, 20_000)),
            np.ldexp(1.0, np.arange(-1022, 1024)),
            [SMALLEST_NORMAL, LARGEST, 1.0],
        ]
    )


def test_log2_normal_is_log2_on_normal_numbers():
    x = normal_numbers()
    assert is_normal_all(x).all()
    np.testing.assert_array_equal(log2_normal_all(x), log2_all(x))
    assert all(log2_normal(float(v)) == log2(float(v)) for v in x[::997])


NOT_NORMAL = [0.0, -0.0, SMALLEST_SUBNORMAL, SMALLEST_NORMAL / 2, np.nextafter(SMALLEST_NORMAL, 0)]
NOT_NORMAL += [-1.0, -SMALLEST_NORMAL, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("x", NOT_NORMAL)
def test_is_normal_refuses_what_log2_normal_gets_wrong(x):
    assert not is_normal(x)
    assert not is_normal_all(np.array([x]))[0]


def test_log2_normal_is_wrong_on_subnormals():
    # So that the kernel test below fails if the kernel kept the lean value for one.
    x = np.array([SMALLEST_SUBNORMAL, 1e-320, 1e-310])
    assert (log2_normal_all(x) != log2_all(x)).all()


def pdf_block(rng, subnormal_at=None):
    """One block of the FMI kernel's pdf rows: 9 normalised entries per window, some 0."""
    s, w = _fmi_kernel._S, _fmi_kernel._W
    windows = rng.random((w, 9))
    windows[rng.random((w, 9)) < 0.15] = 0.0
    windows[:, 4] = 1.0  # every window has its maximum
    if subnormal_at is not None:
        windows[subnormal_at] = 1e-310  # divided by the window's total: subnormal
    pdf = np.zeros(9 * s)
    for k in range(9):
        pdf[k * s : k * s + w] = windows[:, k]
    return pdf


@pytest.mark.parametrize("subnormal_at", [None, (0, 0), (77, 3), (127, 8)])
def test_pdf_stats_logs_are_the_full_log2s(subnormal_at):
    # The kernel's pdf logs and entropies come from the lean log2 where every entry of the
    # block is normal, and from the full one for a block with a subnormal entry: either way
    # they are the full log2's bits.
    s, w = _fmi_kernel._S, _fmi_kernel._W
    pdf = pdf_block(np.random.default_rng(3), subnormal_at)
    cdf, logs, stats = np.zeros(10 * s), np.zeros(9 * s), np.zeros(5 * s)
    _fmi_kernel._pdf_stats(pdf, cdf, logs, stats)
    p = np.stack([pdf[k * s : k * s + w] for k in range(9)])
    if subnormal_at is not None:
        q, k = subnormal_at
        assert 0.0 < p[k, q] < SMALLEST_NORMAL
    want_logs = log2_all(np.where(p != 0, p, 1.0).ravel()).reshape(p.shape)
    got_logs = np.stack([logs[k * s : k * s + w] for k in range(9)])
    np.testing.assert_array_equal(got_logs, want_logs)
    want_h = np.zeros(w)
    for k in range(9):  # the kernel's order: h -= p log2 p, entry after entry
        want_h = want_h - p[k] * want_logs[k]
    h = _fmi_kernel._H * s
    np.testing.assert_array_equal(stats[h : h + w], want_h)
