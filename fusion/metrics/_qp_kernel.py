"""Numba kernels for phase congruency's per-pixel work (private; entry: ``qp.phase_congruency``).

They fuse, pixel by pixel, what ``qp.phase_congruency_reference`` does with whole-array NumPy
operations, in the same order of operations; a test bounds the difference.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, parallel=True, error_model="numpy")
def accumulate_orientation(eo, threshold, angle, epsilon, cut_off, g_weight, acc):
    """Add one orientation's weighted energy, amplitude and covariance terms into ``acc``.

    ``eo`` is (n_scale, rows, cols); ``acc`` is (5, rows, cols): total energy, total amplitude,
    covx2, covy2, covxy.
    """
    n_scale, rows, cols = eo.shape
    c_angle = math.cos(angle)
    s_angle = math.sin(angle)
    for p in numba.prange(rows):
        # A row at a time, each step a loop over the row's pixels that LLVM vectorises (twice
        # as fast as a pixel at a time); per pixel the operations and their order are the
        # same, so the sums are bit-identical.
        re = np.empty((n_scale, cols))
        im = np.empty((n_scale, cols))
        sum_e = np.zeros(cols)
        sum_o = np.zeros(cols)
        sum_an = np.zeros(cols)
        max_an = np.empty(cols)
        for s in range(n_scale):
            row = eo[s, p]
            for q in range(cols):
                z = row[q]
                e = z.real
                d = z.imag
                re[s, q] = e
                im[s, q] = d
                # sqrt(re^2 + im^2), not hypot (MATLAB abs): 1 ulp at most, several times faster.
                an = math.sqrt(e * e + d * d)
                sum_an[q] += an
                sum_e[q] += e
                sum_o[q] += d
                max_an[q] = an if s == 0 else max(max_an[q], an)
        mean_e = np.empty(cols)
        mean_o = np.empty(cols)
        for q in range(cols):
            x_energy = math.sqrt(sum_e[q] ** 2 + sum_o[q] ** 2) + epsilon
            mean_e[q] = sum_e[q] / x_energy
            mean_o[q] = sum_o[q] / x_energy
        energy = np.zeros(cols)
        for s in range(n_scale):
            for q in range(cols):
                e = re[s, q]
                d = im[s, q]
                energy[q] += e * mean_e[q] + d * mean_o[q] - abs(e * mean_o[q] - d * mean_e[q])
        for q in range(cols):
            width = sum_an[q] / (max_an[q] + epsilon) / n_scale
            weight = 1.0 / (1 + math.exp((cut_off - width) * g_weight))
            weighted = weight * max(energy[q] - threshold, 0.0)
            acc[0, p, q] += weighted
            acc[1, p, q] += sum_an[q]
            pc_o = weighted / sum_an[q]
            cx = pc_o * c_angle
            cy = pc_o * s_angle
            acc[2, p, q] += cx**2
            acc[3, p, q] += cy**2
            acc[4, p, q] += cx * cy


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
