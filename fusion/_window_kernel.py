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
