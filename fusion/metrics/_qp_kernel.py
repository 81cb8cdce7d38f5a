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
        for q in range(cols):
            sum_e = 0.0
            sum_o = 0.0
            sum_an = 0.0
            max_an = 0.0
            for s in range(n_scale):
                z = eo[s, p, q]
                # sqrt(re^2 + im^2), not hypot (MATLAB abs): 1 ulp at most, several times faster.
                an = math.sqrt(z.real * z.real + z.imag * z.imag)
                sum_an += an
                sum_e += z.real
                sum_o += z.imag
                max_an = an if s == 0 else max(max_an, an)
            x_energy = math.sqrt(sum_e**2 + sum_o**2) + epsilon
            mean_e = sum_e / x_energy
            mean_o = sum_o / x_energy
            energy = 0.0
            for s in range(n_scale):
                z = eo[s, p, q]
                e = z.real
                d = z.imag
                energy += e * mean_e + d * mean_o - abs(e * mean_o - d * mean_e)
            energy = max(energy - threshold, 0.0)
            width = sum_an / (max_an + epsilon) / n_scale
            weight = 1.0 / (1 + math.exp((cut_off - width) * g_weight))
            weighted = weight * energy
            acc[0, p, q] += weighted
            acc[1, p, q] += sum_an
            pc_o = weighted / sum_an
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
