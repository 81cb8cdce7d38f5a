"""QP, Zhao's phase-congruency metric, as the authors' ``metricZhao.m`` + ``myphasecong3.m``.

Phase congruency is Kovesi's ``phasecong3`` as modified by Z. Liu (``myphasecong3``), with its
defaults. The filter bank and the noise-model sums depend only on the image size, so they are
built once per size and shared by the three images.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.metrics._common import _gaussian_1d, check_triplet, grey

N_SCALE = 4
N_ORIENT = 6
MIN_WAVELENGTH = 3.0
MULT = 2.1
SIGMA_ON_F = 0.55
D_THETA_ON_SIGMA = 1.2
K_NOISE = 2.0
CUT_OFF = 0.5
G_WEIGHT = 10.0
EPSILON = 1e-4
NOISE_RESCALE = 1.7
"""``T = T / 1.7``: Kovesi's empirical correction for the PC_2 measure."""
LOWPASS_CUTOFF, LOWPASS_ORDER = 0.45, 15

FEATURE_THRESHOLD = 0.1
C_CORR = 1e-4
WINDOW_SIZE, SIGMA = 11, 1.5


@dataclass(frozen=True)
class _FilterBank:
    filters: NDArray  # (N_ORIENT, N_SCALE, rows, cols), real, DC at [0, 0]
    em_n: NDArray  # (N_ORIENT,) sum of the smallest-scale filter squared
    noise_sum: NDArray  # (N_ORIENT,) sum(EstSumAn2) + 2 sum(EstSumAiAj)


def _centred_range(n: int) -> NDArray[np.float64]:
    if n % 2:
        return np.arange(-(n - 1) / 2, (n - 1) / 2 + 1) / (n - 1)
    return np.arange(-n / 2, n / 2) / n


