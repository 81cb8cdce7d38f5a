"""Numba kernels for QCB's element-wise steps and its two contrast filters (private; ``qcb``).

Each computes what ``qcb.py`` once wrote in NumPy, with the same operations in the same order
per pixel, so the results are the same bits (tests hold them to the NumPy formulas), in one
pass instead of a chain of whole-image temporaries:

- :func:`normalise_round`: ``matlab_round((x - bottom) / span * 255)``;
- :func:`masked_contrast`: the two zero-bordered 31-tap Gaussians of ``_filter2_zero`` (the
  operations of ``_separable_kernel.separable_same``) in one sweep that reads each source row
  once for both, then ``C' = C^3 / (C^2 + Z)`` of ``C = |g1 * x / g2 * x - 1|`` row by row;
- :func:`quality_map`: ``lambda_A Q_AF + lambda_B Q_BF`` per pixel (its mean stays NumPy's
  pairwise sum).
"""

from __future__ import annotations

import numba
import numpy as np

from fusion.metrics._separable_kernel import along_row


@numba.njit(cache=True, error_model="numpy")
def normalise_round(image, bottom, span):
    """MATLAB ``round((image - bottom) / span * 255)``, half away from zero, for a float64 image."""
    rows, cols = image.shape
    out = np.empty((rows, cols))
    for i in range(rows):
        src = image[i]
        dst = out[i]
        for q in range(cols):
            v = (src[q] - bottom) / span * 255
            whole = np.trunc(v)
            frac = v - whole  # exact in floating point
            dst[q] = whole + (np.sign(v) if abs(frac) >= 0.5 else 0.0)
    return out


@numba.njit(cache=True, error_model="numpy")
def masked_contrast(filtered, g1, g2, z):
    """``C'`` from the CSF-filtered image: ``C = |corr(x, g1) / corr(x, g2) - 1|``,
    ``C' = C * C * C / (C * C + z)``, each ``corr`` separable with zero borders.

    ``g1`` and ``g2`` are symmetric and of one odd length. Per pixel the filters take the
    operations of ``separable_same`` (centre tap first, then ``(above + below) * w`` from the
    outermost tap inwards, along axis 0, then the same along axis 1).
    """
    rows, cols = filtered.shape
    half = g1.shape[0] // 2
    out = np.empty((rows, cols))
    zero = np.zeros(cols)
    # Each row's axis-0 results at [half, half + cols), zero either side: the axis-1 border.
    line1 = np.zeros(cols + 2 * half)
    line2 = np.zeros(cols + 2 * half)
    row1 = np.empty(cols)
    row2 = np.empty(cols)
    centre1 = g1[half]
    centre2 = g2[half]
    # Views indexed by the loop counter alone, so that LLVM vectorises (no wraparound).
    middle1 = line1[half : half + cols]
    middle2 = line2[half : half + cols]
    for i in range(rows):
        src = filtered[i]
        for q in range(cols):
            middle1[q] = src[q] * centre1
            middle2[q] = src[q] * centre2
        for k in range(half, 0, -1):
            above = filtered[i - k] if i - k >= 0 else zero
            below = filtered[i + k] if i + k < rows else zero
            w1 = g1[half - k]
            w2 = g2[half - k]
            for q in range(cols):
                pair = above[q] + below[q]
                middle1[q] += pair * w1
                middle2[q] += pair * w2
        along_row(line1, g1, row1)
        along_row(line2, g2, row2)
        dst = out[i]
        for q in range(cols):
            c = abs(row1[q] / row2[q] - 1)
            c2 = c * c
            dst[q] = c2 * c / (c2 + z)
    return out


@numba.njit(cache=True, error_model="numpy")
def quality_map(ca, cb, cf):
    """``(C'_A^2 / S) Q_AF + (C'_B^2 / S) Q_BF`` with ``S = C'_A^2 + C'_B^2`` and
    ``Q_XF = C'_X / C'_F`` where ``C'_X < C'_F``, else ``C'_F / C'_X``."""
    rows, cols = ca.shape
    out = np.empty((rows, cols))
    for i in range(rows):
        a_row, b_row, f_row, dst = ca[i], cb[i], cf[i], out[i]
        for q in range(cols):
            a, b, f = a_row[q], b_row[q], f_row[q]
            q_af = a / f if a < f else f / a
            q_bf = b / f if b < f else f / b
            a2 = a * a
            b2 = b * b
            saliency = a2 + b2
            dst[q] = a2 / saliency * q_af + b2 / saliency * q_bf
    return out
