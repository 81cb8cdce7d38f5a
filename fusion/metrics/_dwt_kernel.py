"""Numba kernel for one level of the 2-D DWT of FMIw (private; entry: ``fmi.wavelet_features``).

It computes what ``pywt.dwt2(x, wavelet, mode="symmetric")`` computes, bit for bit (a test
holds it to that): PyWavelets' C convolution gives output ``o`` as the sum of
``filter[j] * x[2 o + 1 - j]`` over the half-sample symmetric extension of ``x``, in increasing
``j`` (but at the right end, see ``_along_axis0``), first along axis 0, then along axis 1. Here
each step of that sum is a loop over a whole row (LLVM vectorises it) and the pass along axis 1
runs on the transpose: four times faster. Only for sides of at least the filter length (the
extension then reflects once); PyWavelets handles smaller images.
"""

from __future__ import annotations

import numba
import numpy as np

from fusion.metrics._separable_kernel import transpose


@numba.njit(cache=True, inline="always")
def _reflect(k, n):
    # Half-sample symmetric extension, one reflection: x[-1 - k] = x[k], x[n + k] = x[n - 1 - k].
    if k < 0:
        return -1 - k
    if k >= n:
        return 2 * n - 1 - k
    return k


@numba.njit(cache=True, inline="always")
def _tap(step, overhang):
    # PyWavelets' order: where the window overhangs the right end it first takes the taps
    # on the extension, from the one next to the data outwards (i - rows down to 0), then
    # the others in increasing j; elsewhere j increases from 0.
    return overhang - 1 - step if step < overhang else step


@numba.njit(cache=True)
def _along_axis0(x, lo, hi):
    rows, cols = x.shape
    taps = lo.shape[0]
    length = (rows + taps - 1) // 2
    approx = np.zeros((length, cols))
    detail = np.zeros((length, cols))
    for o in range(length):
        a = approx[o]
        d = detail[o]
        i = 2 * o + 1
        overhang = i - rows + 1 if i >= rows else 0
        # Four taps per pass over the output row: each element is loaded and stored once per
        # four additions instead of once per addition, the additions in the same order.
        grouped = taps - taps % 4
        for step in range(0, grouped, 4):
            j0, j1 = _tap(step, overhang), _tap(step + 1, overhang)
            j2, j3 = _tap(step + 2, overhang), _tap(step + 3, overhang)
            s0, s1 = x[_reflect(i - j0, rows)], x[_reflect(i - j1, rows)]
            s2, s3 = x[_reflect(i - j2, rows)], x[_reflect(i - j3, rows)]
            l0, l1, l2, l3 = lo[j0], lo[j1], lo[j2], lo[j3]
            h0, h1, h2, h3 = hi[j0], hi[j1], hi[j2], hi[j3]
            for q in range(cols):
                a[q] = (((a[q] + l0 * s0[q]) + l1 * s1[q]) + l2 * s2[q]) + l3 * s3[q]
                d[q] = (((d[q] + h0 * s0[q]) + h1 * s1[q]) + h2 * s2[q]) + h3 * s3[q]
        for step in range(grouped, taps):
            j = _tap(step, overhang)
            src = x[_reflect(i - j, rows)]
            wl = lo[j]
            wh = hi[j]
            for q in range(cols):
                a[q] += wl * src[q]
                d[q] += wh * src[q]
    return approx, detail


@numba.njit(cache=True)
def dwt2_symmetric(x, lo, hi):
    """``(cA, cH, cV, cD)`` of ``pywt.dwt2(x, (lo, hi), mode="symmetric")`` for a float64
    image whose sides are at least ``len(lo)``."""
    a0, d0 = _along_axis0(x, lo, hi)
    aa, ad = _along_axis0(transpose(a0), lo, hi)
    da, dd = _along_axis0(transpose(d0), lo, hi)
    return transpose(aa), transpose(da), transpose(ad), transpose(dd)
