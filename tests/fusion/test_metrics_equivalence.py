"""Each library call used in fusion.metrics computes what the MATLAB built-in computes.

MATLAB is not available here, so each built-in is written out directly from its documented
definition (the slow way) and compared with the library call the metrics use.
"""

from __future__ import annotations

from importlib import import_module

import numpy as np
import pytest
import pywt
from hypothesis import given
from hypothesis import strategies as st
from scipy import fft, ndimage, signal
from skimage.metrics import structural_similarity

from fusion.metrics import _common
from fusion.metrics.dmey102 import DMEY102_SCALING_FILTER

# The package re-exports functions under the module names, so fetch the modules themselves.
fmi = import_module("fusion.metrics.fmi")
qabf = import_module("fusion.metrics.qabf")
qcb = import_module("fusion.metrics.qcb")
ssim_module = import_module("fusion.metrics.ssim")

RNG = np.random.default_rng(20240521)


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def matlab_dwt2(x: np.ndarray, lo_d: np.ndarray, hi_d: np.ndarray):
    """MATLAB dwt2 with 'sym': extend lf-1 half-point symmetric, 'valid' convolution, keep
    the even (1-based) samples; rows first, then columns."""
    lf = len(lo_d)

    def along(data, h, axis):
        pad = [(0, 0)] * data.ndim
        pad[axis] = (lf - 1, lf - 1)
        ext = np.pad(data, pad, mode="symmetric")
        full = np.apply_along_axis(lambda v: np.convolve(v, h, mode="valid"), axis, ext)
        return np.take(full, np.arange(1, full.shape[axis], 2), axis=axis)

    lo_rows, hi_rows = along(x, lo_d, 1), along(x, hi_d, 1)
    return (
        along(lo_rows, lo_d, 0),
        along(lo_rows, hi_d, 0),  # cH: low along rows, high along columns
        along(hi_rows, lo_d, 0),  # cV
        along(hi_rows, hi_d, 0),  # cD
    )


class TestWavelet:
    def test_filter_is_matlab_dmey(self):
        w = fmi.dmey102()
        assert len(DMEY102_SCALING_FILTER) == 102 and w.dec_len == 102
        assert sum(w.rec_lo) == pytest.approx(np.sqrt(2), abs=1e-14)
        # MATLAB qmf: Hi_R = reversed Lo_R with alternate signs; Hi_D = reversed Hi_R.
        rec_lo = np.array(w.rec_lo)
        expected_hi = rec_lo[::-1] * np.where(np.arange(102) % 2, -1, 1)
        np.testing.assert_array_equal(w.rec_hi, expected_hi)
        np.testing.assert_array_equal(w.dec_hi, expected_hi[::-1])

    @pytest.mark.parametrize("shape", [(40, 37), (120, 130)])
    def test_pywt_dwt2_symmetric_is_matlab_dwt2(self, shape):
        x = RNG.random(shape) * 255
        w = fmi.dmey102()
        ours = pywt.dwt2(x, w, mode="symmetric")
        direct = matlab_dwt2(x, np.array(w.dec_lo), np.array(w.dec_hi))
        for got, want in zip((ours[0], *ours[1]), direct, strict=True):
            assert got.shape == ((shape[0] + 101) // 2, (shape[1] + 101) // 2)
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)

    def test_pywavelets_own_dmey_differs(self):
        x = RNG.integers(0, 256, (48, 48)).astype(np.uint8)
        y = np.clip(x.astype(int) + RNG.integers(-30, 30, x.shape), 0, 255).astype(np.uint8)
        assert pywt.Wavelet("dmey").dec_len == 62
        f = np.where(RNG.random(x.shape) < 0.5, x, y)

        def features62(image):
            c_a, (c_h, c_v, c_d) = pywt.dwt2(image.astype(float), "dmey", mode="symmetric")
            return fmi.rerange(np.block([[c_a, c_h], [c_v, c_d]]))

        fmi62 = np.mean(fmi.fmi_window_scores(*(features62(im) for im in (x, y, f))))
        assert abs(fmi62 - fmi.fmi(x, y, f)) > 1e-4


