"""Wide grids run as column strips with halos: the counts equal the whole grid's, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import simulate.grid
from ndtheory.spec import PAPER_EXAMPLE
from simulate.grid import column_strips, simulate_grid

W3 = np.array([[0.7, 1, 0.7], [1, 0, 1], [0.7, 1, 0.7]]) / 6
W35 = np.array([[0.0, 0.3, 0.1, 0.0, 0.05], [0.2, 0.0, 0.0, 0.4, 0.0], [0, 0, 0.1, 0, 0]])
W_STRONG = np.array([[2.0, 0.0, 2.0]])  # a neighbour's spike moves a spike at once


@given(
    N=st.integers(1, 5000),
    n_steps=st.integers(0, 300),
    pad_c=st.integers(0, 3),
    width=st.integers(1, 3000),
)
def test_strips_keep_every_column_once_with_their_halo(N, n_steps, pad_c, width):
    simulate.grid.STRIP_COLUMNS = width
    try:
        strips = column_strips(N, n_steps, 1, pad_c, "zero", 36)
    finally:
        simulate.grid.STRIP_COLUMNS = None
    halo = pad_c * max(n_steps - 1, 0)
    kept = np.concatenate([np.arange(k0, k1) for _, _, k0, k1 in strips])
    assert_array_equal(kept, np.arange(N))  # every column kept once, in order
    if len(strips) > 1:
        for lo, hi, k0, k1 in strips:
            assert lo == max(k0 - halo, 0) and hi == min(k1 + halo, N)
            assert hi - lo <= width and k1 - k0 >= 4 * halo  # halos at most half the work


def test_a_6000_wide_fusion_grid_runs_as_strips_and_a_lytro_grid_whole():
    # 3x3 W, t = 110, ND-CNP's three units: 36 bytes a neuron, strips of at most 1618 columns.
    strips = column_strips(6000, 110, 1, 1, "zero", 36)
    assert len(strips) == 5 and max(hi - lo for lo, hi, _, _ in strips) <= 1618
    assert column_strips(520, 110, 1, 1, "zero", 36) == [(0, 520, 0, 520)]
    assert column_strips(6000, 110, 1, 1, "periodic", 36) == [(0, 6000, 0, 6000)]


@settings(deadline=None, max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 12),
    n_steps=st.integers(1, 8),
    W=st.sampled_from([W3, W35, W_STRONG]),
    border=st.sampled_from(["zero", "reflect"]),
    semantics=st.sampled_from(["decay", "decay-on-fire"]),
    spare=st.integers(1, 12),
    n_strips=st.integers(2, 4),
)
def test_strips_equal_the_whole_grid_and_the_reference(
    seed, rows, n_steps, W, border, semantics, spare, n_strips
):
    halo = W.shape[1] // 2 * (n_steps - 1)
    width = 6 * halo + spare  # the narrowest strips column_strips allows, plus spare columns
    N = width + 1 + (n_strips - 2) * (width - 2 * halo)  # wider than one strip
    stimulus = np.random.default_rng(seed).random((rows, N)) * 1.6
    options = {"semantics": semantics, "border": border}
    simulate.grid.STRIP_COLUMNS = width
    try:
        assert len(column_strips(N, n_steps, W.shape[0] // 2, W.shape[1] // 2, border, 36)) > 1
        striped = simulate_grid(stimulus, PAPER_EXAMPLE, W, n_steps, **options).counts
    finally:
        simulate.grid.STRIP_COLUMNS = None
    whole = simulate_grid(stimulus, PAPER_EXAMPLE, W, n_steps, **options).counts
    reference = simulate_grid(stimulus, PAPER_EXAMPLE, W, n_steps, engine="reference", **options)
    assert_array_equal(striped, reference.counts)
    assert_array_equal(whole, reference.counts)


def test_a_halo_one_column_short_changes_counts():
    # The halo of pad_c*(t - 1) columns is the least that is exact. One row, W = [2 0 2],
    # t = 3 (halo 2): column 2 is exact in the strip [0, 5) and wrong in [0, 4), whose edge
    # reads the spikes of column 4 as zeros (found by search over random rows; the counts
    # below are the NumPy reference's).
    stimulus = np.array([[1.02, 0.43, 0.07, 0.03, 1.3, 1.46, 0.97, 1.17, 0.87]])
    W = W_STRONG
    whole = simulate_grid(stimulus, PAPER_EXAMPLE, W, 3, engine="reference").counts
    assert_array_equal(whole, [[2, 3, 3, 3, 3, 3, 3, 3, 2]])
    exact = simulate_grid(stimulus[:, :5], PAPER_EXAMPLE, W, 3).counts
    short = simulate_grid(stimulus[:, :4], PAPER_EXAMPLE, W, 3).counts
    assert_array_equal(exact[:, :3], whole[:, :3])
    assert short[0, 2] != whole[0, 2]


@pytest.mark.parametrize("threads", [1, 2])
def test_pair_of_wide_systems_runs_as_strips(monkeypatch, threads):
    from simulate.pair import simulate_pair

    monkeypatch.setattr(simulate.grid, "STRIP_COLUMNS", 30)
    rng = np.random.default_rng(7)
    I_a, I_b = rng.random((2, 9, 70)) * 1.6
    other = {**PAPER_EXAMPLE, "lam": 9.0}
    a, b = simulate_pair(I_a, I_b, PAPER_EXAMPLE, other, W3, 6, threads=threads)
    assert len(column_strips(70, 6, 1, 1, "zero", 36)) > 1
    for counts, stimulus, params in ((a, I_a, PAPER_EXAMPLE), (b, I_b, other)):
        reference = simulate_grid(stimulus, params, W3, 6, engine="reference").counts
        assert_array_equal(counts, reference)
