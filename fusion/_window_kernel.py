"""Numba kernel for the Eq. (21) window sums (private; public entry: ``decision.window_sum``)."""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def box_sum(counts: np.ndarray, r: int, out: np.ndarray, first: int) -> None:
    """``out[i - first, j] = sum(counts[i - r:i + r + 1, j - r:j + r + 1])``, zeros outside,
    for the rows ``first <= i < first + len(out)``.

    Running sums in integers: a running column sum over the rows ``i - r..i + r``
    (one row added, one dropped per row), then a running sum of it along the row.
    Exact, O(M*N) whatever ``r``, and only one row of extra memory.
    """
    M, N = counts.shape
    column = np.zeros(N, dtype=np.int64)
    for i in range(max(first - r, 0), min(first + r, M)):
        for j in range(N):
            column[j] += counts[i, j]
    for i in range(first, first + out.shape[0]):
        if i + r < M:
            for j in range(N):
                column[j] += counts[i + r, j]
        if i - r - 1 >= 0:
            for j in range(N):
                column[j] -= counts[i - r - 1, j]
        total = np.int64(0)
        for j in range(min(r, N)):
            total += column[j]
        for j in range(N):
            if j + r < N:
                total += column[j + r]
            if j - r - 1 >= 0:
                total -= column[j - r - 1]
            out[i - first, j] = total


def half_widths(shape: str, r: int) -> np.ndarray:
    """``w[dy]`` for ``dy = 0..r``: row ``dy`` of the window spans ``|x| <= w[dy]``.

    ``"disk"``: ``isqrt(r^2 - dy^2)`` (``x^2 + dy^2 <= r^2``); ``"diamond"``:
    ``r - dy`` (``|x| + |dy| <= r``).
    """
    if shape == "disk":
        widths = [math.isqrt(r * r - dy * dy) for dy in range(r + 1)]
    else:
        widths = [r - dy for dy in range(r + 1)]
    return np.array(widths, dtype=np.uint64)


@numba.njit(cache=True, nogil=True, boundscheck=False)
def _prefix_row(counts1: np.ndarray, start: int, N: int, r: int, row1: np.ndarray) -> None:
    """``row1[k]`` = sum of the row's counts at columns ``< k - r`` (clipped to ``0..N``)."""
    total = row1.dtype.type(0)
    for k in range(r + 1):
        row1[k] = total
    for y in range(N):
        total += counts1[start + y]
        row1[r + 1 + y] = total
    for k in range(N + r + 1, N + 2 * r + 1):
        row1[k] = total


@numba.njit(cache=True, nogil=True, boundscheck=False)
def _add_segments(
    acc: np.ndarray, ring1: np.ndarray, a: np.uint64, b: np.uint64, w: np.uint64, N: int
) -> None:
    """``acc[j]`` += the segments ``|y - j| <= w`` of the prefix rows at ``a`` and ``b``.

    Two window rows (``i - dy`` and ``i + dy``) per pass halve the passes over
    ``acc``; unsigned offsets (no wrap-around test) let LLVM vectorise the loop.
    """
    lo_a, hi_a = a - w, a + np.uint64(1) + w
    lo_b, hi_b = b - w, b + np.uint64(1) + w
    for jj in range(N):
        j = np.uint64(jj)
        acc[j] += (ring1[hi_a + j] - ring1[lo_a + j]) + (ring1[hi_b + j] - ring1[lo_b + j])


@numba.njit(cache=True, nogil=True, boundscheck=False)
def segments_sum(
    counts: np.ndarray, r: int, half: np.ndarray, ring: np.ndarray, out: np.ndarray, first: int
) -> None:
    """``out[i - first, j]`` = sum of ``counts[i + dy, j + dx]`` over ``|dx| <= half[|dy|]``,
    zeros outside, for the rows ``first <= i < first + len(out)``.

    The window (a disk or a diamond, :func:`half_widths`) is symmetric about its
    centre row. Row ``i + dy`` of it is the segment ``|y - j| <= half[|dy|]`` of that row:
    a difference of two entries of the row's prefix sums. The prefix rows live in
    ``ring``: ``min(M, 2r + 1)`` rows of ``N + 2r + 1`` (padded so that no index
    leaves the row), each computed once, and a last row of zeros that stands for
    rows outside the image. Every output row then adds ``r + 1`` vectorised passes
    of shifted differences. Exact in integers, O(len(out)*N*r).
    """
    M, N = counts.shape
    rows = ring.shape[0] - 1
    width = ring.shape[1]
    zero = rows * width
    ring[rows, :] = 0
    counts1 = counts.reshape(-1)
    ring1 = ring.reshape(-1)
    acc = np.zeros(N, dtype=ring.dtype)
    for x in range(max(first - r, 0), min(first + r, M)):
        _prefix_row(counts1, x * N, N, r, ring1[(x % rows) * width :])
    for i in range(first, first + out.shape[0]):
        if i + r < M:
            x = i + r
            _prefix_row(counts1, x * N, N, r, ring1[(x % rows) * width :])
        acc[:] = 0
        for dy in range(r + 1):
            # A row outside the image reads the all-zero row ``zero`` (the ring's last).
            # The centre row (dy = 0) is added once: its "below" is the zero row too.
            above = np.uint64(((i - dy) % rows) * width if i - dy >= 0 else zero)
            below = np.uint64(((i + dy) % rows) * width if 0 < dy and i + dy < M else zero)
            _add_segments(acc, ring1, above + np.uint64(r), below + np.uint64(r), half[dy], N)
        for j in range(N):
            out[i - first, j] = acc[j]