def _lowpass(rows: int, cols: int) -> NDArray[np.float64]:
    # Kovesi's older lowpassfilter: grid (1..n) - (fix(n/2)+1) over n, then fftshift.
    x = (np.arange(1, cols + 1) - (cols // 2 + 1)) / cols
    y = (np.arange(1, rows + 1) - (rows // 2 + 1)) / rows
    radius = np.sqrt(x[None, :] ** 2 + y[:, None] ** 2)
    return np.fft.fftshift(1.0 / (1.0 + (radius / LOWPASS_CUTOFF) ** (2 * LOWPASS_ORDER)))


def noise_energy(scales: NDArray) -> float:
    """``sum(EstSumAn2) + 2 sum(EstSumAiAj)`` of one orientation's filters, by Parseval.

    ``myphasecong3`` takes the real parts ``a_s = real(ifft2(G_s)) * sqrt(M N)`` of the
    spatial filters and sums ``a_s^2`` and ``2 a_i a_j`` (i < j) over the pixels, that is
    ``sum (a_1 + ... + a_n)^2``. The real part of ``ifft2(G)`` is ``ifft2`` of G's even part
    ``(G(u) + G(-u)) / 2`` (G is real), so by Parseval the sum is that even part's squared
    sum over the frequencies: no transform, the same number to rounding (a test holds it
    to the reference's transforms to 1e-12).
    """
    total = np.sum(scales, axis=0)
    mirrored = np.roll(total[::-1, ::-1], 1, axis=(0, 1))  # G(-u) with the DC term at [0, 0]
    return float(np.sum(((total + mirrored) / 2) ** 2))


@lru_cache(maxsize=4)
def _filter_bank(shape: tuple[int, int]) -> _FilterBank:
    rows, cols = shape
    x = _centred_range(cols)[None, :]
    y = _centred_range(rows)[:, None]
    radius = np.sqrt(x**2 + y**2)
    radius[rows // 2, cols // 2] = 1.0
    theta = np.arctan2(-y, x) * np.ones_like(radius)
    radius = np.fft.ifftshift(radius)
    theta = np.fft.ifftshift(theta)
    sin_t, cos_t = np.sin(theta), np.cos(theta)
    lp = _lowpass(rows, cols)
    log_gabor = []
    for s in range(N_SCALE):
        f0 = 1.0 / (MIN_WAVELENGTH * MULT**s)
        lg = np.exp(-(np.log(radius / f0) ** 2) / (2 * np.log(SIGMA_ON_F) ** 2)) * lp
        lg[0, 0] = 0.0
        log_gabor.append(lg)
    theta_sigma = np.pi / N_ORIENT / D_THETA_ON_SIGMA
    filters = np.empty((N_ORIENT, N_SCALE, rows, cols))
    em_n = np.empty(N_ORIENT)
    noise_sum = np.empty(N_ORIENT)
    for o in range(N_ORIENT):
        angle = o * np.pi / N_ORIENT
        ds = sin_t * np.cos(angle) - cos_t * np.sin(angle)
        dc = cos_t * np.cos(angle) + sin_t * np.sin(angle)
        spread = np.exp(-(np.abs(np.arctan2(ds, dc)) ** 2) / (2 * theta_sigma**2))
        for s in range(N_SCALE):
            filters[o, s] = log_gabor[s] * spread
        em_n[o] = np.sum(filters[o, 0] ** 2)
        noise_sum[o] = noise_energy(filters[o])
    for array in (filters, em_n, noise_sum):
        array.flags.writeable = False
    return _FilterBank(filters, em_n, noise_sum)


def _threshold(first_an2: NDArray, em_n: float, noise_sum: float) -> float:
    """Noise threshold of one orientation from its smallest-scale squared amplitudes."""
    from fusion.metrics._qp_kernel import median_nonnegative

    # np.median's value, bit for bit, 15 times faster (squared amplitudes are >= 0, finite).
    median_e2n = median_nonnegative(first_an2)
    noise_power = (-median_e2n / np.log(0.5)) / em_n
    tau = np.sqrt(2 * noise_power * noise_sum / 2)
    threshold = tau * np.sqrt(np.pi / 2) + K_NOISE * np.sqrt((2 - np.pi / 2) * tau**2)
    return float(threshold / NOISE_RESCALE)


def phase_congruency(image: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Phase congruency and its moments, as ``myphasecong3`` with its defaults.

    The per-pixel work runs in numba kernels; :func:`phase_congruency_reference` is the
    NumPy oracle they are tested against. Parameters and returns as there.
    """
    import numba

    from fusion.metrics import _fft
    from fusion.metrics._qp_kernel import (
        accumulate_orientation,
        filter_spectrum,
        moments,
        squared_amplitude,
    )

    im = np.asarray(image, dtype=np.float64)
    bank = _filter_bank(im.shape)
    # The FFTs use as many threads as the numba kernels (numba.set_num_threads), so one knob
    # serves both; ndcnp evaluate sets it to 1 in each worker process.
    workers = numba.get_num_threads()
    image_fft = _fft.fft2(im, workers)
    acc = np.zeros((5, *im.shape))
    eo = np.empty((N_SCALE, *im.shape), dtype=np.complex128)
    first_an2 = np.empty(im.shape)
    for o in range(N_ORIENT):
        for s in range(N_SCALE):
            # One scale at a time, product then transform, while its 4 MB (at 520 x 520) is
            # still in cache: 10 % faster than the four as one stack.
            filter_spectrum(image_fft, bank.filters[o, s], eo[s])
            _fft.ifft2_inplace(eo[s], workers)
            if s == 0:
                # The noise threshold needs the median over the whole image of the smallest
                # scale's squared amplitude, known before the pass over every scale.
                squared_amplitude(eo[0], first_an2)
                threshold = _threshold(first_an2, bank.em_n[o], bank.noise_sum[o])
        angle = o * np.pi / N_ORIENT
        accumulate_orientation(eo, threshold, angle, EPSILON, CUT_OFF, G_WEIGHT, acc)
    return moments(acc, N_ORIENT, EPSILON)


def phase_congruency_reference(image: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Phase congruency and its moments, as ``myphasecong3`` with its defaults (NumPy).

    Parameters
    ----------
    image : (M, N) ndarray
        Grey image (any real dtype; used as float64).

    Returns
    -------
    pc, M, m : (M, N) ndarrays
        Phase congruency ``sum_o weighted energy / (sum An + 1e-4)`` and the maximum and
        minimum moments of the phase-congruency covariance (``covx2``, ``covy2`` divided by
        ``norient / 2``, ``covxy`` by ``norient``). M and m are NaN where every filter
        response is exactly zero (as in the reference).
    """
    from scipy import fft

    im = np.asarray(image, dtype=np.float64)
    bank = _filter_bank(im.shape)
    image_fft = fft.fft2(im)
    total_energy = np.zeros(im.shape)
    total_sum_an = np.zeros(im.shape)
    covx2 = np.zeros(im.shape)
    covy2 = np.zeros(im.shape)
    covxy = np.zeros(im.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o in range(N_ORIENT):
            eo = fft.ifft2(image_fft[None] * bank.filters[o], axes=(-2, -1))
            even, odd = eo.real, eo.imag
            an = np.abs(eo)
            sum_an = an.sum(axis=0)
            sum_e = even.sum(axis=0)
            sum_o = odd.sum(axis=0)
            max_an = an.max(axis=0)
            x_energy = np.sqrt(sum_e**2 + sum_o**2) + EPSILON
            mean_e = sum_e / x_energy
            mean_o = sum_o / x_energy
            energy = np.sum(
                even * mean_e + odd * mean_o - np.abs(even * mean_o - odd * mean_e), axis=0
            )
            median_e2n = np.median(an[0] ** 2)
            noise_power = (-median_e2n / np.log(0.5)) / bank.em_n[o]
            tau = np.sqrt(2 * noise_power * bank.noise_sum[o] / 2)
            threshold = tau * np.sqrt(np.pi / 2) + K_NOISE * np.sqrt((2 - np.pi / 2) * tau**2)
            energy = np.maximum(energy - threshold / NOISE_RESCALE, 0.0)
            width = sum_an / (max_an + EPSILON) / N_SCALE
            weight = 1.0 / (1 + np.exp((CUT_OFF - width) * G_WEIGHT))
            weighted = weight * energy
            total_sum_an += sum_an
            total_energy += weighted
            pc_o = weighted / sum_an
            angle = o * np.pi / N_ORIENT
            cx = pc_o * np.cos(angle)
            cy = pc_o * np.sin(angle)
            covx2 += cx**2
            covy2 += cy**2
            covxy += cx * cy
    pc = total_energy / (total_sum_an + EPSILON)
    covx2 /= N_ORIENT / 2
    covy2 /= N_ORIENT / 2
    covxy /= N_ORIENT
    denom = np.sqrt(covxy**2 + (covx2 - covy2) ** 2) + EPSILON
    big = (covy2 + covx2 + denom) / 2
    small = (covy2 + covx2 - denom) / 2
    return pc, big, small


def _feature_score(
    fa: NDArray, fb: NDArray, fmax: NDArray, ff: NDArray, masks: tuple[NDArray, NDArray, NDArray]
) -> float:
    from fusion.metrics._qp_kernel import best_correlation

    weights = _gaussian_1d(WINDOW_SIZE, SIGMA)
    best = best_correlation(
        *(np.ascontiguousarray(x, dtype=np.float64) for x in (fa, fb, fmax)),
        *(np.ascontiguousarray(m, dtype=np.bool_) for m in masks),
        np.ascontiguousarray(ff, dtype=np.float64),
        weights,
        C_CORR,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(best) / np.count_nonzero(masks[2]))


def qp(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    *,
    data_range: float | None = None,
) -> float:
    """QP of a fusion (Zhao et al., 2007), the paper's Table 1 column QP.

    Parameters
    ----------
    source_a, source_b, fused : ndarray
        Images of one shape, (M, N) grey or (M, N, 3) RGB (converted with MATLAB
        ``rgb2gray``), uint8, uint16 or floating.
    data_range : float, optional
        Peak value L of the images. Default: from the dtype, 255 for uint8, 65535 for
        uint16, 1.0 for floating (values outside [0, 1] are refused; floats on the 0-255
        scale need ``data_range=255``). See :func:`fusion.metrics._common.check_image`.

    Returns
    -------
    float
        ``P_pc P_M P_m``. For each feature (pc, M, m) the sources' and the max map are masked
        by the phase-congruency masks ``pc > 0.1`` (the fused map is not masked);
        ``r = (sigma_XF + C) / (sqrt(|sigma_X^2 sigma_F^2|) + C)``, C = 1e-4, with local
        statistics from the 11 x 11, sigma 1.5 Gaussian (zero padding); a feature's score is
        ``sum max(r_A, r_B, r_max) / count(pc_max > 0.1)``. NaN where no pixel passes
        (e.g. constant images), as the reference.
    """
    a, b, f = (
        grey(im)
        for im in check_triplet(
            source_a, source_b, fused, data_range, min_side=WINDOW_SIZE, metric="QP"
        )
    )
    pc_a, big_a, small_a = phase_congruency(a)
    pc_b, big_b, small_b = phase_congruency(b)
    pc_f, big_f, small_f = phase_congruency(f)
    choose_a = pc_a > pc_b
    pc_max = np.where(choose_a, pc_a, pc_b)
    big_max = np.where(choose_a, big_a, big_b)
    small_max = np.where(choose_a, small_a, small_b)
    masks = (pc_a > FEATURE_THRESHOLD, pc_b > FEATURE_THRESHOLD, pc_max > FEATURE_THRESHOLD)
    score = 1.0
    for fa, fb, fm, ff in (
        (pc_a, pc_b, pc_max, pc_f),
        (big_a, big_b, big_max, big_f),
        (small_a, small_b, small_max, small_f),
    ):
        score *= _feature_score(fa, fb, fm, ff, masks)
    return score