@pytest.mark.parametrize("shape", [(102, 102), (103, 150), (233, 107), (260, 261)])
def test_dwt_kernel_bit_identical_to_pywavelets(shape):
    # PyWavelets' own C convolution is the oracle; its summation order (reversed on the
    # right overhang) must be followed exactly, or equal windows of FMI could split.
    fmi = import_module("fusion.metrics.fmi")
    kernel = import_module("fusion.metrics._dwt_kernel")
    wavelet = fmi.dmey102()
    image = np.round(RNG.random(shape) * 255)
    c_a, (c_h, c_v, c_d) = pywt.dwt2(image, wavelet, mode="symmetric")
    got = kernel.dwt2_symmetric(image, np.asarray(wavelet.dec_lo), np.asarray(wavelet.dec_hi))
    for want, mine in zip((c_a, c_h, c_v, c_d), got, strict=True):
        np.testing.assert_array_equal(mine, want)


@pytest.mark.parametrize("name", ["db1", "db2", "db3", "db4", "db5", "sym7"])
def test_dwt_kernel_bit_identical_for_other_filter_lengths(name):
    # The kernel takes the taps four at a time: lengths 2 to 14 (always even) leave 0 or 2
    # taps over, and a filter of 2 or 4 taps has no group, or only one.
    kernel = import_module("fusion.metrics._dwt_kernel")
    wavelet = pywt.Wavelet(name)
    image = np.round(RNG.random((37, 30)) * 255)
    c_a, (c_h, c_v, c_d) = pywt.dwt2(image, wavelet, mode="symmetric")
    got = kernel.dwt2_symmetric(image, np.asarray(wavelet.dec_lo), np.asarray(wavelet.dec_hi))
    for want, mine in zip((c_a, c_h, c_v, c_d), got, strict=True):
        np.testing.assert_array_equal(mine, want)


