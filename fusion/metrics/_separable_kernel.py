"""Numba kernel for the metrics' separable symmetric filters (private; entry: ``_common``).

It computes what two ``scipy.ndimage.correlate1d`` passes (axis 0, then axis 1) compute for a
symmetric 1-D kernel, with the same operations in the same order per pixel, so the result is
bit-identical (a test holds it to that): ndimage's symmetric branch starts from the centre tap
and adds ``(x[i - k] + x[i + k]) * w[k]`` from the outermost tap inwards. Each step here is a
loop over a whole row, which LLVM vectorises; the pass along axis 1 is the same pass on the
transpose. About three times faster than ndimage on 520 x 520.
"""

from __future__ import annotations

import numba
import numpy as np

_TILE = 32


@numba.njit(cache=True, inline="always")
def _source_row(i, n, replicate):
    # ndimage's "nearest" clamps; "constant" reads zero, signalled by -1.
    if 0 <= i < n:
        return i
    if replicate:
        return 0 if i < 0 else n - 1
    return -1


@numba.njit(cache=True, error_model="numpy")
def _along_axis0(image, weights, replicate):
    rows, cols = image.shape
    half = weights.shape[0] // 2
    out = np.empty((rows, cols))
    zero = np.zeros(cols)
    for i in range(rows):
        target = out[i]
        row = image[i]
        for q in range(cols):
            target[q] = row[q] * weights[half]
        for k in range(half, 0, -1):
            lo = _source_row(i - k, rows, replicate)
            hi = _source_row(i + k, rows, replicate)
            above = image[lo] if lo >= 0 else zero
            below = image[hi] if hi >= 0 else zero
            w = weights[half - k]
            for q in range(cols):
                target[q] += (above[q] + below[q]) * w
    return out


@numba.njit(cache=True)
def transpose(image):
    """``image.T`` as a new C-ordered float64 array, copied in cache-sized tiles."""
    rows, cols = image.shape
    out = np.empty((cols, rows))
    for i0 in range(0, rows, _TILE):
        for j0 in range(0, cols, _TILE):
            for i in range(i0, min(i0 + _TILE, rows)):
                for j in range(j0, min(j0 + _TILE, cols)):
                    out[j, i] = image[i, j]
    return out


@numba.njit(cache=True)
def separable_same(image, weights, replicate):
    """Correlate a 2-D float64 image with ``weights`` along axis 0, then along axis 1.

    ``weights`` is odd-length and symmetric; borders replicate (``replicate``) or read zero.
    """
    first = _along_axis0(image, weights, replicate)
    return transpose(_along_axis0(transpose(first), weights, replicate))
