"""Units in the last place, and a scalar numba function run as a kernel's loop (test helper).

Used by the tests of the metrics' branch-free ``log2`` and ``exp``.
"""

from __future__ import annotations

import numba
import numpy as np


def ulps(a, b):
    """Distance in units in the last place between float64 arrays of one sign."""
    return np.abs(np.asarray(a).view(np.int64) - np.asarray(b).view(np.int64))


def in_a_loop(scalar):
    """``scalar`` applied to every element of a float64 array in a loop LLVM vectorises.

    As the kernels call it: the values may differ from a scalar call only if the vector code
    does, so the tests check both paths.
    """

    @numba.njit(error_model="numpy")
    def run(x):
        out = np.empty_like(x)
        for k in range(x.size):
            out[k] = scalar(x[k])
        return out

    return run