class TestFilters:
    image = RNG.random((37, 41)) * 255

    def test_gaussian_separable_equals_fspecial(self):
        h = _common.fspecial_gaussian(11, 1.5)
        assert np.all(h > 0)  # fspecial zeroes nothing for this window
        np.testing.assert_allclose(
            _common.gaussian_same(self.image, 11, 1.5, border="replicate"),
            ndimage.correlate(self.image, h, mode="nearest"),  # imfilter 'replicate'
            rtol=1e-13,
            atol=1e-11,
        )
        np.testing.assert_allclose(
            _common.gaussian_same(self.image, 11, 1.5, border="zero"),
            signal.correlate2d(self.image, h, mode="same"),  # filter2 'same'
            rtol=1e-13,
            atol=1e-11,
        )

    @pytest.mark.parametrize("shape", [(37, 41), (7, 40), (40, 3), (1, 1)])
    @pytest.mark.parametrize("taps", [11, 31])
    def test_separable_kernel_bit_identical_to_ndimage(self, shape, taps):
        # The numba filter must give ndimage's two correlate1d passes bit for bit (its
        # operation order), for both borders, kernels wider than the image included.
        image = RNG.random(shape) * 255
        x = np.arange(taps) - taps // 2
        weights = np.exp(-(x**2) / (2 * 2.0**2))
        for replicate, mode in ((True, "nearest"), (False, "constant")):
            want = ndimage.correlate1d(image, weights, axis=0, mode=mode, cval=0.0)
            want = ndimage.correlate1d(want, weights, axis=1, mode=mode, cval=0.0)
            got = _common.correlate_separable(image, weights, replicate=replicate)
            np.testing.assert_array_equal(got, want)

    def test_sobel_equals_conv2_same(self):
        x = RNG.integers(0, 256, (19, 23)).astype(float)
        g, alpha = qabf.sobel_strength_orientation(x)
        sx = signal.convolve2d(x, qabf.SOBEL_X, mode="same")  # conv2 'same', zero padding
        sy = signal.convolve2d(x, qabf.SOBEL_Y, mode="same")
        np.testing.assert_array_equal(g, np.sqrt(sx**2 + sy**2))
        with np.errstate(divide="ignore", invalid="ignore"):
            np.testing.assert_array_equal(alpha, np.where(sx == 0, np.pi / 2, np.arctan(sy / sx)))

    @pytest.mark.parametrize("shape", [(19, 23), (1, 1), (2, 5), (3, 3), (8, 8)])
    def test_sobel_kernel_equals_ndimage_convolve(self, shape):
        # Exact on integer grey levels (uint16's range too), to rounding on other floats.
        kernel = import_module("fusion.metrics._qabf_kernel")
        for image, exact in (
            (RNG.integers(0, 65536, shape).astype(float), True),
            (RNG.random(shape) * 255, False),
        ):
            sx = ndimage.convolve(image, qabf.SOBEL_X, mode="constant", cval=0.0)
            sy = ndimage.convolve(image, qabf.SOBEL_Y, mode="constant", cval=0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                want = (np.sqrt(sx**2 + sy**2), np.where(sx == 0, sy, sy / sx), sx == 0)
            compare = np.testing.assert_array_equal if exact else _close
            for got, expected in zip(kernel.sobel(image), want, strict=True):
                compare(got, expected)

    def test_qcb_contrast_filters_equal_filter2(self):
        x = self.image
        grid = np.arange(-15, 16)
        for sigma in (qcb.SIGMA_1, qcb.SIGMA_2):
            g2 = np.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) / (2 * sigma**2)) / (
                2 * np.pi * sigma**2
            )
            want = signal.correlate2d(x, g2, mode="same")
            got = qcb._filter2_zero(x, qcb._gaussian_unnormalised_1d(sigma))
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)

    @pytest.mark.parametrize("shape", [(20, 30), (21, 31)])
    def test_qcb_csf_shift_identity_and_freqspace(self, shape):
        rows, cols = shape
        # MATLAB freqspace(n): ((0:n-1) - floor(n/2)) * 2/n.
        fx = (np.arange(cols) - np.floor(cols / 2)) * (2 / cols) * (cols / 30)
        fy = (np.arange(rows) - np.floor(rows / 2)) * (2 / rows) * (rows / 30)
        u, v = np.meshgrid(fx, fy)
        r = np.sqrt(u**2 + v**2)
        s = np.exp(-((r / qcb.F0) ** 2)) - qcb.A * np.exp(-((r / qcb.F1) ** 2))
        spectrum = fft.fft2(RNG.random(shape))
        want = fft.ifftshift(fft.fftshift(spectrum) * s)
        np.testing.assert_array_equal(spectrum * qcb.csf_filter(shape), want)

    @pytest.mark.parametrize("shape", [(20, 30), (21, 31), (520, 520)])
    def test_qcb_csf_is_even(self, shape):
        # S(-u, -v) == S(u, v) bit for bit (index -k is n - k after ifftshift), so fft2(I) S
        # is Hermitian for a real I and its inverse transform real: masked_contrast's irfft2.
        s = qcb.csf_filter(shape)
        flipped = np.roll(s[::-1, ::-1], (1, 1), axis=(0, 1))
        np.testing.assert_array_equal(s, flipped)

    @pytest.mark.parametrize("shape", [(48, 64), (45, 51)])
    @pytest.mark.parametrize("library", ["ducc0 if installed", "scipy"])
    def test_qcb_masked_contrast_equals_complex_filtering(self, shape, library, monkeypatch):
        # The reference's steps: complex ifft2, filter2 of the complex image, complex ratio.
        if library == "scipy":
            monkeypatch.setattr(import_module("fusion.metrics._fft"), "ducc0", None)
        image = ndimage.gaussian_filter(RNG.random(shape), 1.5)
        normalised = qcb.normalize255(image)
        filtered = fft.ifft2(fft.fft2(normalised) * qcb.csf_filter(shape))
        grid = np.arange(-15, 16)
        responses = []
        for sigma in (qcb.SIGMA_1, qcb.SIGMA_2):
            g2 = np.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) / (2 * sigma**2)) / (
                2 * np.pi * sigma**2
            )
            responses.append(signal.correlate2d(filtered, g2, mode="same"))
        c = np.abs(responses[0] / responses[1] - 1)
        want = c**3.0 / (c**2.0 + 1e-4)
        np.testing.assert_allclose(qcb.masked_contrast(image), want, rtol=1e-11, atol=1e-14)

    def test_matlab_round(self):
        x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 2.4999999999999996, 3.0])
        np.testing.assert_array_equal(_common.matlab_round(x), [1, 2, 3, -1, -3, 2, 3])


