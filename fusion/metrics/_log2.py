"""A branch-free ``log2`` that LLVM vectorises (private; used by ``_fmi_kernel``).

``math.log2`` inside a numba loop is a call into the C library, one value at a time; a loop
that calls it is never vectorised. :func:`log2` is FreeBSD's ``e_log2.c`` (fdlibm lineage,
error below 1 ulp) written with selects instead of branches, so that a loop over windows runs
it eight values at a time. It differs from glibc's ``log2`` by at most 1 ulp (a test bounds
it over random and edge values) and gives its special values: ``-inf`` at 0, ``inf`` at
``inf``, NaN for NaN and negative numbers; subnormal inputs are scaled by ``2**54`` first.

:func:`log2_normal` is the same computation without the special cases, for callers that
check :func:`is_normal` on their arguments and fall back to :func:`log2` where it fails.

The method: x = 2**k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f); then
``log(1 + f) = f - f**2/2 + s (f**2/2 + R(s**2))`` with FreeBSD's minimax polynomial R, and
``f - f**2/2`` is split into a 21-bit head (exact when multiplied by the 32-bit head of
1/ln 2) and a tail, so that the sum with k keeps its last bits.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

_IVLN2HI = 1.44269504072144627571e00  # 0x3ff71547 65200000: 1/ln 2 to 32 bits
_IVLN2LO = 1.67517131648865118353e-10  # the rest of 1/ln 2
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_TWO54 = 18014398509481984.0
_SMALLEST_NORMAL = 2.2250738585072014e-308
_MANTISSA = 0x000FFFFFFFFFFFFF
_ONE = 0x3FF0000000000000  # exponent bits of 1.0
_HALF_SQRT2_BIAS = 0x00095F6400000000  # carries into the exponent when m >= sqrt(2)
_IMPLICIT_BIT = 0x0010000000000000
_HIGH_WORD = -4294967296  # 0xFFFFFFFF00000000: keeps the high 32 bits


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's fma: one instruction on x86-64 since Haswell)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return sig, codegen


@numba.njit(cache=True, inline="always", error_model="numpy")
def _reduced(x, bias):
    """log2 of a positive normal float64 ``x`` whose exponent field is biased by ``bias``."""
    bits = np.float64(x).view(np.int64)
    k = (bits >> 52) - bias
    mantissa = bits & _MANTISSA
    # m in [sqrt(2)/2, sqrt(2)): halve m (and raise k) where the mantissa is at least sqrt(2).
    carry = (mantissa + _HALF_SQRT2_BIAS) & _IMPLICIT_BIT
    m = np.int64(mantissa | (carry ^ _ONE)).view(np.float64)
    y = np.float64(k + (carry >> 52))
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    # The polynomial in fused multiply-adds: fewer operations, no less accurate.
    t1 = w * _fma(w, _fma(w, _LG6, _LG4), _LG2)
    t2 = z * _fma(w, _fma(w, _fma(w, _LG7, _LG5), _LG3), _LG1)
    r = s * (hfsq + (t2 + t1))
    hi = np.int64(np.float64(f - hfsq).view(np.int64) & _HIGH_WORD).view(np.float64)
    lo = (f - hi) - hfsq + r
    val_hi = hi * _IVLN2HI
    val_lo = _fma(lo + hi, _IVLN2LO, lo * _IVLN2HI)
    total = y + val_hi
    val_lo += (y - total) + val_hi
    return val_lo + total


@numba.njit(cache=True, inline="always", error_model="numpy")
def log2(x: float) -> float:
    """Base-2 logarithm of a float64 within 1 ulp of glibc's, without branches."""
    subnormal = x < _SMALLEST_NORMAL
    scaled = x * _TWO54 if subnormal else x
    out = _reduced(scaled, 1023 + 54 if subnormal else 1023)
    out = -np.inf if x == 0.0 else out
    out = x + x if not x < np.inf else out  # inf stays inf, NaN stays NaN
    return np.nan if x < 0.0 else out


@numba.njit(cache=True, inline="always", error_model="numpy")
def log2_normal(x: float) -> float:
    """:func:`log2` for a positive normal finite ``x`` only, the same bits, in fewer operations.

    No subnormal scaling and no special values: for 0, a subnormal, inf, NaN or a negative
    number the result is meaningless. A caller checks :func:`is_normal` on every argument
    (cheap, and vectorised with the logarithms) and recomputes with :func:`log2` where one
    fails.
    """
    return _reduced(x, 1023)


@numba.njit(cache=True, inline="always", error_model="numpy")
def is_normal(x: float) -> bool:
    """True where :func:`log2_normal` gives :func:`log2`'s value: x positive, normal, finite."""
    return (x >= _SMALLEST_NORMAL) & (x < np.inf)
