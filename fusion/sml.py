"""The per-pixel modified Laplacian, the external input of ND-CNPFuse."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ndtheory.errors import NdcnpInputError


def modified_laplacian(grey: ArrayLike) -> NDArray[np.float64]:
    """Per-pixel modified Laplacian, as the authors' ``SML.m`` computes it.

    ``ML(i, j) = |2x - x_up - x_down| + |2x - x_left - x_right|`` with the border
    rows and columns replicated. The paper calls its input "SML" (Sec. 4.2 (a));
    the authors' code sums no window, so no window is summed here either.

    Parameters
    ----------
    grey : (M, N) array_like
        Grey image, typically scaled to [0, 1] (MATLAB ``im2double``).

    Returns
    -------
    (M, N) ndarray of float64
        The modified Laplacian, >= 0.
    """
    x = np.asarray(grey, dtype=np.float64)
    if x.ndim != 2:
        raise NdcnpInputError(f"the modified Laplacian needs a 2-D grey image; got shape {x.shape}")
    p = np.pad(x, 1, mode="edge")
    vertical = np.abs(2 * x - p[:-2, 1:-1] - p[2:, 1:-1])
    horizontal = np.abs(2 * x - p[1:-1, :-2] - p[1:-1, 2:])
    return vertical + horizontal
