"""The 2-D FFTs of QP and QCB: ducc0 when installed, else ``scipy.fft`` (private).

ducc0 is the successor of pocketfft, the library inside ``scipy.fft``, by the same author; its
SIMD code transforms several rows at once along either axis, so a stack of four complex
520 x 520 inverse transforms takes 5.7 ms in place instead of scipy's 9.8-11.3 ms (one core,
AMD Zen 5). It has no planner: the algorithm for a size is fixed, so results do not depend on
timing and a first call pays nothing. Both libraries compute the exact DFT to within a few
units in the last place, so the metrics agree to far below 1e-9 with or without it (a test
holds the two paths together). Install it with the ``fft`` extra (``pip install ndcnp[fft]``);
it is GPL-2.0-or-later, hence optional.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

try:
    import ducc0
except ImportError:  # the scipy.fft fallback below
    ducc0 = None


def _scipy_fft():
    # Imported only where ducc0 is missing: importing scipy.fft takes 0.1 s (it brings in
    # scipy.special and the array-API shims), paid before any worker of ndcnp evaluate starts.
    from scipy import fft

    return fft


def fft2(image: NDArray[np.float64], workers: int) -> NDArray[np.complex128]:
    """Forward 2-D DFT of a real image, unnormalised (``scipy.fft.fft2``)."""
    if ducc0 is None:
        return _scipy_fft().fft2(image, workers=workers)
    return ducc0.fft.c2c(image, axes=(0, 1), forward=True, nthreads=workers)


def ifft2_inplace(stack: NDArray[np.complex128], workers: int) -> None:
    """Inverse 2-D DFT over the last two axes, normalised by 1 / (rows cols) (``ifft2``).

    ``stack`` is C-contiguous complex128 (one image or a stack of them) and is overwritten
    with the result.
    """
    if ducc0 is None:
        stack[...] = _scipy_fft().ifft2(stack, axes=(-2, -1), overwrite_x=True, workers=workers)
        return
    # inorm=2: divide by the product of the transformed lengths, as ifft2.
    axes = (stack.ndim - 2, stack.ndim - 1)
    ducc0.fft.c2c(stack, axes=axes, forward=False, inorm=2, out=stack, nthreads=workers)


def rfft2(image: NDArray[np.float64], workers: int) -> NDArray[np.complex128]:
    """Forward 2-D DFT of a real image, the non-negative last-axis half (``rfft2``)."""
    if ducc0 is None:
        return _scipy_fft().rfft2(image, workers=workers)
    return ducc0.fft.r2c(image, axes=(0, 1), forward=True, nthreads=workers)


def irfft2(half: NDArray[np.complex128], cols: int, workers: int) -> NDArray[np.float64]:
    """Inverse of :func:`rfft2` for an image ``cols`` wide, normalised (``irfft2``)."""
    if ducc0 is None:
        return _scipy_fft().irfft2(half, s=(half.shape[0], cols), workers=workers)
    return ducc0.fft.c2r(half, axes=(0, 1), lastsize=cols, forward=False, inorm=2, nthreads=workers)
