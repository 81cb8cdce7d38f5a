"""Reference decision maps to measure ND-CNPFuse against: box sums of the focus measure, oracle.

Both produce a source index per pixel, as :func:`fusion.decision.choose_sources`, so
:func:`fusion.decision.blend` turns them into fused images.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from fusion.decision import choose_sources
from fusion.metrics import clearly_nearer
from fusion.pipeline import fusion_inputs
from ndtheory.errors import NdcnpInputError


def box_choice(images: Sequence[NDArray], size: int) -> NDArray[np.intp]:
    """Per-pixel choice by a ``size`` x ``size`` box sum of the modified Laplacian.

    The classic sum-modified-Laplacian rule (Nayar and Nakagawa 1994): each source's
    modified Laplacian (:func:`fusion.pipeline.fusion_inputs`, ND-CNPFuse's own input)
    summed over the box, zeros outside the image; the larger sum wins, a tie goes to the later
    source (Eq. (22)'s convention).

    Parameters
    ----------
    images : sequence of ndarray
        Two or more sources of one shape.
    size : int
        Odd box side >= 1.

    Returns
    -------
    (M, N) ndarray of intp
    """
    if size < 1 or size % 2 == 0:
        raise NdcnpInputError(f"the box side must be odd and >= 1; got {size}")
    sums = [uniform_filter(s, size, mode="constant") for s in fusion_inputs(images)]
    return choose_sources(sums)


def oracle_choice(source_a: NDArray, source_b: NDArray, ground_truth: NDArray) -> NDArray[np.intp]:
    """The source nearer the all-in-focus image at each pixel (0 = A); a tie goes to B.

    The best any decision-map fusion of the two sources can do against this ground truth.
    """
    a_nearer, _ = clearly_nearer(source_a, source_b, ground_truth, margin=0.0)
    return np.where(a_nearer, 0, 1).astype(np.intp)