class TestSkimageSsim:
    """skimage's SSIM map equals MATLAB's away from the border, but its mean crops 5 pixels."""

    x = RNG.integers(0, 256, (48, 52)).astype(float)
    y = np.clip(x + RNG.normal(0, 25, x.shape), 0, 255)

    def test_same_map_inside_but_cropped_mean(self):
        ours = ssim_module.ssim_map(self.x, self.y, 255)
        mssim, full = structural_similarity(
            self.x,
            self.y,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
            full=True,
        )
        inner = (slice(5, -5), slice(5, -5))
        np.testing.assert_allclose(full[inner], ours[inner], rtol=1e-10, atol=1e-12)
        assert mssim == pytest.approx(ours[inner].mean(), abs=1e-12)
        assert abs(mssim - ours.mean()) > 1e-4  # so skimage's number is not MATLAB's

    def test_fused_map_equals_numpy_expressions(self):
        # The numba map against MATLAB ssim's formulas written in NumPy, bit for bit.
        def local(v):
            return _common.gaussian_same(v, 11, 1.5, border="replicate")

        x, y = self.x, self.y
        c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
        mu_x, mu_y = local(x), local(y)
        sigma_x2 = local(x * x) - mu_x**2
        sigma_y2 = local(y * y) - mu_y**2
        sigma_xy = local(x * y) - mu_x * mu_y
        want = ((2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)) / (
            (mu_x**2 + mu_y**2 + c1) * (sigma_x2 + sigma_y2 + c2)
        )
        np.testing.assert_array_equal(ssim_module.ssim_map(x, y, 255), want)


def random_features(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.random(shape)
    b = rng.random(shape)
    f = np.where(rng.random(shape) < 0.5, a, b)  # equal windows occur
    a[:4, :4] = 0.25  # constant windows
    f[:4, :4] = 0.25
    b[-4:, :4] = 0.7
    f[-4:, :5] = 0.7
    f[5:8, 5:8] = (f[5:8, 5:8] - f[5:8, 5:8].min()) / np.ptp(f[5:8, 5:8])
    b[5:8, 5:8] = f[5:8, 5:8]  # B equal to F's normalised window: the reference's quirk
    a[5:8, 5:8] = RNG.random((3, 3))
    return a, b, f


class TestFmiKernel:
    """The numba kernel equals the NumPy reference of analysis_fmi.m."""

    @pytest.mark.parametrize("seed", range(3))
    def test_random_features(self, seed):
        fa, fb, ff = random_features((30, 28), seed)
        fast = fmi.fmi_window_scores(fa, fb, ff)
        slow = fmi.fmi_window_scores_reference(fa, fb, ff)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)

    @pytest.mark.parametrize("shape", [(9, 130), (9, 131), (9, 258), (8, 300), (60, 8), (12, 45)])
    def test_blocks_across_rows(self, shape):
        # The kernel takes the windows 128 at a time in row-major order, a block running on
        # into the next rows: blocks within a row, across two or many rows (6 windows a row),
        # a last block of 1, 2 or 42 windows.
        fa, fb, ff = random_features(shape, sum(shape))
        fast = fmi.fmi_window_scores(fa, fb, ff)
        slow = fmi.fmi_window_scores_reference(fa, fb, ff)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)

    def test_subnormal_pdf_entries(self):
        # Values 1e-310 above a window's minimum normalise to subnormals: the pdf entries and
        # their log2 take the kernel's subnormal path.
        fa, fb, ff = random_features((12, 14), 5)
        fa[2:6, 3:9] = np.where(RNG.random((4, 6)) < 0.5, 0.0, 1e-310)
        fa[4, 5] = 1.0
        ff[6:10, 3:9] = np.where(RNG.random((4, 6)) < 0.5, 0.25, 0.25 + 1e-300)
        ff[8, 5] = 0.75
        wa = fmi._normalise_windows(fmi.windows(fa).reshape(-1, 9))
        pa = wa / wa.sum(1, keepdims=True)
        assert ((pa > 0) & (pa < 2.2250738585072014e-308)).any()
        fast = fmi.fmi_window_scores(fa, fb, ff)
        slow = fmi.fmi_window_scores_reference(fa, fb, ff)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)

    @pytest.mark.parametrize("feature", ["wavelet", "dct", "pixel"])
    def test_images(self, feature):
        a = RNG.integers(0, 256, (26, 24)).astype(np.uint8)
        b = np.clip(a.astype(int) + RNG.integers(-60, 60, a.shape), 0, 255).astype(np.uint8)
        f = np.where(RNG.random(a.shape) < 0.6, a, b)
        fast = fmi.fmi(a, b, f, feature=feature)
        slow = fmi.fmi(a, b, f, feature=feature, reference=True)
        assert fast == pytest.approx(slow, abs=1e-13)

    def test_both_correlation_signs_occur(self):
        fa, _, ff = random_features((30, 28), 0)
        wa = fmi._normalise_windows(fmi.windows(fa).reshape(-1, 9))
        wf = fmi._normalise_windows(fmi.windows(ff).reshape(-1, 9))
        pa = wa / wa.sum(1, keepdims=True)
        pf = wf / wf.sum(1, keepdims=True)
        num = np.sum((pa - pa.mean(1, keepdims=True)) * (pf - pf.mean(1, keepdims=True)), 1)
        assert (num < 0).any() and (num > 0).any()


