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
    from fusion.metrics._qabf_kernel import sobel

    g, ratio, vertical = sobel(np.ascontiguousarray(image, dtype=np.float64))
    alpha = np.arctan(ratio)
    alpha[vertical] = np.pi / 2
    return g, alpha


def _preservation(g_s: NDArray, a_s: NDArray, g_f: NDArray, a_f: NDArray) -> NDArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(g_s > g_f, g_f / g_s, g_s / g_f)
    # The reference's quirk: where the strengths are equal it sets G = g_F, not 1.
    relative = np.where(g_s == g_f, g_f, ratio)
    orientation = 1 - np.abs(a_s - a_f) / (np.pi / 2)
    q_g = T_G / (1 + np.exp(K_G * (relative - D_G)))
    q_a = T_A / (1 + np.exp(K_A * (orientation - D_A)))
    return q_g * q_a


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
    g_a, al_a = sobel_strength_orientation(a)
    g_b, al_b = sobel_strength_orientation(b)
    g_f, al_f = sobel_strength_orientation(f)
    q_af = _preservation(g_a, al_a, g_f, al_f)
    q_bf = _preservation(g_b, al_b, g_f, al_f)
    denominator = np.sum(g_a + g_b)
    if denominator == 0:
        return float("nan")
    return float(np.sum(q_af * g_a + q_bf * g_b) / denominator)
