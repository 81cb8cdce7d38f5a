"""ND-CNPFuse pieces against hand-computed values (Eqs. (19)-(22))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fusion.configure import ParameterRule, configure, corollary1_lam
from fusion.decision import blend, choose_sources, decision_map, window_sum
from fusion.pipeline import fuse
from fusion.sml import modified_laplacian
from ndtheory.errors import NdcnpInputError


def test_modified_laplacian_by_hand():
    x = np.array([[0.0, 1.0, 0.0], [2.0, 4.0, 1.0]])
    # Replicated borders: (0,0) up=0 down=2 left=0 right=1 -> |0-0-2| + |0-0-1| = 3
    # (0,1): up=1 down=4 left=0 right=0 -> |2-1-4| + |2-0-0| = 5
    # (0,2): up=0 down=1 left=1 right=0 -> |0-0-1| + |0-1-0| = 2
    # (1,0): up=0 down=2 left=2 right=4 -> |4-0-2| + |4-2-4| = 4
    # (1,1): up=1 down=4 left=2 right=1 -> |8-1-4| + |8-2-1| = 8
    # (1,2): up=0 down=1 left=4 right=1 -> |2-0-1| + |2-4-1| = 4
    expected = np.array([[3.0, 5.0, 2.0], [4.0, 8.0, 4.0]])
    np.testing.assert_array_equal(modified_laplacian(x), expected)


def test_modified_laplacian_is_zero_on_a_plane():
    y, x = np.mgrid[0:6, 0:7]
    assert np.allclose(modified_laplacian(0.1 * x + 0.05 * y)[1:-1, 1:-1], 0.0)


def test_window_sum_by_hand():
    sm = np.arange(1, 10).reshape(3, 3)
    # r = 1 with zeros outside: corner (0,0) = 1+2+4+5
    expected = np.array([[12, 21, 16], [27, 45, 33], [24, 39, 28]])
    np.testing.assert_array_equal(window_sum(sm, 1), expected)
    np.testing.assert_array_equal(window_sum(sm, 0), sm)
    assert (window_sum(sm, 5) == 45).all()


@given(
    arrays(np.int64, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.integers(0, 110)),
    st.integers(0, 4),
)
def test_window_sum_matches_brute_force(sm, r):
    M, N = sm.shape
    brute = np.zeros_like(sm)
    for i in range(M):
        for j in range(N):
            brute[i, j] = sm[max(i - r, 0) : i + r + 1, max(j - r, 0) : j + r + 1].sum()
    np.testing.assert_array_equal(window_sum(sm, r), brute)


def test_decision_map_ties_go_to_the_second_source():
    fa = np.array([[3, 2, 1]])
    fb = np.array([[2, 2, 2]])
    np.testing.assert_array_equal(decision_map([fa, fb]), [[1, 0, 0]])


def test_more_sources_largest_wins_and_ties_go_to_the_last():
    f = [np.array([[5, 1, 4, 2]]), np.array([[1, 5, 4, 2]]), np.array([[1, 1, 3, 2]])]
    np.testing.assert_array_equal(choose_sources(f), [[0, 1, 1, 2]])


def test_blend_is_eq20_on_every_channel():
    a = np.full((2, 2, 3), 10, np.uint8)
    b = np.full((2, 2, 3), 200, np.uint8)
    dm = np.array([[1, 0], [0, 1]])
    out = blend([a, b], 1 - dm)  # choice 0 = a where DM = 1
    expected = dm[..., None] * a.astype(int) + (1 - dm[..., None]) * b.astype(int)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.uint8


def test_corollary1_lam_reproduces_the_paper_example():
    # Eq. (18): alpha=0.8, beta=0.2, gamma=0.5, lam=15, sum(W)=1.2 give a bound of 1.2.
    w = ((0.0, 0.1, 0.0), (0.5, 0.0, 0.5), (0.0, 0.1, 0.0))
    rule = ParameterRule(W=w, alpha=0.8, beta=0.2, gamma=0.5)
    assert corollary1_lam(1.2, rule) == pytest.approx(15.0, rel=1e-12)


def test_configure_shared_and_own_scopes():
    w = ((0.0, 0.1, 0.0), (0.5, 0.0, 0.5), (0.0, 0.1, 0.0))
    stimuli = [np.array([[0.0, 1.2]]), np.array([[0.3, 0.2]])]
    shared = configure(stimuli, ParameterRule(W=w, alpha=0.8, beta=0.2, gamma=0.5))
    assert [p["lam"] for p in shared] == pytest.approx([15.0, 15.0])
    own = configure(stimuli, ParameterRule(W=w, alpha=0.8, beta=0.2, gamma=0.5, lam_scope="own"))
    # lam is linear in I + sum(W): (0.3 + 1.2) / (1.2 + 1.2) * 15
    assert [p["lam"] for p in own] == pytest.approx([15.0, 15.0 * 1.5 / 2.4])


def _pair(size=48):
    rng = np.random.default_rng(7)
    sharp = rng.integers(0, 256, (size, size, 3)).astype(np.uint8)
    blurred = ((sharp.astype(int) + np.roll(sharp, 1, 0) + np.roll(sharp, 1, 1)) // 3).astype(
        np.uint8
    )
    a, b = sharp.copy(), blurred.copy()
    a[:, size // 2 :] = blurred[:, size // 2 :]
    b[:, size // 2 :] = sharp[:, size // 2 :]
    return a, b


def test_fuse_picks_the_sharp_half_and_copies_pixels():
    a, b = _pair()
    result = fuse([a, b], radius=3)
    dm = result.decision_map
    assert dm[:, :20].mean() > 0.95 and dm[:, 28:].mean() < 0.05
    from_a = (result.fused == a).all(axis=2)
    from_b = (result.fused == b).all(axis=2)
    assert (from_a | from_b).all()
    np.testing.assert_array_equal(from_a & ~from_b, (dm == 1) & ~(a == b).all(axis=2))


def test_fuse_is_deterministic():
    a, b = _pair()
    r1, r2 = fuse([a, b], radius=4), fuse([a, b], radius=4)
    np.testing.assert_array_equal(r1.fused, r2.fused)
    np.testing.assert_array_equal(r1.counts, r2.counts)


def test_fuse_rejects_a_radius_not_smaller_than_the_image():
    a, b = _pair(10)
    with pytest.raises(NdcnpInputError, match="radius 10 is not smaller"):
        fuse([a, b], radius=10)


def test_flat_sources_tie_everywhere_and_give_the_second():
    a = np.full((12, 12), 40, np.uint8)
    b = np.full((12, 12), 90, np.uint8)
    result = fuse([a, b], radius=2)
    assert (result.counts[0] == result.counts[1]).all()
    assert (result.decision_map == 0).all()
    np.testing.assert_array_equal(result.fused, b)


def test_fires_at_equality_rule_uses_ge():
    import sympy as sp

    rule = ParameterRule(W=((0, 1, 0), (1, 0, 1), (0, 1, 0)), alpha=0.5, beta=0.5, gamma=0.5)
    assert isinstance(rule.model.fires, sp.StrictGreaterThan)
    ge = ParameterRule(**{**rule.__dict__, "fires_at_equality": True})
    assert isinstance(ge.model.fires, sp.GreaterThan)
