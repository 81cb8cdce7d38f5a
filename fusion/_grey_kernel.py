"""Numba kernel for MATLAB ``rgb2gray`` of 8- and 16-bit RGB (private; entry: ``images.rgb2gray``).

The NumPy expression took 6 ms for a 520 x 520 image (channel copies, then six whole-image
passes), 18 ms of every pair ``ndcnp evaluate`` scores; one pass over the pixels takes a
fraction of a millisecond. Same operations in the same order per pixel, so the same bits. It
releases the GIL: ``fusion.pipeline.fusion_inputs`` converts the sources in threads.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, error_model="numpy")
def rgb2gray_integer(rgb, weights, out):
    """``out = floor(wr R + wg G + wb B + 0.5)`` per pixel of a C-contiguous (M, N, 3) image.

    The sum is formed left to right in float64, as NumPy's ``wr * r + wg * g + wb * b``; the
    cast to ``out``'s integer type truncates the non-negative, integral result, as ``astype``.
    """
    # One flat loop: LLVM vectorises it (indexing each (q, c) of a row does not vectorise).
    flat = rgb.reshape(-1)
    target = out.reshape(-1)
    wr, wg, wb = weights
    for p in range(target.size):
        r = np.float64(flat[3 * p])
        g = np.float64(flat[3 * p + 1])
        b = np.float64(flat[3 * p + 2])
        target[p] = np.floor(wr * r + wg * g + wb * b + 0.5)
