"""Scores against a ground truth: decision-map accuracy.

PSNR and SSIM against an all-in-focus image are :func:`fusion.metrics.psnr.psnr_reference` and
:func:`fusion.metrics.ssim.ssim_reference`. :func:`accuracy_against_gt` scores a fusion's
choices on the pixels where one source is *clearly* nearer the all-in-focus image
(:func:`clearly_nearer`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from fusion.metrics._common import check_image, check_same, peak_of
from ndtheory.errors import NdcnpInputError

CLEAR_MARGIN = 2.0
"""Grey levels (8-bit scale) per channel by which one source must be nearer the ground truth.

Two levels per channel (6 summed over RGB) lies above the JPEG re-quantisation noise between an
all-in-focus image and its unblurred copy in a source (MF-VOC's pixels that no blur touched
differ from the ground truth by at most 1-2 levels per channel), so a pixel counts only when the
blur, not the compression, separates the sources there.
"""


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


def _distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Summed absolute difference over the channels, per pixel."""
    d = np.abs(x.astype(np.float64) - y.astype(np.float64))
    return d if d.ndim == 2 else d.sum(axis=2)


def clearly_nearer(
    source_a: ArrayLike,
    source_b: ArrayLike,
    ground_truth: ArrayLike,
    *,
    margin: float = CLEAR_MARGIN,
) -> tuple[np.ndarray, np.ndarray]:
    """Which source is nearer the all-in-focus image, and where that is clear.

    With ``d_S = sum_c |S_c - GT_c|`` (summed over the colour channels), a pixel is *clear* when
    ``|d_A - d_B| > margin * C * range / 255``: the two sources' distances to the ground truth
    differ by more than ``margin`` 8-bit grey levels per channel (``C`` channels; ``range`` the
    images' data range, 255 or 65535).

    Parameters
    ----------
    source_a, source_b, ground_truth : ndarray
        Images of one shape and bit depth, (M, N) or (M, N, 3).
    margin : float, optional
        Grey levels per channel; default :data:`CLEAR_MARGIN`.

    Returns
    -------
    a_nearer, clear : (M, N) boolean arrays
        ``d_A < d_B``, and where ``|d_A - d_B|`` exceeds the margin.
    """
    a = check_image(source_a, "source_a")
    b = check_image(source_b, "source_b")
    gt = check_image(ground_truth, "ground_truth")
    check_same((a, b, gt), ("source_a", "source_b", "ground_truth"))
    if not np.isfinite(margin) or margin < 0:
        raise NdcnpInputError(f"margin must be a number >= 0; got {margin}")
    channels = 1 if a.ndim == 2 else a.shape[2]
    d_a, d_b = _distance(a, gt), _distance(b, gt)
    threshold = margin * channels * peak_of(a) / 255.0
    return d_a < d_b, np.abs(d_a - d_b) > threshold


def accuracy_against_gt(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    ground_truth: ArrayLike,
    *,
    margin: float = CLEAR_MARGIN,
) -> float:
    """Share of the clear pixels where the fusion took the source nearer the ground truth.

    A fused pixel counts as taken from A when it is nearer A than B (summed absolute difference
    over the channels, as :func:`clearly_nearer`); for a decision-map fusion, which copies each
    pixel from one source, that is its decision map, and the score is the map's accuracy on the
    clear pixels. A fused pixel equally near both sources counts as wrong.

    Returns
    -------
    float
        The accuracy in [0, 1]; NaN when no pixel is clear (the sources agree everywhere).
    """
    a_nearer, clear = clearly_nearer(source_a, source_b, ground_truth, margin=margin)
    f = check_image(fused, "fused")
    a, b = np.asarray(source_a), np.asarray(source_b)
    check_same((f, a), ("fused", "source_a"))
    d_fa, d_fb = _distance(f, a), _distance(f, b)
    right = np.where(a_nearer, d_fa < d_fb, d_fb < d_fa)
    return float(np.mean(right[clear])) if clear.any() else float("nan")
