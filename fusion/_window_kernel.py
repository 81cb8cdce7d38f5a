"""Numba kernel for the Eq. (21) window sums (private; public entry: ``decision.window_sum``)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def box_sum(counts: np.ndarray, r: int, out: np.ndarray) -> None:
    """``out[i, j] = sum(counts[i - r:i + r + 1, j - r:j + r + 1])``, zeros outside.

    Running sums in integers: a running column sum over the rows ``i - r..i + r``
    (one row added, one dropped per row), then a running sum of it along the row.
    Exact, O(M*N) whatever ``r``, and only one row of extra memory.
    """
    M, N = counts.shape
    column = np.zeros(N, dtype=np.int64)
    for i in range(min(r, M)):
        for j in range(N):
            column[j] += counts[i, j]
    for i in range(M):
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
            out[i, j] = total


@numba.njit(cache=True, nogil=True)
def disk_sum(counts: np.ndarray, r: int, out: np.ndarray) -> None:
    """``out[i, j]`` = sum of ``counts[x, y]`` over ``(x - i)^2 + (y - j)^2 <= r^2``, zeros outside.

    Row ``x`` of the image lies in the disks of rows ``x - dy`` and ``x + dy`` as the
    segment ``|y - j| <= w`` with ``w = isqrt(r^2 - dy^2)``; each segment sum runs
    along the row (one entry in, one out) and is added to both rows. Exact,
    O(M*N*r), and only one row of extra memory.
    """
    M, N = counts.shape
    for i in range(M):
        for j in range(N):
            out[i, j] = 0
    segment = np.zeros(N, dtype=np.int64)
    for dy in range(min(r, M - 1) + 1):
        w = np.int64(np.sqrt(np.float64(r * r - dy * dy)))
        # the float square root can be one off near perfect squares; settle it exactly
        while w * w > r * r - dy * dy:
            w -= 1
        while (w + 1) * (w + 1) <= r * r - dy * dy:
            w += 1
        for x in range(M):
            if x - dy < 0 and x + dy >= M:
                continue
            total = np.int64(0)
            for y in range(min(w, N)):
                total += counts[x, y]
            for j in range(N):
                if j + w < N:
                    total += counts[x, j + w]
                if j - w - 1 >= 0:
                    total -= counts[x, j - w - 1]
                segment[j] = total
            if x - dy >= 0:
                for j in range(N):
                    out[x - dy, j] += segment[j]
            if dy > 0 and x + dy < M:
                for j in range(N):
                    out[x + dy, j] += segment[j]
