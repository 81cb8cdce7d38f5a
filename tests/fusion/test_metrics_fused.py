"""The metrics' fused numba passes give the bits of the NumPy formulas they replace.

Each oracle below is the NumPy expression the metric computed before its kernel, written out
here (not imported from the code under test), on inputs chosen to reach the special cases:
ties, halves for the rounding, zeros, images smaller than a filter.
"""

from __future__ import annotations

from importlib import import_module

import numpy as np
import pytest
from scipy import ndimage

from fusion.metrics import _common

qabf = import_module("fusion.metrics.qabf")
qabf_kernel = import_module("fusion.metrics._qabf_kernel")
qcb = import_module("fusion.metrics.qcb")
qcb_kernel = import_module("fusion.metrics._qcb_kernel")

RNG = np.random.default_rng(20261206)


def zero_border_filter(x, weights):
    """MATLAB ``filter2`` of a separable symmetric kernel, zero borders: two ndimage passes."""
    along0 = ndimage.correlate1d(x, weights, axis=0, mode="constant", cval=0.0)
    return ndimage.correlate1d(along0, weights, axis=1, mode="constant", cval=0.0)


class TestQcb:
    @pytest.mark.parametrize("shape", [(37, 41), (8, 5), (1, 1)])
    def test_normalise_round(self, shape):
        x = RNG.random(shape)
        # Grey levels whose scaled value ends in exactly .5 somewhere: 0..1 in steps of 1/510.
        x.flat[: x.size // 2] = RNG.integers(0, 511, x.size // 2) / 510
        x.flat[:2] = 0.0, 1.0
        bottom, top = x.min(), x.max()
        if top == bottom:
            top = bottom + 1.0
        want = _common.matlab_round((x - bottom) / (top - bottom) * 255)
        got = qcb_kernel.normalise_round(x, bottom, top - bottom)
        np.testing.assert_array_equal(got, want)
        if x.size > 1:
            assert np.any(((x - bottom) / (top - bottom) * 255) % 1 == 0.5)

    @pytest.mark.parametrize("dtype", [np.float32, np.uint8])
    def test_normalize255_of_other_dtypes(self, dtype):
        # Computed in the image's own type as before: float32 rounds differently.
        x = (RNG.random((9, 11)) * 200 + 3).astype(dtype)
        bottom, top = x.min(), x.max()
        want = _common.matlab_round((x - bottom) / (top - bottom) * 255)
        np.testing.assert_array_equal(qcb.normalize255(x), want)

    def test_normalise_round_of_a_constant_image(self):
        x = np.full((6, 7), 0.25)
        with np.errstate(divide="ignore", invalid="ignore"):
            want = _common.matlab_round((x - 0.25) / (0.25 - 0.25) * 255)
        got = qcb.normalize255(x)
        np.testing.assert_array_equal(got, want)  # NaN everywhere, as the reference
        assert np.isnan(got).all()

    @pytest.mark.parametrize("shape", [(48, 64), (45, 51), (20, 13), (3, 40), (1, 1)])
    def test_masked_contrast(self, shape):
        # Smaller than the 31-tap filters on a side, too: the zero border holds all taps.
        filtered = ndimage.gaussian_filter(RNG.random(shape), 1.5) * 255 - 100
        g1 = qcb._gaussian_unnormalised_1d(qcb.SIGMA_1)
        g2 = qcb._gaussian_unnormalised_1d(qcb.SIGMA_2)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.abs(zero_border_filter(filtered, g1) / zero_border_filter(filtered, g2) - 1)
        c2 = c * c
        want = c2 * c / (c2 + qcb.Z)
        got = qcb_kernel.masked_contrast(filtered, g1, g2, qcb.Z)
        np.testing.assert_array_equal(got, want)

    def test_quality_map(self):
        shape = (30, 33)
        ca, cb, cf = (RNG.random(shape) for _ in range(3))
        # Ties with F, zeros (0/0 where both sources are 0), and equal sources.
        cf[:5] = ca[:5]
        cf[5:10] = cb[5:10]
        ca[10:12], cb[10:12] = 0.0, 0.0
        cf[12:14] = 0.0
        cb[14:16] = ca[14:16]
        with np.errstate(divide="ignore", invalid="ignore"):
            q_af = np.where(ca < cf, ca / cf, cf / ca)
            q_bf = np.where(cb < cf, cb / cf, cf / cb)
            saliency = ca * ca + cb * cb
            want = (ca * ca) / saliency * q_af + (cb * cb) / saliency * q_bf
        got = qcb_kernel.quality_map(ca, cb, cf)
        np.testing.assert_array_equal(got, want)
        assert np.isnan(got[10:12]).all()


def qabf_numpy(g_a, al_a, g_b, al_b, g_f, al_f):
    """Qabf's sum as its NumPy version computed it (``qabf._preservation`` until the kernels)."""

    def preservation(g_s, a_s):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(g_s > g_f, g_f / g_s, g_s / g_f)
        relative = np.where(g_s == g_f, g_f, ratio)
        orientation = 1 - np.abs(a_s - al_f) / (np.pi / 2)
        q_g = 0.9994 / (1 + np.exp(-15.0 * (relative - 0.5)))
        q_a = 0.9879 / (1 + np.exp(-22.0 * (orientation - 0.8)))
        return q_g * q_a

    q_af, q_bf = preservation(g_a, al_a), preservation(g_b, al_b)
    return np.sum(q_af * g_a + q_bf * g_b) / np.sum(g_a + g_b)


class TestQabf:
    def test_constants_are_the_papers(self):
        assert (qabf.T_G, qabf.K_G, qabf.D_G) == (0.9994, -15.0, 0.5)
        assert (qabf.T_A, qabf.K_A, qabf.D_A) == (0.9879, -22.0, 0.8)

    @pytest.mark.parametrize("seed", range(3))
    def test_qabf_is_the_numpy_formula(self, seed):
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 256, (40, 45)).astype(np.float64)
        b = np.clip(a + rng.integers(-40, 40, a.shape), 0, 255)
        f = np.where(rng.random(a.shape) < 0.5, a, b)
        f[:6] = a[:6]  # equal strengths: the reference's G = g_F quirk
        f[6:9, :] = 7.0  # flat: no edge in F (0/0 where a source is flat too)
        a[7:9, :] = 7.0
        edges = [qabf.sobel_strength_orientation(x) for x in (a, b, f)]
        assert np.any(edges[0][0] == edges[2][0]) and np.any(edges[2][0] == 0)
        want = qabf_numpy(*edges[0], *edges[1], *edges[2])
        assert qabf.qabf(a, b, f, data_range=255) == want

    def test_weighted_preservation_map(self):
        shape = (12, 17)
        g_a, g_b, g_f = (RNG.random(shape) * 100 for _ in range(3))
        at_a, at_b, at_f = ((RNG.random(shape) - 0.5) * np.pi for _ in range(3))
        v_a, v_b, v_f = (RNG.random(shape) < 0.2 for _ in range(3))
        g_f[:3] = g_a[:3]
        g_f[3:5] = 0.0
        g_a[4] = 0.0
        e = np.empty((4, *shape))
        qabf_kernel.exponents(
            g_a, at_a, v_a, g_b, at_b, v_b, g_f, at_f, v_f, -15.0, 0.5, -22.0, 0.8, e
        )
        np.exp(e, out=e)
        got = qabf_kernel.weighted_preservation(e, g_a, g_b, 0.9994, 0.9879)
        al_f = np.where(v_f, np.pi / 2, at_f)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = []
            for g_s, at_s, v_s in ((g_a, at_a, v_a), (g_b, at_b, v_b)):
                a_s = np.where(v_s, np.pi / 2, at_s)
                ratio = np.where(g_s > g_f, g_f / g_s, g_s / g_f)
                relative = np.where(g_s == g_f, g_f, ratio)
                orientation = 1 - np.abs(a_s - al_f) / (np.pi / 2)
                q_g = 0.9994 / (1 + np.exp(-15.0 * (relative - 0.5)))
                q_a = 0.9879 / (1 + np.exp(-22.0 * (orientation - 0.8)))
                q.append(q_g * q_a)
        np.testing.assert_array_equal(got, q[0] * g_a + q[1] * g_b)


class TestSsim:
    @pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64, np.float32, np.float16])
    def test_luma_is_the_numpy_formula(self, dtype):
        # float16 takes the NumPy path (numba has no float16 arrays); the others the kernel.
        ssim = import_module("fusion.metrics.ssim")
        peak = 65535.0 if dtype == np.uint16 else 255.0
        rgb = (RNG.random((23, 31, 3)) * peak).astype(dtype)
        if dtype == np.uint8:
            rgb[0, :3] = [[0, 0, 0], [255, 255, 255], [1, 254, 128]]
        scaled = rgb.astype(np.float64) / peak
        want = (
            16 + 65.481 * scaled[..., 0] + 128.553 * scaled[..., 1] + 24.966 * scaled[..., 2]
        ) * (peak / 255)
        np.testing.assert_array_equal(ssim.luma(rgb), want)
        # A view that is not C-contiguous gives the same.
        np.testing.assert_array_equal(ssim.luma(rgb[::-1])[::-1], want)
