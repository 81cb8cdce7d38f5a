"""``np.percentile`` of a large array, bit for bit, without partitioning all of it.

The parameter rule reads a high percentile (99.99 in the default rule) of each input. On a
24-megapixel input ``np.percentile`` copies the array and partitions the copy:
0.3 s, and up to 0.9 s where the copy is memory the process touches for the
first time (``benchmarks/README.md``). Only the values at two ranks matter, so
:func:`percentile` takes the values above a threshold read off a strided sample,
partitions those few, and interpolates between the two ranks as NumPy's
``"linear"`` method does (its ``(n - 1) * q`` virtual index and its two-sided
lerp); where the sample misjudges the tail it falls back to ``np.percentile``.
A test holds it to ``np.percentile`` on arrays with ties, zeros and every rank.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

SAMPLE_SIZE = 1 << 16
"""About how many values the threshold is read from."""
MARGIN = 4.0
"""The threshold aims at this many times the values the two ranks need."""


def _lerp(a: np.float64, b: np.float64, t: np.float64) -> float:
    # NumPy's _lerp: from the nearer end, so that t = 1 gives b exactly.
    diff = b - a
    return float(b - diff * (1 - t) if t >= 0.5 else a + diff * t)


def percentile(values: NDArray, q: float) -> float:
    """``float(np.percentile(values, q))`` (method ``"linear"``), the same float.

    Parameters
    ----------
    values : ndarray
        Any shape; float64 without NaN takes the fast path, anything else is
        passed to ``np.percentile``.
    q : float
        Percentile in [0, 100].

    Returns
    -------
    float
    """
    flat = np.ravel(values)
    n = flat.size
    if n == 0 or flat.dtype != np.float64 or not 0 <= q <= 100:
        return float(np.percentile(values, q))
    quantile = np.true_divide(q, 100)
    virtual = (n - 1) * quantile
    if virtual >= n - 1:
        top = flat.max()
        return float(top) if not np.isnan(top) else float(np.percentile(values, q))
    low = int(np.floor(virtual))
    gamma = virtual - np.floor(virtual)
    need = n - low  # values at rank >= low
    sample = flat[:: max(1, n // SAMPLE_SIZE)]
    share = min(1.0, MARGIN * need / n)
    threshold = np.percentile(sample, 100 * (1 - share))
    tail = flat[flat >= threshold]
    # A NaN anywhere would rank last in np.percentile; the comparison drops it, so the
    # sampled maximum is checked too, and a thin tail means the sample misjudged it.
    if tail.size < need or np.isnan(threshold) or np.isnan(flat.max()):
        return float(np.percentile(values, q))
    k = low - (n - tail.size)  # rank of the lower value within the tail; low + 1 <= n - 1
    ranked = np.partition(tail, [k, k + 1])
    return _lerp(ranked[k], ranked[k + 1], gamma)
