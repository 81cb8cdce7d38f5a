"""Synthetic multi-focus pairs with an exact ground-truth focus mask.

The demo and the notebooks need a pair whose correct decision map is known at
every pixel, without downloading data. We take an all-in-focus image, blur it
with a Gaussian of known sigma, and let two complementary regions of the
blurred copy stand for the out-of-focus parts of two sources.
"""

from __future__ import annotations

import numpy as np
from matplotlib import cbook
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from ndtheory.errors import NdcnpInputError


def sample_image() -> NDArray[np.uint8]:
    """Grace Hopper's portrait, as shipped in matplotlib's sample data.

    Returns
    -------
    (600, 512, 3) ndarray of uint8
    """
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
        return np.asarray(im.convert("RGB"))


def focus_mask(shape: tuple[int, int]) -> NDArray[np.bool_]:
    """A smooth, non-convex focus region: a five-lobed blob off the image centre.

    The boundary is the polar curve ``rho(theta) = R (1 + 0.22 sin 5 theta + 0.08
    cos 3 theta)`` around ``(0.45 M, 0.55 N)`` with ``R = 0.3 min(M, N)``, so it has
    concave and convex stretches, and a straight vertical band on the left edge
    adds a second, disjoint focus region.

    Parameters
    ----------
    shape : (int, int)
        ``(M, N)`` of the image.

    Returns
    -------
    (M, N) ndarray of bool
        True where the first source is in focus.
    """
    rows, cols = shape
    if rows < 8 or cols < 8:
        raise NdcnpInputError(f"shape must be at least 8 x 8; got {rows} x {cols}")
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    cy, cx, radius = 0.45 * rows, 0.55 * cols, 0.3 * min(rows, cols)
    theta = np.arctan2(y - cy, x - cx)
    rho = np.hypot(y - cy, x - cx)
    blob = rho < radius * (1 + 0.22 * np.sin(5 * theta) + 0.08 * np.cos(3 * theta))
    band = x < 0.12 * cols
    return blob | band


def multifocus_pair(
    image: NDArray, mask: NDArray[np.bool_], sigma: float = 2.5
) -> tuple[NDArray, NDArray]:
    """Split an all-in-focus image into two complementary defocused sources.

    Parameters
    ----------
    image : (M, N) or (M, N, 3) ndarray of uint8
        The all-in-focus image.
    mask : (M, N) ndarray of bool
        True where source ``a`` is sharp (and ``b`` blurred).
    sigma : float
        Standard deviation, in pixels, of the Gaussian defocus.

    Returns
    -------
    a, b : ndarray of uint8
        ``a`` equals ``image`` where ``mask`` and the blurred image elsewhere;
        ``b`` the other way round.
    """
    if image.shape[:2] != mask.shape:
        raise NdcnpInputError(
            f"mask shape must equal the image's {image.shape[:2]}; got {mask.shape}"
        )
    if not sigma > 0:
        raise NdcnpInputError(f"sigma must be > 0; got {sigma}")
    spread = (sigma, sigma, 0) if image.ndim == 3 else sigma
    blurred = ndimage.gaussian_filter(image.astype(np.float64), spread, mode="nearest")
    blurred = np.clip(np.floor(blurred + 0.5), 0, 255).astype(image.dtype)
    where = mask[..., None] if image.ndim == 3 else mask
    return np.where(where, image, blurred), np.where(where, blurred, image)
