"""Numba kernels for Qabf (private; entries: ``qabf.sobel_strength_orientation``, ``qabf.qabf``).

MATLAB ``conv2(x, h, 'same')`` with the two Sobel kernels, zero padding, in one pass over a
zero-bordered copy; each response is a difference of two 1-2-1 sums. On integer grey levels
(every uint8 or uint16 image) the sums are exact, so the result is ``ndimage.convolve``'s to
the bit (tested); on other floats it agrees to rounding. With the strength and the ratio
Sy / Sx in the same sweep it replaces two ``ndimage.convolve`` calls and five whole-image
temporaries.

:func:`exponents` and :func:`weighted_preservation` compute the edge-preservation values
``Q_AF g_A + Q_BF g_B`` with the operations, in the order, of the NumPy expressions they
replaced, so the same bits (tested), on either side of NumPy's ``exp``.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def sobel(image):
    """Edge strength ``sqrt(Sx^2 + Sy^2)``, ``Sy / Sx`` (``Sy`` where ``Sx == 0``), ``Sx == 0``.

    ``Sx = conv2(x, [-1 0 1; -2 0 2; -1 0 1], 'same')`` and ``Sy`` with
    ``[1 2 1; 0 0 0; -1 -2 -1]``, for a float64 image. The arctangent is left to NumPy's
    vectorised ``np.arctan``.
    """
    rows, cols = image.shape
    padded = np.zeros((rows + 2, cols + 2))
    for i in range(rows):
        # A loop, not a 2-D slice assignment, which took numba 3 s more to compile.
        inner = padded[i + 1, 1 : cols + 1]
        source = image[i]
        for q in range(cols):
            inner[q] = source[q]
    strength = np.empty((rows, cols))
    ratio = np.empty((rows, cols))
    vertical = np.empty((rows, cols), dtype=np.bool_)
    for i in range(rows):
        # Views indexed by the loop counter alone, so that LLVM vectorises (no wraparound).
        up, mid, down = padded[i], padded[i + 1], padded[i + 2]
        up_l, up_c, up_r = up[:cols], up[1 : cols + 1], up[2:]
        mid_l, mid_r = mid[:cols], mid[2:]
        down_l, down_c, down_r = down[:cols], down[1 : cols + 1], down[2:]
        g = strength[i]
        r = ratio[i]
        v = vertical[i]
        for q in range(cols):
            # conv2 flips the kernels: the left column enters Sx with +, the row below Sy.
            sx = (up_l[q] + 2 * mid_l[q] + down_l[q]) - (up_r[q] + 2 * mid_r[q] + down_r[q])
            sy = (down_l[q] + 2 * down_c[q] + down_r[q]) - (up_l[q] + 2 * up_c[q] + up_r[q])
            g[q] = math.sqrt(sx * sx + sy * sy)
            v[q] = sx == 0
            r[q] = sy / (1.0 if sx == 0 else sx)
    return strength, ratio, vertical


@numba.njit(cache=True, error_model="numpy")
def exponents(g_a, at_a, v_a, g_b, at_b, v_b, g_f, at_f, v_f, k_g, d_g, k_a, d_a, out):
    """The arguments of the four sigmoids' ``exp``, into ``out`` (4, rows, cols):
    ``k_g (G - d_g)`` and ``k_a (A - d_a)`` of source A, then of source B.

    ``G`` is the strength ratio ``min(g_s, g_f) / max(g_s, g_f)``, ``g_f`` where the two are
    equal (the reference's quirk), and ``A = 1 - |alpha_s - alpha_f| / (pi / 2)`` with
    ``alpha = pi / 2`` where ``v`` (:func:`sobel`'s ``Sx == 0``), else ``at`` (the arctangent
    of its ratio). The ``exp`` itself stays NumPy's: its vectorised ``exp`` is not glibc's to
    the bit.
    """
    rows, cols = g_f.shape
    half_pi = np.pi / 2
    for i in range(rows):
        gf_row, atf_row, vf_row = g_f[i], at_f[i], v_f[i]
        for side, g_s, at_s, v_s in ((0, g_a, at_a, v_a), (2, g_b, at_b, v_b)):
            gs_row, ats_row, vs_row = g_s[i], at_s[i], v_s[i]
            out_g, out_a = out[side, i], out[side + 1, i]
            for q in range(cols):
                gs, gf = gs_row[q], gf_row[q]
                ratio = gf / gs if gs > gf else gs / gf
                relative = gf if gs == gf else ratio
                alpha_s = half_pi if vs_row[q] else ats_row[q]
                alpha_f = half_pi if vf_row[q] else atf_row[q]
                orientation = 1 - abs(alpha_s - alpha_f) / half_pi
                out_g[q] = k_g * (relative - d_g)
                out_a[q] = k_a * (orientation - d_a)
    return out


@numba.njit(cache=True, error_model="numpy")
def weighted_preservation(e, g_a, g_b, t_g, t_a):
    """``Q_AF g_A + Q_BF g_B`` per pixel, ``Q = t_g / (1 + e_g) * (t_a / (1 + e_a))`` from
    the ``exp`` of :func:`exponents`' output ``e``."""
    rows, cols = g_a.shape
    out = np.empty((rows, cols))
    for i in range(rows):
        eg_a, ea_a, eg_b, ea_b = e[0, i], e[1, i], e[2, i], e[3, i]
        ga_row, gb_row, dst = g_a[i], g_b[i], out[i]
        for q in range(cols):
            q_af = t_g / (1 + eg_a[q]) * (t_a / (1 + ea_a[q]))
            q_bf = t_g / (1 + eg_b[q]) * (t_a / (1 + ea_b[q]))
            dst[q] = q_af * ga_row[q] + q_bf * gb_row[q]
    return out
