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
    for i in range(rows):
        # A loop, not a 2-D slice assignment, which took numba 3 s more to compile.
        inner = padded[i + 1, 1 : cols + 1]
        source = image[i]
        for q in range(cols):
            inner[q] = source[q]
    strength = np.empty((rows, cols))
    ratio = np.empty((rows, cols))
    vertical = np.empty((rows, cols), dtype=np.bool_)
    for i in range(rows):
        # Views indexed by the loop counter alone, so that LLVM vectorises (no wraparound).
        up, mid, down = padded[i], padded[i + 1], padded[i + 2]
        up_l, up_c, up_r = up[:cols], up[1 : cols + 1], up[2:]
        mid_l, mid_r = mid[:cols], mid[2:]
        down_l, down_c, down_r = down[:cols], down[1 : cols + 1], down[2:]
        g = strength[i]
        r = ratio[i]
        v = vertical[i]
        for q in range(cols):
            # conv2 flips the kernels: the left column enters Sx with +, the row below Sy.
            sx = (up_l[q] + 2 * mid_l[q] + down_l[q]) - (up_r[q] + 2 * mid_r[q] + down_r[q])
            sy = (down_l[q] + 2 * down_c[q] + down_r[q]) - (up_l[q] + 2 * up_c[q] + up_r[q])
            g[q] = math.sqrt(sx * sx + sy * sy)
            v[q] = sx == 0
            r[q] = sy / (1.0 if sx == 0 else sx)
    return strength, ratio, vertical