@pytest.mark.needs_data
def test_fmi_kernel_on_a_lytro_crop(data_dir):
    from fusion.images import read_image

    lytro = data_dir / "lytro"
    a, b, f = (
        read_image(lytro / sub / name)[100:164, 200:264]
        for sub, name in (("far", "5.jpg"), ("near", "5.jpg"), ("reference", "5.png"))
    )
    for feature in ("wavelet", "pixel"):
        assert fmi.fmi(a, b, f, feature=feature) == pytest.approx(
            fmi.fmi(a, b, f, feature=feature, reference=True), abs=1e-13
        )


class TestPhaseCongruencyKernel:
    """The numba phase-congruency kernels equal the NumPy reference of myphasecong3."""

    @pytest.mark.parametrize("shape", [(520, 520), (37, 53), (36, 41), (5, 4)])
    def test_noise_energy_by_parseval_equals_myphasecong3s_transforms(self, shape):
        # myphasecong3: EstSumAn2 + 2 EstSumAiAj from the spatial filters' real parts.
        qp = import_module("fusion.metrics.qp")
        filters = qp._filter_bank(shape).filters
        rows, cols = shape
        for o in range(filters.shape[0]):
            spatial = fft.ifft2(filters[o]).real * np.sqrt(rows * cols)
            pairs = [(i, j) for i in range(qp.N_SCALE) for j in range(i + 1, qp.N_SCALE)]
            expected = np.sum(spatial**2) + 2 * sum(
                np.sum(spatial[i] * spatial[j]) for i, j in pairs
            )
            assert qp.noise_energy(filters[o]) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize("shape", [(32, 32), (27, 35)])
    def test_random_image(self, shape):
        qp = import_module("fusion.metrics.qp")
        image = ndimage.gaussian_filter(RNG.random(shape) * 255, 1.0)
        for fast, slow in zip(
            qp.phase_congruency(image), qp.phase_congruency_reference(image), strict=True
        ):
            np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-13)

    @pytest.mark.parametrize("shape", [(32, 32), (27, 35)])
    def test_scipy_fallback_equals_reference(self, shape, monkeypatch):
        # Without ducc0 (the optional fft extra) the same kernels run on scipy.fft.
        qp = import_module("fusion.metrics.qp")
        monkeypatch.setattr(import_module("fusion.metrics._fft"), "ducc0", None)
        image = ndimage.gaussian_filter(RNG.random(shape) * 255, 1.0)
        for fast, slow in zip(
            qp.phase_congruency(image), qp.phase_congruency_reference(image), strict=True
        ):
            np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-13)

    @pytest.mark.parametrize("shape", [(520, 520), (27, 35), (13, 1)])
    def test_ducc0_transforms_equal_scipy(self, shape):
        # The definition, unnormalised forward and 1/(rows cols) inverse, against scipy.fft,
        # which the reference uses; to a few ulps of the largest coefficient.
        pytest.importorskip("ducc0")
        transforms = import_module("fusion.metrics._fft")
        image = RNG.random(shape) * 255
        want = fft.fft2(image)
        got = transforms.fft2(image, 1)
        assert got.dtype == np.complex128
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14 * np.abs(want).max())
        for stack_shape in ((4, *shape), shape):  # a stack, and one image as QP transforms
            stack = RNG.standard_normal(stack_shape) + 1j * RNG.standard_normal(stack_shape)
            want = fft.ifft2(stack, axes=(-2, -1))
            transforms.ifft2_inplace(stack, 1)
            np.testing.assert_allclose(stack, want, rtol=0, atol=1e-14 * np.abs(want).max())

    @pytest.mark.parametrize("n", [1, 2, 3, 4, 101, 1000, 4096])
    def test_median_equals_numpy_bit_for_bit(self, n):
        # The threshold's median must be np.median's value exactly: odd and even counts,
        # ties, zeros, all-equal arrays and squared amplitudes spanning many octaves.
        kernel = import_module("fusion.metrics._qp_kernel")
        amplitudes = np.abs(RNG.standard_normal(n) * RNG.standard_normal(n)) ** 2
        for values in (
            amplitudes,
            np.round(amplitudes, 1),
            np.where(np.arange(n) < n // 2, 0.0, amplitudes),
            np.full(n, 3.0),
        ):
            assert kernel.median_nonnegative(values) == np.median(values)

    @pytest.mark.parametrize("shape", [(23, 31), (11, 11), (12, 40)])
    def test_feature_score_equals_numpy_expressions(self, shape):
        # The fused kernel against the formulas written in NumPy (as metricZhao.m), with NaN
        # features (M, m where every response is zero), empty masks, and windows wider than
        # half the image (every row and column meets a border), bit for bit.
        qp = import_module("fusion.metrics.qp")
        maps = [RNG.random(shape) for _ in range(4)]
        maps[1][3:6, 4:9] = np.nan
        masks = (maps[0] > 0.3, maps[1] > 0.5, RNG.random(shape) > 0.2)

        def local(x):
            return _common.gaussian_same(x, 11, 1.5, border="zero")

        ff = maps[3]
        mu_f = local(ff)
        var_f = local(ff * ff) - mu_f**2
        best = None
        for feature, mask in zip(maps[:3], masks, strict=True):
            x = mask * feature
            mu = local(x)
            var = local(x * x) - mu**2
            cov = local(x * ff) - mu * mu_f
            with np.errstate(invalid="ignore"):
                r = np.where(mask, (cov + 1e-4) / (np.sqrt(np.abs(var * var_f)) + 1e-4), 0.0)
            best = r if best is None else np.fmax(best, r)
        want = np.sum(best) / np.count_nonzero(masks[2])
        assert qp._feature_score(*maps[:3], ff, masks) == want

    def test_filter_spectrum_equals_numpy_product(self):
        kernel = import_module("fusion.metrics._qp_kernel")
        spectrum = fft.fft2(RNG.random((9, 12)))
        filter_ = RNG.standard_normal((9, 12))
        out = np.empty(filter_.shape, dtype=np.complex128)
        kernel.filter_spectrum(spectrum, filter_, out)
        np.testing.assert_array_equal(out, spectrum * filter_)


@given(
    data=st.data(),
    rows=st.integers(3, 7),
    cols=st.integers(3, 7),
    levels=st.integers(1, 5),
)
def test_fmi_kernel_equals_reference_with_ties(data, rows, cols, levels):
    # Few grey levels make flat windows, equal windows, zero pdf entries and ties in the cdfs,
    # the cases where a rewrite could part from the reference.
    def image():
        values = data.draw(
            st.lists(st.integers(0, levels), min_size=rows * cols, max_size=rows * cols)
        )
        return np.array(values, dtype=np.float64).reshape(rows, cols)

    fa, fb = image(), image()
    mix = np.array(data.draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols)))
    ff = np.where(mix.reshape(rows, cols), fa, fb)
    fast = fmi.fmi_window_scores(fa, fb, ff)
    slow = fmi.fmi_window_scores_reference(fa, fb, ff)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
