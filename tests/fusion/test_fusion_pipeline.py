"""ND-CNPFuse pieces against hand-computed values (Eqs. (19)-(22))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fusion.configure import ParameterRule, configure, corollary1_lam, system_kernel
from fusion.decision import blend, choose_sources, decision_map, window_sum, window_sums
from fusion.images import im2double, rgb2gray
from fusion.pipeline import fuse
from fusion.rule import DEFAULT_RULE
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
    for dtype in (np.uint8, np.uint16, np.int32, np.uint64):
        np.testing.assert_array_equal(window_sum(sm.astype(dtype), 1), expected)
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


def test_disk_window_by_hand():
    sm = np.arange(1, 10).reshape(3, 3)
    # r = 1: the disk is the centre and its four edge neighbours (no diagonals);
    # (0,0) = 1+2+4, (1,1) = 2+4+5+6+8, (0,1) = 1+2+3+5
    expected = np.array([[7, 11, 11], [17, 25, 23], [19, 29, 23]])
    np.testing.assert_array_equal(window_sum(sm, 1, window="disk"), expected)
    # r = 2 reaches (i +- 1, j +- 1) (distance^2 = 2 <= 4) but not (i +- 2, j +- 1) (5 > 4):
    # the centre of a 3x3 sees everything, the corner (0,0) all but (2,1), (1,2), (2,2)
    r2 = window_sum(sm, 2, window="disk")
    assert r2[1, 1] == 45 and r2[0, 0] == 45 - 8 - 6 - 9


def brute_window_sum(sm, r, window):
    """Eq. (21) by definition: the sum over every pixel inside the window, one at a time."""
    M, N = sm.shape
    y, x = np.mgrid[0:M, 0:N]
    wide = sm.astype(np.int64)

    def inside(i, j):
        if window == "disk":
            return (y - i) ** 2 + (x - j) ** 2 <= r * r
        if window == "square":
            return np.maximum(np.abs(y - i), np.abs(x - j)) <= r
        return np.abs(y - i) + np.abs(x - j) <= r

    return np.array([[wide[inside(i, j)].sum() for j in range(N)] for i in range(M)])


@pytest.mark.parametrize("window", ["disk", "diamond"])
@given(
    arrays(np.int64, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.integers(0, 110)),
    st.integers(0, 5),
)
def test_segment_windows_match_brute_force(window, sm, r):
    np.testing.assert_array_equal(window_sum(sm, r, window=window), brute_window_sum(sm, r, window))


def test_diamond_window_by_hand():
    sm = np.arange(1, 26).reshape(5, 5)
    # r = 2, |dx| + |dy| <= 2: the centre (2, 2) sees the 13 cells of the diamond,
    # all of column 2 and row 2 plus the four diagonal neighbours.
    d = window_sum(sm, 2, window="diamond")
    assert d[2, 2] == sum(sm[2]) + sum(sm[:, 2]) - 13 + 7 + 9 + 17 + 19
    # The corner (0, 0) sees (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0).
    assert d[0, 0] == 1 + 2 + 3 + 6 + 7 + 11
    # r = 1 is the same cross as the disk of radius 1.
    np.testing.assert_array_equal(
        window_sum(sm, 1, window="diamond"), window_sum(sm, 1, window="disk")
    )


def test_unknown_window_is_an_input_error():
    with pytest.raises(NdcnpInputError, match="window must be one of diamond, disk, square"):
        window_sum(np.zeros((3, 3), dtype=int), 1, window="circle")


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


@pytest.mark.parametrize("n", [2, 3, 5])
def test_choice_is_the_last_largest_and_blend_copies_it_for_any_number_of_sources(n):
    rng = np.random.default_rng(n)
    sums = list(rng.integers(0, 4, (n, 9, 11)))  # small values: many ties
    choice = choose_sources(sums)
    for i, j in np.ndindex(9, 11):
        values = [int(f[i, j]) for f in sums]
        assert choice[i, j] == max(k for k in range(n) if values[k] == max(values))
    for shape in ((9, 11), (9, 11, 3)):
        images = list(rng.integers(0, 65535, (n, *shape), endpoint=True).astype(np.uint16))
        out = blend(images, choice)
        assert out.dtype == np.uint16
        for i, j in np.ndindex(9, 11):
            np.testing.assert_array_equal(out[i, j], images[choice[i, j]][i, j])


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


def test_configure_own_beta_by_hand():
    # Eq. (18)'s parameters: lam = 15 puts I = 1.2 on the bound; then for the second
    # system's own largest input 0.3, Eq. (17) I + W = lam (1-a)(1-b) / ((1-g)(1-b+W))
    # reads 1.5 = 6 x / (x + 1.2) with x = 1 - beta, so x = 0.4 and beta = 0.6.
    w = ((0.0, 0.1, 0.0), (0.5, 0.0, 0.5), (0.0, 0.1, 0.0))
    stimuli = [np.array([[0.0, 1.2]]), np.array([[0.3, 0.2]])]
    rule = ParameterRule(
        W=w, alpha=0.8, beta=0.2, gamma=0.5, own_parameter="beta", own_percentile=100
    )
    got = configure(stimuli, rule)
    assert [p["lam"] for p in got] == pytest.approx([15.0, 15.0])
    assert [p["beta"] for p in got] == pytest.approx([0.2, 0.6], rel=1e-12)
    assert [p["alpha"] for p in got] == [0.8, 0.8]


def test_default_rule_beta_from_the_own_percentile_by_hand():
    # Constant inputs 0.1 and 0.05, sum(W) = 0.06: lam (1-a)/(1-g) = 0.16 * 0.86 / 0.8 = 0.172
    # (Eq. 19 at the joint maximum 0.1); the second system solves 0.11 = 0.172 x / (x + 0.06),
    # x = 1 - beta = 0.0066 / 0.062 = 33/310, so beta = 277/310.
    stimuli = [np.full((4, 4), 0.1), np.full((4, 4), 0.05)]
    got = configure(stimuli, DEFAULT_RULE)
    assert got[0]["beta"] == pytest.approx(0.2, rel=1e-12)
    assert got[1]["beta"] == pytest.approx(277 / 310, rel=1e-12)
    assert got[0]["lam"] == got[1]["lam"] == pytest.approx(0.43, rel=1e-12)


def test_default_rule_uses_a_percentile_not_the_maximum():
    # One outlier of 1.0 among 9999 values of 0.05: the 99.99th percentile (linear
    # interpolation at index 0.9999 * 9999 = 9998.0001) is 0.05 + 0.0001 * 0.95 = 0.050095,
    # not the maximum. lam is Eq. 19 at the maximum 1.0: C = lam (1-a)/(1-g) = 1.06 * 0.86 / 0.8;
    # Eq. 17 at I = 0.050095 gives x = 1 - beta = (I + W) W / (C - I - W) with W = 0.06.
    s = np.full((100, 100), 0.05)
    s[0, 0] = 1.0
    level, w = 0.050095, 0.06
    c = 1.06 * 0.86 / 0.8
    got = configure([s, s], DEFAULT_RULE)
    assert got[0]["lam"] == pytest.approx(c * 0.5 / 0.2, rel=1e-12)
    assert got[0]["beta"] == pytest.approx(1 - (level + w) * w / (c - level - w), rel=1e-9)


def test_configure_rejects_an_unknown_own_parameter():
    rule = ParameterRule(W=((0, 1, 0), (1, 0, 1), (0, 1, 0)), alpha=0.5, beta=0.5, gamma=0.5)
    bad = ParameterRule(**{**rule.__dict__, "own_parameter": "lam"})
    with pytest.raises(NdcnpInputError, match="own_parameter"):
        configure([np.ones((2, 2)), np.ones((2, 2))], bad)
    bad = ParameterRule(**{**rule.__dict__, "own_parameter": "beta", "own_percentile": 101.0})
    with pytest.raises(NdcnpInputError, match="own_percentile"):
        configure([np.ones((2, 2)), np.ones((2, 2))], bad)


def test_system_kernel_rescales_only_for_an_own_sum_w():
    rule = ParameterRule(W=((0, 1, 0), (1, 0, 1), (0, 1, 0)), alpha=0.5, beta=0.5, gamma=0.5)
    np.testing.assert_array_equal(system_kernel(rule, {"sum_W": 4.0}), rule.kernel)
    np.testing.assert_allclose(system_kernel(rule, {"sum_W": 1.0}), rule.kernel / 4)


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


def test_unknown_device_is_refused():
    from fusion.pipeline import fuse

    images = [np.zeros((8, 8), np.uint8), np.full((8, 8), 9, np.uint8)]
    with pytest.raises(NdcnpInputError, match="device must be 'cpu' or 'cuda'; got 'tpu'"):
        fuse(images, radius=1, n_steps=3, device="tpu")


@pytest.mark.parametrize("window", ["disk", "diamond"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
@pytest.mark.parametrize("shape, r", [((37, 53), 16), ((40, 9), 7), ((5, 70), 21), ((1, 1), 0)])
def test_segment_windows_match_brute_force_at_fusion_radii(shape, r, dtype, window):
    sm = np.random.default_rng(r).integers(0, 111, shape).astype(dtype)
    np.testing.assert_array_equal(window_sum(sm, r, window=window), brute_window_sum(sm, r, window))


def test_disk_window_with_counts_too_large_for_32_bits():
    # 2**40 per pixel overflows 32-bit prefix sums: the kernel must fall back to 64 bits.
    sm = np.full((6, 7), 2**40, dtype=np.int64)
    sm[2, 3] = -(2**41)
    np.testing.assert_array_equal(window_sum(sm, 3, window="disk"), brute_window_sum(sm, 3, "disk"))


def test_window_sums_write_into_one_stack_and_check_shapes():
    sm = np.arange(1, 10).reshape(3, 3)
    both = window_sums([sm, 2 * sm], 1)
    np.testing.assert_array_equal(both[1], 2 * window_sum(sm, 1))
    out = np.zeros((3, 3), dtype=np.int64)
    assert window_sum(sm, 1, window="disk", out=out) is out
    np.testing.assert_array_equal(out, [[7, 11, 11], [17, 25, 23], [19, 29, 23]])
    with pytest.raises(NdcnpInputError, match="counts differ in shape"):
        window_sums([sm, sm[:2]], 1)
    with pytest.raises(NdcnpInputError, match="out must be a C-contiguous int64 array"):
        window_sum(sm, 1, out=np.zeros((3, 3), dtype=np.int32))


@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 30), st.integers(1, 12)),
    r=st.integers(0, 12),
    window=st.sampled_from(["diamond", "disk", "square"]),
    data=st.data(),
)
def test_a_band_of_rows_is_those_rows_of_the_brute_force_sums(seed, shape, r, window, data):
    sm = np.random.default_rng(seed).integers(0, 111, shape).astype(np.uint16)
    first = data.draw(st.integers(0, shape[0]))
    last = data.draw(st.integers(first, shape[0]))
    band = window_sum(sm, r, window=window, rows=(first, last))
    np.testing.assert_array_equal(band, brute_window_sum(sm, r, window)[first:last])
    both = window_sums([sm, 2 * sm], r, window=window, rows=(first, last))
    np.testing.assert_array_equal(both, [band, 2 * band])


def test_a_band_of_rows_is_checked():
    sm = np.ones((4, 4), dtype=np.int64)
    with pytest.raises(NdcnpInputError, match=r"rows must satisfy 0 <= first <= last <= 4"):
        window_sum(sm, 1, rows=(3, 2))
    with pytest.raises(NdcnpInputError, match=r"out must be .* of shape \(2, 4\)"):
        window_sum(sm, 1, rows=(1, 3), out=np.zeros((4, 4), dtype=np.int64))


@pytest.mark.parametrize("window", ["diamond", "disk", "square"])
@pytest.mark.parametrize("pixels", [1, 40, 97, 10_000])
def test_blocks_of_rows_give_the_whole_image_decision_exactly(window, pixels):
    # Blocks as small as one row: the Laplacian's 1-row halo and the sums' r-row halo must
    # make every block's values those of the whole image.
    from fusion.pipeline import decide, fusion_input

    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, (23, 17, 3), dtype=np.uint8)
    grey = rgb2gray(image)
    np.testing.assert_array_equal(
        fusion_input(image, pixels=pixels), modified_laplacian(im2double(grey))
    )
    counts = list(rng.integers(0, 5, (3, 23, 17)))
    whole = choose_sources(list(window_sums(counts, 4, window=window)))
    np.testing.assert_array_equal(decide(counts, 4, window=window, pixels=pixels), whole)


def test_fuse_without_counts_is_the_same_fusion():
    rng = np.random.default_rng(12)
    sharp = rng.integers(0, 256, (30, 26, 3), dtype=np.uint8)
    soft = ((sharp.astype(int) + np.roll(sharp, 1, 0) + np.roll(sharp, 1, 1)) // 3).astype(np.uint8)
    a, b = sharp.copy(), soft.copy()  # a in focus on the left, b on the right
    a[:, 13:], b[:, 13:] = soft[:, 13:], sharp[:, 13:]
    full = fuse([a, b], radius=3, n_steps=20)
    lean = fuse([a, b], radius=3, n_steps=20, keep_counts=False)
    assert lean.counts is None and lean.window_sums is None
    np.testing.assert_array_equal(lean.choice, full.choice)
    np.testing.assert_array_equal(lean.fused, full.fused)
    assert 0 < full.decision_map.mean() < 1  # both sources chosen somewhere
