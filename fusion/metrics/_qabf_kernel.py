"""Numba kernel for Qabf's Sobel responses (private; entry: ``qabf.sobel_strength_orientation``).

MATLAB ``conv2(x, h, 'same')`` with the two Sobel kernels, zero padding, in one pass over a
zero-bordered copy; each response is a difference of two 1-2-1 sums. On integer grey levels
(every uint8 or uint16 image) the sums are exact, so the result is ``ndimage.convolve``'s to
the bit (tested); on other floats it agrees to rounding. With the strength and the ratio
Sy / Sx in the same sweep it replaces two ``ndimage.convolve`` calls and five whole-image
temporaries.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def sobel(image):
    """Edge strength ``sqrt(Sx^2 + Sy^2)``, ``Sy / Sx`` (``Sy`` where ``Sx == 0``), ``Sx == 0``.

    ``Sx = conv2(x, [-1 0 1; -2 0 2; -1 0 1], 'same')`` and ``Sy`` with
    ``[1 2 1; 0 0 0; -1 -2 -1]``, for a float64 image. The arctangent is left to NumPy's
    vectorised ``np.arctan``.
    """
    rows, cols = image.shape
    padded = np.zeros((rows + 2, cols + 2))
    padded[1 : rows + 1, 1 : cols + 1] = image
    strength = np.empty((rows, cols))
    ratio = np.empty((rows, cols))
    vertical = np.empty((rows, cols), dtype=np.bool_)
    # Sx = v[q] - v[q + 2] with v the columns' 1-2-1 sums, Sy = h_below - h_above with h the
    # rows' 1-2-1 sums: the grouping of (a + 2 b + c) - (d + 2 e + f), conv2's operations.
    # Short loops with few arrays each, so that LLVM's run-time alias checks stay within its
    # limit and the loops vectorise (one loop over nine arrays ran scalar, ten times slower).
    v_sum = np.empty(cols + 2)
    h_above = np.empty(cols)
    h_below = np.empty(cols)
    sx = np.empty(cols)
    sy = np.empty(cols)
    for i in range(rows):
        up, mid, down = padded[i], padded[i + 1], padded[i + 2]
        for q in range(cols + 2):
            v_sum[q] = up[q] + 2 * mid[q] + down[q]
        _row_sums(up, h_above)
        _row_sums(down, h_below)
        left, right = v_sum[:cols], v_sum[2:]
        for q in range(cols):
            # conv2 flips the kernels: the left column enters Sx with +, the row below Sy.
            sx[q] = left[q] - right[q]
            sy[q] = h_below[q] - h_above[q]
        g = strength[i]
        r = ratio[i]
        v = vertical[i]
        for q in range(cols):
            x = sx[q]
            y = sy[q]
            g[q] = math.sqrt(x * x + y * y)
            v[q] = x == 0
            r[q] = y / (1.0 if x == 0 else x)
    return strength, ratio, vertical


@numba.njit(cache=True)
def _row_sums(row, out):
    """``out[q] = row[q] + 2 row[q + 1] + row[q + 2]`` for a row with its zero border."""
    n = out.shape[0]
    left, centre, right = row[:n], row[1 : n + 1], row[2 : n + 2]
    for q in range(n):
        out[q] = left[q] + 2 * centre[q] + right[q]
