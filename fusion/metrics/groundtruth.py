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


def decision_map_from_fusion(
    source_a: ArrayLike, source_b: ArrayLike, fused: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Recover a decision-map fusion's map where it is observable.

    For a fusion that copies every pixel from one source (as the authors' published Lytro
    results do), the map is known wherever the sources differ.

    Parameters
    ----------
    source_a, source_b, fused : ndarray
        Images of one shape, (M, N) or (M, N, 3).

    Returns
    -------
    dm, valid : (M, N) boolean arrays
        ``dm`` is True where the fused pixel equals A's; ``valid`` where A and B differ (in any
        channel). Pass both to :func:`decision_map_accuracy` as ``dm``/``mask`` and ``valid``.

    Raises
    ------
    NdcnpInputError
        If the shapes differ, or a pixel where the sources differ equals neither source.
    """
    a, b, f = (np.asarray(x) for x in (source_a, source_b, fused))
    if not a.shape == b.shape == f.shape or a.size == 0:
        raise NdcnpInputError(
            f"source_a, source_b and fused must have one non-empty shape; "
            f"got {a.shape}, {b.shape}, {f.shape}"
        )

    def per_pixel(x: np.ndarray) -> np.ndarray:
        return x if x.ndim == 2 else np.all(x, axis=2)

    from_a = per_pixel(f == a)
    from_b = per_pixel(f == b)
    valid = ~per_pixel(a == b)
    neither = valid & ~from_a & ~from_b
    if neither.any():
        raise NdcnpInputError(
            f"fused is not a decision-map fusion: {int(neither.sum())} pixels equal neither source"
        )
    return from_a & valid, valid
