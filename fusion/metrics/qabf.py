"""Qabf, the Xydeas-Petrovic edge-preservation metric, as the authors' ``analysis_Qabf.m``."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.metrics._common import check_triplet, grey

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
"""``h3`` of the reference: response ``Sx``."""
SOBEL_Y = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
"""``h1`` of the reference: response ``Sy``."""

T_G, K_G, D_G = 0.9994, -15.0, 0.5
T_A, K_A, D_A = 0.9879, -22.0, 0.8


def sobel_strength_orientation(image: NDArray) -> tuple[NDArray, NDArray]:
    """Edge strength g and orientation alpha of a grey float image.

    MATLAB ``conv2(image, h, 'same')`` (true convolution, zero padding) with
    :data:`SOBEL_X` and :data:`SOBEL_Y`; ``alpha = atan(Sy / Sx)`` and ``pi/2`` where ``Sx == 0``.
    """
    g, arctan, vertical = _sobel_arctan(image)
    arctan[vertical] = np.pi / 2
    return g, arctan


def _sobel_arctan(image: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    # g, atan(Sy / Sx) (Sy where Sx == 0) and the mask Sx == 0, where alpha is pi/2.
    from fusion.metrics._qabf_kernel import sobel

    g, ratio, vertical = sobel(np.ascontiguousarray(image, dtype=np.float64))
    return g, np.arctan(ratio, out=ratio), vertical


def qabf(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    *,
    data_range: float | None = None,
) -> float:
    """Qabf of a fusion (Xydeas and Petrovic, 2000), the paper's Table 1 column Qabf.

    Parameters
    ----------
    source_a, source_b, fused : ndarray
        Images of one shape, (M, N) grey or (M, N, 3) RGB (converted with MATLAB
        ``rgb2gray``), uint8, uint16 or floating.
    data_range : float, optional
        Peak value L of the images. Default: from the dtype, 255 for uint8, 65535 for
        uint16, 1.0 for floating (values outside [0, 1] are refused; floats on the 0-255
        scale need ``data_range=255``). See :func:`fusion.metrics._common.check_image`.

    Returns
    -------
    float
        ``sum(Q_AF g_A + Q_BF g_B) / sum(g_A + g_B)`` over all pixels, with
        ``Q = 0.9994 / (1 + exp(-15 (G - 0.5))) * 0.9879 / (1 + exp(-22 (A - 0.8)))``.
        Keeps the reference's quirk ``G = g_F`` where ``g_source == g_F``. NaN when no
        source has any edge (0 / 0, as the reference).
    """
    a, b, f = (
        grey(im)
        for im in check_triplet(source_a, source_b, fused, data_range, min_side=3, metric="Qabf")
    )
    from fusion.metrics import _qabf_kernel

    g_a, *alpha_a = _sobel_arctan(a)
    g_b, *alpha_b = _sobel_arctan(b)
    g_f, *alpha_f = _sobel_arctan(f)
    denominator = np.sum(g_a + g_b)
    if denominator == 0:
        return float("nan")
    # Q_XF's formulas (the docstring's) in two numba passes around NumPy's exp: the bits of
    # the NumPy expressions they replace (a test holds them), without a dozen whole-image
    # temporaries; the first sets alpha = pi/2 where Sx == 0 as it reads it.
    e = np.empty((4, *g_f.shape))
    _qabf_kernel.exponents(g_a, *alpha_a, g_b, *alpha_b, g_f, *alpha_f, K_G, D_G, K_A, D_A, e)
    np.exp(e, out=e)
    weighted = _qabf_kernel.weighted_preservation(e, g_a, g_b, T_G, T_A)
    return float(np.sum(weighted) / denominator)
