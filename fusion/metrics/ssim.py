"""SSIM as MATLAB's built-in ``ssim``, and the two fusion scores built on it.

The authors' ``analysis_ssim.m`` resolves to MATLAB's ``ssim``: an 11 x 11 Gaussian window with
sigma 1.5, replicate borders, 'same' size (no crop), K = (0.01, 0.03), and the mean of the full
map. scikit-image's ``structural_similarity`` crops 5 pixels from every border before averaging,
so it is not the same number (Lytro mean 0.8394 instead of 0.8404); a test shows that the two
maps agree away from the border and that only the crop differs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.metrics._common import (
    check_image,
    check_same,
    check_triplet,
    gaussian_same,
    grey,
    peak_of,
)
from ndtheory.errors import NdcnpInputError

WINDOW_SIZE = 11
SIGMA = 1.5
K1, K2 = 0.01, 0.03

YCBCR_Y_WEIGHTS = (65.481, 128.553, 24.966)
"""MATLAB ``rgb2ycbcr`` luma row, for R', G', B' in [0, 1]; offset 16."""

# The dtypes numba compiles the luma pass for (float16, for one, it does not).
_LUMA_KERNEL_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32))
_LUMA_KERNEL_DTYPES += (np.dtype(np.float64),)


def _local(x: NDArray) -> NDArray:
    return gaussian_same(x, WINDOW_SIZE, SIGMA, border="replicate")


def ssim_map(
    x: NDArray, y: NDArray, data_range: float, *, x_moments: tuple | None = None
) -> NDArray[np.float64]:
    """MATLAB ``ssim(x, y)``'s local map for two float grey images of one shape.

    ``x_moments``: ``(local mean of x, local mean of x^2)`` when already computed (the fused
    image is compared with both sources).
    """
    from fusion.metrics._ssim_kernel import ssim_from_moments

    c1 = (K1 * data_range) ** 2
    c2 = (K2 * data_range) ** 2
    mu_x, local_xx = x_moments if x_moments is not None else (_local(x), _local(x * x))
    return ssim_from_moments(mu_x, _local(y), local_xx, _local(y * y), _local(x * y), c1, c2)


def ssim_index(x: NDArray, y: NDArray, data_range: float) -> float:
    """MATLAB ``ssim(x, y)``: the mean of :func:`ssim_map` over every pixel."""
    return float(np.mean(ssim_map(x, y, data_range)))


def luma(image: NDArray) -> NDArray[np.float64]:
    """MATLAB ``rgb2ycbcr(im2double(rgb))`` luma, on the 0-255 scale: 16 + 65.481 R' + ...

    Not rounded. Grey images are treated as R = G = B. The result is 255 times MATLAB's double
    Y, so SSIM with L = 255 on it equals MATLAB's SSIM with L = 1 on the double Y.
    """
    peak = peak_of(image)
    if image.ndim == 3 and image.dtype in _LUMA_KERNEL_DTYPES:
        from fusion.metrics import _ssim_kernel

        # The expression below in one pass over the pixels, the same bits (a test holds them).
        return _ssim_kernel.luma(np.ascontiguousarray(image), peak, YCBCR_Y_WEIGHTS)
    rgb = image.astype(np.float64) / peak
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    wr, wg, wb = YCBCR_Y_WEIGHTS
    return (16 + wr * rgb[..., 0] + wg * rgb[..., 1] + wb * rgb[..., 2]) * (peak / 255)


def ssim(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    *,
    variant: str = "grey",
    data_range: float | None = None,
) -> float:
    """Fusion SSIM: ``(ssim(F, A) + ssim(F, B)) / 2``.

    Parameters
    ----------
    source_a, source_b, fused : ndarray
        Images of one shape, (M, N) grey or (M, N, 3) RGB, uint8, uint16 or floating.
    variant : {"grey", "luma"}
        ``"grey"``: what the authors' script computes (column ``SSIM``): the images in MATLAB
        ``rgb2gray`` grey. ``"luma"``: the same SSIM on the unrounded ``rgb2ycbcr`` luma Y,
        the best reconstruction found of the paper's Table 1 SSIM (column ``SSIM_Y``; equal
        on Lytro, within 0.0025 on MFFW).
    data_range : float, optional
        Peak value L of the images. Default: from the dtype, 255 for uint8, 65535 for
        uint16, 1.0 for floating (values outside [0, 1] are refused; floats on the 0-255
        scale need ``data_range=255``). See :func:`fusion.metrics._common.check_image`.

    Returns
    -------
    float
    """
    if variant == "grey":
        convert = grey
    elif variant == "luma":
        convert = luma
    else:
        raise NdcnpInputError(f"variant must be 'grey' or 'luma'; got {variant!r}")
    a, b, f = check_triplet(
        source_a, source_b, fused, data_range, min_side=WINDOW_SIZE, metric="SSIM"
    )
    peak = peak_of(f)
    ga, gb, gf = convert(a), convert(b), convert(f)
    moments = (_local(gf), _local(gf * gf))
    index_a = float(np.mean(ssim_map(gf, ga, peak, x_moments=moments)))
    index_b = float(np.mean(ssim_map(gf, gb, peak, x_moments=moments)))
    return (index_a + index_b) / 2


def ssim_reference(
    fused: ArrayLike,
    ground_truth: ArrayLike,
    *,
    variant: str = "grey",
    data_range: float | None = None,
) -> float:
    """SSIM of a fused image against an all-in-focus ground truth (MATLAB ``ssim(F, GT)``).

    ``variant`` and ``data_range`` as in :func:`ssim`.
    """
    f = check_image(fused, "fused", data_range)
    gt = check_image(ground_truth, "ground_truth", data_range)
    check_same((f, gt), ("fused", "ground_truth"))
    if min(f.shape[:2]) < WINDOW_SIZE:
        raise NdcnpInputError(
            f"SSIM needs images of at least {WINDOW_SIZE} x {WINDOW_SIZE} pixels (its window); "
            f"fused is {f.shape[1]} x {f.shape[0]}"
        )
    convert = {"grey": grey, "luma": luma}.get(variant)
    if convert is None:
        raise NdcnpInputError(f"variant must be 'grey' or 'luma'; got {variant!r}")
    return ssim_index(convert(f), convert(gt), peak_of(f))
