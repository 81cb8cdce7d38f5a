"""From spike counts to a decision map and a fused image (Eqs. (20)-(22))."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ndtheory.errors import NdcnpInputError


def window_sum(counts: ArrayLike, radius: int) -> NDArray[np.int64]:
    """Sum of spike counts within the coupling radius (Eq. (21)).

    ``F(i, j) = sum of SM(x, y) over |x - i| <= r, |y - j| <= r``: a square
    (2r + 1) x (2r + 1) window, with zeros outside the image (MATLAB
    ``conv2(SM, ones(2r+1), 'same')``). Computed exactly in integers from
    cumulative sums, so the cost does not grow with ``r``.

    Parameters
    ----------
    counts : (M, N) array_like of int
        Spike counts ``SM``.
    radius : int
        Coupling radius ``r`` >= 0.

    Returns
    -------
    (M, N) ndarray of int64
    """
    sm = np.asarray(counts)
    if sm.ndim != 2:
        raise NdcnpInputError(f"counts must be a 2-D array; got shape {sm.shape}")
    if not np.issubdtype(sm.dtype, np.integer):
        raise NdcnpInputError(f"counts must be integers; got {sm.dtype}")
    r = int(radius)
    if r < 0:
        raise NdcnpInputError(f"radius must be >= 0; got {radius}")
    M, N = sm.shape
    c = np.zeros((M + 1, N + 1), dtype=np.int64)
    np.cumsum(np.cumsum(sm, axis=0, dtype=np.int64), axis=1, out=c[1:, 1:])
    top = np.clip(np.arange(M) - r, 0, M)
    bottom = np.clip(np.arange(M) + r + 1, 0, M)
    left = np.clip(np.arange(N) - r, 0, N)
    right = np.clip(np.arange(N) + r + 1, 0, N)
    return (
        c[bottom[:, None], right[None, :]]
        - c[top[:, None], right[None, :]]
        - c[bottom[:, None], left[None, :]]
        + c[top[:, None], left[None, :]]
    )


def choose_sources(window_sums: Sequence[ArrayLike]) -> NDArray[np.intp]:
    """Index of the source chosen at each pixel (Eq. (22), generalised).

    For two sources this is Eq. (22): source 0 (``A``) where ``F_A > F_B``,
    else source 1 (``B``), so a tie goes to ``B``. For more sources the one with
    the largest ``F`` wins and a tie goes to the *last* of the tied sources,
    which reduces to Eq. (22) for two.

    Parameters
    ----------
    window_sums : sequence of (M, N) array_like
        ``F`` of each source, in source order.

    Returns
    -------
    (M, N) ndarray of intp
        The winning source's index.
    """
    stack = np.stack([np.asarray(f) for f in window_sums])
    if stack.shape[0] < 2:
        raise NdcnpInputError(f"choosing a source needs at least two; got {stack.shape[0]}")
    # argmax returns the first maximum; searching the reversed stack makes it the last.
    return (stack.shape[0] - 1 - np.argmax(stack[::-1], axis=0)).astype(np.intp)


def decision_map(window_sums: Sequence[ArrayLike]) -> NDArray[np.uint8]:
    """The two-source decision map ``DM = [F_A > F_B]`` (Eq. (22)), as 0/1."""
    if len(window_sums) != 2:
        raise NdcnpInputError(f"a decision map compares two sources; got {len(window_sums)}")
    return (choose_sources(window_sums) == 0).astype(np.uint8)


def blend(images: Sequence[NDArray], choice: ArrayLike) -> NDArray:
    """Copy each pixel from the chosen source (Eq. (20) on every channel).

    ``F = DM * A + (1 - DM) * B`` with a 0/1 map copies source pixels exactly,
    so the result keeps the sources' dtype.

    Parameters
    ----------
    images : sequence of (M, N) or (M, N, C) ndarray
        Sources of one shape and dtype.
    choice : (M, N) array_like of int
        Source index per pixel, from :func:`choose_sources`.

    Returns
    -------
    ndarray
        Same shape and dtype as each source.
    """
    stack = np.stack(images)
    idx = np.asarray(choice)
    if idx.shape != stack.shape[1:3]:
        raise NdcnpInputError(f"choice has shape {idx.shape}; the images are {stack.shape[1:3]}")
    rows, cols = np.indices(idx.shape)
    return stack[idx, rows, cols]
