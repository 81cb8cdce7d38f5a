"""QCB, the Chen-Blum perceptual metric, as the authors' ``metricChenBlum.m``."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fusion.metrics._common import (
    check_triplet,
    correlate_separable,
    grey,
    matlab_round,
    peak_of,
)

F0, F1, A = 15.3870, 1.3456, 0.7622
"""CSF: ``S(r) = exp(-(r/F0)^2) - A exp(-(r/F1)^2)``."""
SIGMA_1, SIGMA_2 = 2.0, 4.0
HALF_WIDTH = 15
"""The contrast Gaussians are 31 x 31."""
Z = 1e-4
"""Masked contrast ``C' = C^P / (C^Q + Z)`` with P = 3, Q = 2 (the reference's exponents)."""


def normalize255(image: NDArray) -> NDArray[np.float64]:
    """MATLAB ``normalize1``: ``round((x - min) / (max - min) * 255)``; all-zero stays zero."""
    top, bottom = image.max(), image.min()
    if top == 0 and bottom == 0:
        return image.astype(np.float64)
    if image.dtype != np.float64:  # computed in the image's own type, as it always was
        with np.errstate(divide="ignore", invalid="ignore"):
            return matlab_round((image - bottom) / (top - bottom) * 255)
    from fusion.metrics._qcb_kernel import normalise_round

    # The same expression in one pass (qcb's images are float64), the same bits (tested).
    return normalise_round(np.ascontiguousarray(image), float(bottom), float(top - bottom))


@lru_cache(maxsize=4)
def csf_filter(shape: tuple[int, int]) -> NDArray[np.float64]:
    """The CSF, ifftshift-ed so it multiplies ``fft2(I)`` directly.

    ``u, v`` come from MATLAB ``freqspace([rows cols], 'meshgrid')``, scaled by cols/30 and
    rows/30. ``ifftshift(fftshift(X) * S) == X * ifftshift(S)`` exactly.
    """
    rows, cols = shape
    fx = (np.arange(cols) - cols // 2) * (2 / cols) * (cols / 30)
    fy = (np.arange(rows) - rows // 2) * (2 / rows) * (rows / 30)
    r = np.sqrt(fx[None, :] ** 2 + fy[:, None] ** 2)
    s = np.exp(-((r / F0) ** 2)) - A * np.exp(-((r / F1) ** 2))
    s = np.fft.ifftshift(s)
    s.flags.writeable = False
    return s


def _gaussian_unnormalised_1d(sigma: float) -> NDArray[np.float64]:
    # exp(-(x^2+y^2)/2s^2)/(2 pi s^2) = g(x) g(y) with g = exp(-x^2/2s^2)/sqrt(2 pi s^2).
    x = np.arange(-HALF_WIDTH, HALF_WIDTH + 1, dtype=np.float64)
    return np.exp(-(x**2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)


def _filter2_zero(image: NDArray, g: NDArray) -> NDArray:
    # MATLAB filter2(G, X, 'same') for a separable G, zero padding.
    return correlate_separable(image, g, replicate=False)


def masked_contrast(image: NDArray) -> NDArray[np.float64]:
    """``C'`` of one grey image: CSF filtering, band-pass contrast, masking.

    The reference filters the complex ``ifft2(fft2(I) .* S)``. The CSF is real and even
    (``S(-u, -v) = S(u, v)`` exactly, a test checks it) and the image real, so that product
    is Hermitian and the filtered image real: its imaginary part is rounding (below 1e-13 on
    0-255 images). The real inverse transform of the half spectrum computes the real image
    alone, and the contrast filters then run on one real image instead of two.
    """
    import numba

    from fusion.metrics import _fft, _qcb_kernel

    normalised = normalize255(image)
    cols = normalised.shape[1]
    workers = numba.get_num_threads()
    half_csf = csf_filter(normalised.shape)[:, : cols // 2 + 1]
    filtered = _fft.irfft2(_fft.rfft2(normalised, workers) * half_csf, cols, workers)
    # |filter2(G1, X) / filter2(G2, X) - 1| and C^3 / (C^2 + Z) as products (pow was five
    # times slower, and differs by an ulp at most), both filters in one sweep: the NumPy
    # formulas' bits (a test holds them), in about a quarter less time.
    return _qcb_kernel.masked_contrast(
        np.ascontiguousarray(filtered, dtype=np.float64),
        _gaussian_unnormalised_1d(SIGMA_1),
        _gaussian_unnormalised_1d(SIGMA_2),
        Z,
    )


def qcb(
    source_a: ArrayLike,
    source_b: ArrayLike,
    fused: ArrayLike,
    *,
    data_range: float | None = None,
) -> float:
    """QCB of a fusion (Chen and Blum, 2009), the paper's Table 1 column QCB.

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
        ``mean(lambda_A Q_AF + lambda_B Q_BF)`` with ``Q_XF = min(C'_X, C'_F) / max(...)``
        and ``lambda_A = C'_A^2 / (C'_A^2 + C'_B^2)``. Each image is first normalised to
        ``round((x - min) / (max - min) * 255)`` (so a constant non-zero image gives NaN, as
        the reference does).
    """
    # im2double first, as the reference, so the rounding in normalize255 sees the same values.
    a, b, f = (
        grey(im) / peak_of(im) for im in check_triplet(source_a, source_b, fused, data_range)
    )
    from fusion.metrics._qcb_kernel import quality_map

    ca, cb, cf = masked_contrast(a), masked_contrast(b), masked_contrast(f)
    # np.where(ca < cf, ca / cf, cf / ca) and the weighted sum in one pass, the same bits;
    # the mean stays NumPy's (pairwise) sum.
    return float(np.mean(quality_map(ca, cb, cf)))
