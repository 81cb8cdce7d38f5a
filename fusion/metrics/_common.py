"""Input checks, grey conversion and MATLAB-equivalent filters shared by the metrics."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.images import RGB2GRAY_WEIGHTS, rgb2gray
from ndtheory.errors import NdcnpInputError

IMAGE_NAMES = ("source_a", "source_b", "fused")


DTYPE_RANGES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
"""The peak value L each integer dtype implies; a floating image implies 1.0 (skimage's
convention) and must then lie in [0, 1]."""


def check_image(image: ArrayLike, name: str, data_range: float | None = None) -> NDArray:
    """Validate one image and return it on the scale the metrics compute on.

    Accepted: (M, N) grey or (M, N, 3) RGB, dtype uint8, uint16 or floating, finite, not empty.
    The peak value L is ``data_range`` when given, else inferred from the dtype only: 255 for
    uint8, 65535 for uint16, 1.0 for floating (which must then lie in [0, 1]; a float image on
    the 0-255 scale needs ``data_range=255``). uint8 with L = 255 and uint16 with L = 65535 are
    returned as they are; any other image is returned as float64 grey levels on the 0-255
    scale (``x * 255 / L``, MATLAB's ``double(uint8)`` scale), which every metric reads as L = 255.
    """
    array = np.asarray(image)
    if array.size == 0:
        raise NdcnpInputError(f"{name} is empty (shape {array.shape})")
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise NdcnpInputError(
            f"{name} must be (M, N) grey or (M, N, 3) RGB; got shape {array.shape}"
        )
    floating = np.issubdtype(array.dtype, np.floating)
    if array.dtype not in DTYPE_RANGES and not floating:
        raise NdcnpInputError(f"{name} must be uint8, uint16 or floating; got {array.dtype}")
    if floating and not np.all(np.isfinite(array)):
        raise NdcnpInputError(f"{name} contains NaN or infinite values")
    implied = 1.0 if floating else DTYPE_RANGES[array.dtype]
    if data_range is None:
        peak = implied
    else:
        peak = float(data_range)
        if not (math.isfinite(peak) and peak > 0):
            raise NdcnpInputError(f"data_range must be a finite number > 0; got {data_range!r}")
    if not floating and peak == implied:
        return array
    if array.min() < 0 or array.max() > peak:
        hint = "; floats on the 0-255 scale need data_range=255" if floating else ""
        raise NdcnpInputError(
            f"{name} has values outside [0, {peak:g}], its data range: "
            f"got [{array.min():g}, {array.max():g}]{hint}"
        )
    if floating and peak == 255.0:
        return array  # already on the metrics' scale: no rounding by a rescale
    return array.astype(np.float64) * (255.0 / peak)


def peak_of(image: NDArray) -> float:
    """Peak value L of an image returned by :func:`check_image`: 65535 for uint16, else 255."""
    return 65535.0 if image.dtype == np.uint16 else 255.0


def check_triplet(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    data_range: float | None = None,
    *,
    min_side: int = 1,
    metric: str = "",
) -> tuple[NDArray, NDArray, NDArray]:
    """Validate the two sources and the fused image: same shape and same data range.

    ``data_range`` as in :func:`check_image`, for all three. If some are grey and some RGB of
    the same size, the RGB ones are converted with :func:`grey` (as the authors' script
    converts each image on its own), and every metric, PSNR included, then works on grey.
    ``min_side``: the smallest height and width ``metric`` is defined on (its window),
    refused below.
    """
    images = tuple(
        check_image(im, name, data_range)
        for im, name in zip((source_a, source_b, fused), IMAGE_NAMES, strict=True)
    )
    if len({im.ndim for im in images}) > 1 and len({im.shape[:2] for im in images}) == 1:
        images = tuple(im if im.ndim == 2 else _grey_keep_dtype(im) for im in images)
    images = check_same(images, IMAGE_NAMES)
    if min(images[0].shape[:2]) < min_side:
        raise NdcnpInputError(
            f"{metric} needs images of at least {min_side} x {min_side} pixels (its window); "
            f"got {images[0].shape[1]} x {images[0].shape[0]}"
        )
    return images  # type: ignore[return-value]


def _grey_keep_dtype(image: NDArray) -> NDArray:
    return rgb2gray(image) if np.issubdtype(image.dtype, np.integer) else grey(image)


def check_same(images: tuple[NDArray, ...], names: tuple[str, ...]) -> tuple[NDArray, ...]:
    """Raise unless all ``images`` share shape and data range."""
    first, first_name = images[0], names[0]
    for image, name in zip(images[1:], names[1:], strict=True):
        if image.shape != first.shape:
            raise NdcnpInputError(
                f"{name} has shape {image.shape} but {first_name} has {first.shape}; "
                "the images must have the same shape"
            )
        if peak_of(image) != peak_of(first):
            raise NdcnpInputError(
                f"{name} is {image.dtype} but {first_name} is {first.dtype}; "
                "mixing 8-bit and 16-bit images is ambiguous"
            )
    return images


def grey(image: NDArray) -> NDArray[np.float64]:
    """Grey levels as float64, converting RGB as MATLAB ``rgb2gray`` does.

    Integer RGB is rounded to the integer type first (MATLAB's ``rgb2gray`` on uint8);
    floating RGB is the unrounded weighted sum (MATLAB's ``rgb2gray`` on double).
    """
    if image.ndim == 2:
        return image.astype(np.float64)
    if np.issubdtype(image.dtype, np.integer):
        return rgb2gray(image).astype(np.float64)
    wr, wg, wb = RGB2GRAY_WEIGHTS
    rgb = image.astype(np.float64)
    return wr * rgb[..., 0] + wg * rgb[..., 1] + wb * rgb[..., 2]


def matlab_round(values: NDArray) -> NDArray[np.float64]:
    """Round half away from zero, as MATLAB ``round`` (NumPy rounds half to even)."""
    whole = np.trunc(values)
    frac = values - whole  # exact in floating point
    return whole + np.where(np.abs(frac) >= 0.5, np.sign(values), 0.0)


def fspecial_gaussian(size: int, sigma: float) -> NDArray[np.float64]:
    """MATLAB ``fspecial('gaussian', size, sigma)``: exp(-r^2/2s^2), tiny values zeroed, sum 1."""
    half = (size - 1) / 2
    x = np.arange(size) - half
    h = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))
    h[h < np.finfo(np.float64).eps * h.max()] = 0
    return h / h.sum()


@lru_cache(maxsize=8)
def _gaussian_1d(size: int, sigma: float) -> NDArray[np.float64]:
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    g /= g.sum()
    g.flags.writeable = False
    return g


def gaussian_same(image: NDArray, size: int, sigma: float, *, border: str) -> NDArray:
    """Filter with the normalised ``size`` x ``size`` Gaussian, 'same' output size.

    Separable: the normalised 2-D Gaussian is the outer product of normalised 1-D ones, so
    this equals correlation with :func:`fspecial_gaussian` (no taps are zeroed for the
    11 x 11, sigma 1.5 window used here; a test proves the equality to rounding).

    Parameters
    ----------
    border : {"replicate", "zero"}
        ``"replicate"`` is MATLAB ``imfilter(..., 'replicate')`` / ``imgaussfilt``;
        ``"zero"`` is MATLAB ``filter2(h, X, 'same')``.
    """
    replicate = {"replicate": True, "zero": False}[border]
    return correlate_separable(image, _gaussian_1d(size, sigma), replicate=replicate)


def correlate_separable(image: NDArray, weights: NDArray, *, replicate: bool) -> NDArray:
    """``ndimage.correlate1d`` along axis 0, then axis 1, for a symmetric odd-length kernel.

    Bit-identical to the two ndimage passes with ``mode="nearest"`` (``replicate``) or
    ``mode="constant", cval=0`` and about three times faster (``_separable_kernel``).
    """
    from fusion.metrics._separable_kernel import separable_same

    return separable_same(
        np.ascontiguousarray(image, dtype=np.float64),
        np.ascontiguousarray(weights, dtype=np.float64),
        replicate,
    )
