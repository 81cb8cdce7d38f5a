"""Numba kernels for phase congruency's per-pixel work (private; entry: ``qp.phase_congruency``).

They fuse, pixel by pixel, what ``qp.phase_congruency_reference`` does with whole-array NumPy
operations, in the same order of operations (the exponential is within 1 ulp of NumPy's); a
test bounds the difference.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from fusion.metrics._exp import exp
from fusion.metrics._separable_kernel import along_row

_CHUNK = 16
"""Rows per parallel task: the per-row scratch is allocated once per chunk, not per row."""


@numba.njit(cache=True, error_model="numpy")
def squared_amplitude(response, out):
    """``out = An^2``, the squared amplitude of one scale's complex response (``abs(z)**2``).

    ``An`` is ``sqrt(re^2 + im^2)``, as :func:`accumulate_orientation` computes it, squared
    as the reference squares ``abs(EO)``: the noise threshold's median is the reference's.
    """
    rows, cols = response.shape
    for p in range(rows):
        row = response[p]
        target = out[p]
        for q in range(cols):
            z = row[q]
            an = math.sqrt(z.real * z.real + z.imag * z.imag)
            target[q] = an * an


@numba.njit(cache=True, parallel=True, error_model="numpy")
def accumulate_orientation(eo, threshold, angle, epsilon, cut_off, g_weight, acc):
    """Add one orientation's weighted energy, amplitude and covariance terms into ``acc``.

    ``eo`` is (n_scale, rows, cols), the orientation's complex filter responses; ``acc`` is
    (5, rows, cols): total energy, total amplitude, covx2, covy2, covxy. Per pixel, in the
    reference's order of operations: the energy ``sum_s e mean_e + o mean_o - |e mean_o -
    o mean_e|`` less the noise ``threshold`` (floored at 0), weighted by the frequency spread
    ``1 / (1 + exp((cut_off - width) g_weight))``, and its covariance terms at ``angle``.
    The exponential is :func:`fusion.metrics._exp.exp` (within 1 ulp of the C library's),
    which vectorises, so one pass over the responses does it all.
    """
    n_scale, rows, cols = eo.shape
    # x * (1 / n) is x / n exactly when n is a power of two (N_SCALE = 4): one division less.
    inv_scales = 1.0 / n_scale
    c_angle = math.cos(angle)
    s_angle = math.sin(angle)
    n_chunks = (rows + _CHUNK - 1) // _CHUNK
    for chunk in numba.prange(n_chunks):
        # A row at a time, each step a loop over the row's pixels that LLVM vectorises.
        re = np.empty((n_scale, cols))
        im = np.empty((n_scale, cols))
        sum_e = np.empty(cols)
        sum_o = np.empty(cols)
        max_an = np.empty(cols)
        sum_an = np.empty(cols)
        mean_e = np.empty(cols)
        mean_o = np.empty(cols)
        energy = np.empty(cols)
        for p in range(chunk * _CHUNK, min(rows, (chunk + 1) * _CHUNK)):
            for s in range(n_scale):
                row = eo[s, p]
                re_s = re[s]
                im_s = im[s]
                for q in range(cols):
                    z = row[q]
                    re_s[q] = z.real
                    im_s[q] = z.imag
            # sqrt(re^2 + im^2), not hypot (MATLAB abs): 1 ulp at most, several times faster.
            # The smallest scale starts the sums (0 + x is x) in a loop of its own, so that
            # no loop branches on the scale.
            re_s = re[0]
            im_s = im[0]
            for q in range(cols):
                e = re_s[q]
                d = im_s[q]
                an = math.sqrt(e * e + d * d)
                sum_an[q] = an
                sum_e[q] = e
                sum_o[q] = d
                max_an[q] = an
            for s in range(1, n_scale):
                re_s = re[s]
                im_s = im[s]
                for q in range(cols):
                    e = re_s[q]
                    d = im_s[q]
                    an = math.sqrt(e * e + d * d)
                    sum_an[q] += an
                    sum_e[q] += e
                    sum_o[q] += d
                    max_an[q] = max(max_an[q], an)
            for q in range(cols):
                x_energy = math.sqrt(sum_e[q] ** 2 + sum_o[q] ** 2) + epsilon
                mean_e[q] = sum_e[q] / x_energy
                mean_o[q] = sum_o[q] / x_energy
                energy[q] = 0.0
            for s in range(n_scale):
                re_s = re[s]
                im_s = im[s]
                for q in range(cols):
                    e = re_s[q]
                    d = im_s[q]
                    energy[q] += e * mean_e[q] + d * mean_o[q] - abs(e * mean_o[q] - d * mean_e[q])
            total_energy = acc[0, p]
            total_an = acc[1, p]
            covx2 = acc[2, p]
            covy2 = acc[3, p]
            covxy = acc[4, p]
            for q in range(cols):
                width = sum_an[q] / (max_an[q] + epsilon) * inv_scales
                spread = exp((cut_off - width) * g_weight)
                weighted = 1.0 / (1 + spread) * max(energy[q] - threshold, 0.0)
                total_energy[q] += weighted
                total_an[q] += sum_an[q]
                pc_o = weighted / sum_an[q]
                cx = pc_o * c_angle
                cy = pc_o * s_angle
                covx2[q] += cx**2
                covy2[q] += cy**2
                covxy[q] += cx * cy


@numba.njit(cache=True, parallel=True, error_model="numpy")
def moments(acc, n_orient, epsilon):
    """pc, M, m from the accumulated sums."""
    rows, cols = acc.shape[1], acc.shape[2]
    pc = np.empty((rows, cols))
    big = np.empty((rows, cols))
    small = np.empty((rows, cols))
    for p in numba.prange(rows):
        for q in range(cols):
            pc[p, q] = acc[0, p, q] / (acc[1, p, q] + epsilon)
            covx2 = acc[2, p, q] / (n_orient / 2)
            covy2 = acc[3, p, q] / (n_orient / 2)
            covxy = acc[4, p, q] / n_orient
            denom = math.sqrt(covxy**2 + (covx2 - covy2) ** 2) + epsilon
            big[p, q] = (covy2 + covx2 + denom) / 2
            small[p, q] = (covy2 + covx2 - denom) / 2
    return pc, big, small


@numba.njit(cache=True)
def _buckets_of_ranks(bits, k, pair):
    """The values in the top-16-bit buckets of the k-th smallest (0-based) and, if ``pair``,
    of the (k+1)-th too, and the k-th's rank among them.

    ``bits`` are the uint64 patterns of non-negative float64 values, which order as the values.
    No value lies between the two ranks, so the buckets between theirs are empty: the members
    are the values of every bucket from the first to the second. One histogram serves both.
    """
    counts = np.zeros(1 << 16, dtype=np.int64)
    for v in bits:
        counts[v >> 48] += 1
    below = 0
    first = 0
    while below + counts[first] <= k:
        below += counts[first]
        first += 1
    last = first
    if pair:
        seen = below + counts[first]
        while seen <= k + 1:
            last += 1
            seen += counts[last]
    size = 0
    for bucket in range(first, last + 1):
        size += counts[bucket]
    members = np.empty(size, dtype=np.uint64)
    low = np.uint64(first)
    span = np.uint64(last - first)
    m = 0
    for v in bits:
        # first <= bucket <= last as one unsigned comparison (wraps below first).
        if (v >> 48) - low <= span:
            members[m] = v
            m += 1
    return members, k - below


def median_nonnegative(values: np.ndarray) -> float:
    """``np.median`` of non-negative, NaN-free float64 values, bit for bit, several times faster.

    A histogram of the top 16 bits finds the bucket(s) holding the middle rank(s); only those
    (a few percent of the values) are partitioned. The middle element, or ``(lo + hi) / 2`` of
    the two middle ones, as ``np.median`` (its mean of two) computes it.
    """
    bits = np.ascontiguousarray(values, dtype=np.float64).ravel().view(np.uint64)
    n = bits.size
    even = n % 2 == 0
    members, rank = _buckets_of_ranks(bits, (n - 1) // 2, even)
    if not even:
        return float(np.partition(members, rank)[rank : rank + 1].view(np.float64)[0])
    lo, hi = np.partition(members, (rank, rank + 1))[rank : rank + 2].view(np.float64)
    return float((lo + hi) / 2)


@numba.njit(cache=True)
def filter_spectrum(spectrum, filter_, out):
    """``out = spectrum * filter_`` for a complex spectrum and a real filter (2-D each).

    NumPy promotes the real filter to complex and computes ``re h - im 0``, ``re 0 + im h``;
    this skips the products with zero (equal but for the sign of an exact zero).
    """
    rows, cols = filter_.shape
    for p in range(rows):
        for q in range(cols):
            z = spectrum[p, q]
            h = filter_[p, q]
            out[p, q] = complex(z.real * h, z.imag * h)


_N_LOCAL = 11
"""Local maps per feature: mean of F and F^2, then mean of X, X^2 and X F per source X."""


@numba.njit(cache=True, inline="always")
def _product(m, mask, feature, fused, q):
    """Pixel ``q`` of local map ``m``'s image: F, F^2, then X, X^2, X F per source."""
    if m == 0:
        return fused[q]
    if m == 1:
        return fused[q] * fused[q]
    x = (1.0 if mask[q] else 0.0) * feature[q]
    kind = (m - 2) % 3
    if kind == 0:
        return x
    if kind == 1:
        return x * x
    return x * fused[q]


@numba.njit(cache=True, error_model="numpy")
def best_correlation(fa, fb, fmax, mask_a, mask_b, mask_max, fused, weights, c):
    """``metricZhao.m``'s per-pixel ``max(r_A, r_B, r_max)`` for one feature, in one sweep.

    ``X = mask * feature`` per source (mask a bool image; ``0 * NaN`` stays NaN, as NumPy);
    the local means are 'same' correlations with the symmetric 1-D ``weights`` along axis 0,
    then axis 1, zero borders, exactly as :func:`fusion.metrics._common.gaussian_same`
    computes them (same operations per pixel); ``r = (cov + c) / (sqrt|var var_F| + c)``
    where the mask holds, else 0; the maximum skips NaN (MATLAB ``max``, ``np.fmax``).
    Each row's eleven axis-0 sums are formed from the products computed on the fly (no
    product images), and its axis-1 sums and ``r`` follow while the row is in cache.
    """
    rows, cols = fused.shape
    half = weights.shape[0] // 2
    centre = weights[half]
    features = (fa, fb, fmax)
    masks = (mask_a, mask_b, mask_max)
    lines = np.zeros((_N_LOCAL, cols + 2 * half))  # zero borders for the axis-1 pass
    local = np.empty((_N_LOCAL, cols))
    zero = np.zeros(cols)
    unmasked = np.zeros(cols, dtype=np.bool_)
    best = np.empty((rows, cols))
    for i in range(rows):
        for m in range(_N_LOCAL):
            # One loop per map and tap, each with one output stream, which LLVM vectorises
            # (it would not with several outputs in one buffer).
            s = max(m - 2, 0) // 3
            feature = features[s]
            mask = masks[s]
            mid = lines[m, half : half + cols]
            f_row = fused[i]
            x_row = feature[i]
            m_row = mask[i]
            for q in range(cols):
                mid[q] = _product(m, m_row, x_row, f_row, q) * centre
            for k in range(half, 0, -1):
                # ndimage's order: (x[i - k] + x[i + k]) * w from the outermost tap inwards;
                # rows outside the image are zero images (zero products).
                w = weights[half - k]
                above = i - k >= 0
                below = i + k < rows
                f_lo = fused[i - k] if above else zero
                f_hi = fused[i + k] if below else zero
                x_lo = feature[i - k] if above else zero
                x_hi = feature[i + k] if below else zero
                m_lo = mask[i - k] if above else unmasked
                m_hi = mask[i + k] if below else unmasked
                for q in range(cols):
                    lo = _product(m, m_lo, x_lo, f_lo, q)
                    hi = _product(m, m_hi, x_hi, f_hi, q)
                    mid[q] += (lo + hi) * w
            along_row(lines[m], weights, local[m])
        out = best[i]
        for q in range(cols):
            mu_f = local[0, q]
            var_f = local[1, q] - mu_f * mu_f
            b = 0.0
            for s in range(3):
                if masks[s][i, q]:
                    mu = local[2 + 3 * s, q]
                    var = local[3 + 3 * s, q] - mu * mu
                    cov = local[4 + 3 * s, q] - mu * mu_f
                    r = (cov + c) / (math.sqrt(abs(var * var_f)) + c)
                else:
                    r = 0.0
                # np.fmax: the non-NaN one of the two.
                if s == 0 or (b != b) or r > b:
                    b = r
            out[q] = b
    return best
