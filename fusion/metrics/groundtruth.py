"""Scores against a ground truth: decision-map accuracy.

PSNR and SSIM against an all-in-focus image are :func:`fusion.metrics.psnr.psnr_reference` and
:func:`fusion.metrics.ssim.ssim_reference`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ndtheory.errors import NdcnpInputError


def _binary(x: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(x)
    if array.size == 0:
        raise NdcnpInputError(f"{name} is empty")
    if array.ndim != 2:
        raise NdcnpInputError(f"{name} must be a 2-D map; got shape {array.shape}")
    if array.dtype == bool:
        return array
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise NdcnpInputError(f"{name} must be boolean or numeric; got {array.dtype}")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise NdcnpInputError(f"{name} contains NaN or infinite values")
    if array.min() < 0 or array.max() > 1:
        raise NdcnpInputError(
            f"{name} must lie in [0, 1]; got values in [{array.min()}, {array.max()}]"
        )
    return array >= 0.5


def decision_map_accuracy(
    dm: ArrayLike, mask: ArrayLike, *, valid: ArrayLike | None = None
) -> float:
    """Fraction of pixels where a decision map agrees with a ground-truth mask.

    Parameters
    ----------
    dm : (M, N) array
        Decision map, boolean or numbers in [0, 1] (1 = take source A); binarised at 0.5.
    mask : (M, N) array
        Ground-truth mask, same convention.
    valid : (M, N) boolean array, optional
        Pixels to score (e.g. where the two sources differ, the only pixels where a decision
        is observable); default all.

    Returns
    -------
    float
        ``mean(dm == mask)`` over the valid pixels.
    """
    d = _binary(dm, "dm")
    m = _binary(mask, "mask")
    if d.shape != m.shape:
        raise NdcnpInputError(f"dm has shape {d.shape} but mask has {m.shape}; they must match")
    if valid is None:
        return float(np.mean(d == m))
    v = np.asarray(valid, dtype=bool)
    if v.shape != d.shape:
        raise NdcnpInputError(f"valid has shape {v.shape} but dm has {d.shape}; they must match")
    if not v.any():
        raise NdcnpInputError("valid selects no pixel")
    return float(np.mean(d[v] == m[v]))
