"""Numba kernel for the metrics' separable symmetric filters (private; entry: ``_common``).

It computes what two ``scipy.ndimage.correlate1d`` passes (axis 0, then axis 1) compute for a
symmetric 1-D kernel, with the same operations in the same order per pixel, so the result is
bit-identical (a test holds it to that): ndimage's symmetric branch starts from the centre tap
and adds ``(x[i - k] + x[i + k]) * w[k]`` from the outermost tap inwards. Each step here is a
loop over a whole row, which LLVM vectorises (AVX-512 where the CPU has it); the pass along
axis 1 reads the row's axis-0 result at shifted offsets, with no transposes. On 520 x 520 the
11-tap Gaussian takes 0.4 ms, 2.5 times less than two axis-0 passes with transposes took.
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


@numba.njit(cache=True, inline="always")
def along_row(line, weights, target):
    """``target`` = the pass along axis 1 of one row held bordered in ``line``.

    ``line`` is the row's axis-0 result at ``[half, half + cols)`` with its border either
    side; ndimage's order per pixel: the centre tap first, then ``(x[q - k] + x[q + k]) * w``
    from the outermost tap inwards.
    """
    half = weights.shape[0] // 2
    cols = target.shape[0]
    centre = weights[half]
    middle = line[half : half + cols]
    for q in range(cols):
        target[q] = middle[q] * centre
    for k in range(half, 0, -1):
        w = weights[half - k]
        left = line[half - k : half - k + cols]
        right = line[half + k : half + k + cols]
        for q in range(cols):
            target[q] += (left[q] + right[q]) * w


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


@numba.njit(cache=True, error_model="numpy")
def separable_same(image, weights, replicate):
    """Correlate a 2-D float64 image with ``weights`` along axis 0, then along axis 1.

    ``weights`` is odd-length and symmetric; borders replicate (``replicate``) or read zero.
    One sweep over the rows: each row's axis-0 result goes into a bordered buffer (in L1
    cache), and its axis-1 pass reads that buffer at shifted offsets, so no intermediate
    image and no transposes; per pixel the operations are those of the two ndimage passes.
    """
    rows, cols = image.shape
    half = weights.shape[0] // 2
    out = np.empty((rows, cols))
    zero = np.zeros(cols)
    # The axis-0 result of one row at [half, half + cols); zeros (or the replicated edge
    # values) either side stand for the axis-1 pass's border.
    line = np.zeros(cols + 2 * half)
    centre = weights[half]
    # Views indexed by the loop counter alone: computed indices (half + q - k) would make
    # numba's negative-index wraparound per element, and LLVM then gathers instead of loading.
    middle = line[half : half + cols]
    for i in range(rows):
        row = image[i]
        for q in range(cols):
            middle[q] = row[q] * centre
        for k in range(half, 0, -1):
            lo = _source_row(i - k, rows, replicate)
            hi = _source_row(i + k, rows, replicate)
            above = image[lo] if lo >= 0 else zero
            below = image[hi] if hi >= 0 else zero
            w = weights[half - k]
            for q in range(cols):
                middle[q] += (above[q] + below[q]) * w
        if replicate:
            for k in range(half):
                line[k] = line[half]
                line[half + cols + k] = line[half + cols - 1]
        along_row(line, weights, out[i])
    return out
