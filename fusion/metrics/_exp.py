"""A branch-free ``exp`` that LLVM vectorises (private; used by ``_qp_kernel``).

``math.exp`` inside a numba loop is a call into the C library, one value at a time, and a loop
that calls it is never vectorised; so phase congruency used to leave its frequency-spread
weights ``1 / (1 + exp(z))`` to a NumPy pass over a whole image of exponents. :func:`exp` is
fdlibm's ``e_exp.c`` (error below 1 ulp) written with selects instead of branches, so that the
kernel's loop over a row computes it eight values at a time and needs no image of exponents.
It is within 1 ulp of glibc's ``exp`` (a test bounds it over random and edge values) and gives
its special values: ``inf`` above 709.78, 0 below -745.13, NaN for NaN.

The method: x = k ln2 + r with k the nearest integer to x / ln2 and |r| <= ln2 / 2, r kept as
``hi - lo`` (``k ln2_hi`` is exact: ln2_hi has 32 significant bits); then
``exp(r) = 1 - ((lo - r c / (2 - c)) - hi)`` with ``c = r - r^2 P(r^2)``, fdlibm's
minimax polynomial P; finally the product with 2**k, in two factors of 2**(k/2) so that
neither overflows before the result does and a subnormal result is rounded once.
"""

from __future__ import annotations

import numba
import numpy as np

_INV_LN2 = 1.44269504088896338700e00
_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42 fee00000
_LN2_LO = 1.90821492927058770002e-10
_P1 = 1.66666666666666019037e-01
_P2 = -2.77777777770155933842e-03
_P3 = 6.61375632143793436117e-05
_P4 = -1.65339022054652515390e-06
_P5 = 4.13813679705723846039e-08
# Beyond these the result is inf or 0 whatever k is; clamping keeps k's powers of 2 normal.
_X_MAX, _X_MIN = 710.0, -746.0


@numba.njit(cache=True, inline="always", error_model="numpy")
def _power_of_two(k):
    """2.0**k for an integer -1022 <= k <= 1023, from its exponent bits."""
    return np.int64((k + 1023) << 52).view(np.float64)


@numba.njit(cache=True, inline="always", error_model="numpy")
def exp(x: float) -> float:
    """e**x of a float64 within 1 ulp of glibc's, without branches."""
    clamped = min(max(x, _X_MIN), _X_MAX)  # NaN is replaced below
    kf = np.floor(clamped * _INV_LN2 + 0.5)
    hi = clamped - kf * _LN2_HI
    lo = kf * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    k = np.int64(kf)
    half = k >> 1
    out = y * _power_of_two(half) * _power_of_two(k - half)
    return x + x if x != x else out
