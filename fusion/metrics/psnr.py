"""PSNR as the paper's Table 1 reports it (colour, averaged over the two sources)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.metrics._common import check_image, check_same, check_triplet, peak_of


def psnr_index(x: NDArray, y: NDArray, peak: float) -> float:
    """``10 log10(peak^2 / MSE)``, the MSE over every pixel and channel; inf when x == y."""
    mse = float(np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2))
    if mse == 0:
        return math.inf
    return 10 * math.log10(peak**2 / mse)


def psnr(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    *,
    data_range: float | None = None,
) -> float:
    """Fusion PSNR: ``(PSNR(A, F) + PSNR(B, F)) / 2`` on the images as given (RGB stays RGB).

    Parameters
    ----------
    source_a, source_b, fused : ndarray
        Images of one shape, uint8, uint16 or floating.
    data_range : float, optional
        Peak value L of the images. Default: from the dtype, 255 for uint8, 65535 for
        uint16, 1.0 for floating (values outside [0, 1] are refused; floats on the 0-255
        scale need ``data_range=255``). See :func:`fusion.metrics._common.check_image`.

    Returns
    -------
    float
        In dB; ``inf`` when the fused image equals a source. The Table averages over the
        pairs with a finite value (the authors' own ``psnr.m`` computes something else).
    """
    a, b, f = check_triplet(source_a, source_b, fused, data_range)
    peak = peak_of(f)
    return (psnr_index(a, f, peak) + psnr_index(b, f, peak)) / 2


def psnr_reference(
    fused: ArrayLike, ground_truth: ArrayLike, *, data_range: float | None = None
) -> float:
    """PSNR of a fused image against an all-in-focus ground truth, same definition.

    ``data_range`` as in :func:`psnr`.
    """
    f = check_image(fused, "fused", data_range)
    gt = check_image(ground_truth, "ground_truth", data_range)
    check_same((f, gt), ("fused", "ground_truth"))
    return psnr_index(f, gt, peak_of(f))
