"""Numba kernel for SSIM's per-pixel map (private; entry: ``ssim.ssim_map``).

The expressions of MATLAB's ``ssim`` as ``ssim.py`` once wrote them in NumPy, with the same
operations in the same order per pixel (``a**2`` is ``a * a`` in NumPy), in one pass instead of
a dozen whole-image temporaries; the map is the same bits.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def ssim_from_moments(mu_x, mu_y, local_xx, local_yy, local_xy, c1, c2):
    """The SSIM map from the local means and the local means of x^2, y^2, x y."""
    rows, cols = mu_x.shape
    out = np.empty((rows, cols))
    for p in range(rows):
        for q in range(cols):
            mx = mu_x[p, q]
            my = mu_y[p, q]
            mu_xy = mx * my
            mu_x2 = mx * mx
            mu_y2 = my * my
            sigma_x2 = local_xx[p, q] - mu_x2
            sigma_y2 = local_yy[p, q] - mu_y2
            sigma_xy = local_xy[p, q] - mu_xy
            numerator = (2 * mu_xy + c1) * (2 * sigma_xy + c2)
            denominator = (mu_x2 + mu_y2 + c1) * (sigma_x2 + sigma_y2 + c2)
            out[p, q] = numerator / denominator
    return out


@numba.njit(cache=True, error_model="numpy")
def luma(rgb, peak, weights):
    """``(16 + wr R' + wg G' + wb B') * (peak / 255)`` with ``R' = R / peak`` (float64), per
    pixel of a C-contiguous (M, N, 3) image, in the order of ``ssim.luma``'s NumPy expression.
    """
    rows, cols, _ = rgb.shape
    # One flat loop: indexing the (N, 3) row by (q, c) was not vectorised (eight times slower).
    flat = rgb.reshape(-1)
    wr, wg, wb = weights
    scale = peak / 255
    out = np.empty(rows * cols)
    for p in range(rows * cols):
        r = np.float64(flat[3 * p]) / peak
        g = np.float64(flat[3 * p + 1]) / peak
        b = np.float64(flat[3 * p + 2]) / peak
        out[p] = (16 + wr * r + wg * g + wb * b) * scale
    return out.reshape(rows, cols)
