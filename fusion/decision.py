"""From spike counts to a decision map and a fused image (Eqs. (20)-(22))."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ndtheory.errors import NdcnpInputError
from simulate.threads import available_threads

WINDOWS = ("diamond", "disk", "square")
"""Readings of Eq. (21)'s "within the coupling radius r": the L1, L2 and L-infinity balls."""


def window_sum(
    counts: ArrayLike,
    radius: int,
    *,
    window: str = "square",
    out: NDArray[np.int64] | None = None,
    rows: tuple[int, int] | None = None,
) -> NDArray[np.int64]:
    """Sum of spike counts within the coupling radius (Eq. (21)).

    ``F(i, j)`` is the sum of ``SM(x, y)`` over the window centred on ``(i, j)``,
    with zeros outside the image:

    ``"square"``
        ``|x - i| <= r`` and ``|y - j| <= r``, a (2r + 1) x (2r + 1) box
        (MATLAB ``conv2(SM, ones(2r+1), 'same')``). Running sums (a column sum
        over the window's rows, then a sum along the row, each updated by one
        entry in and one out), so the cost does not grow with ``r``.
    ``"disk"``
        ``(x - i)^2 + (y - j)^2 <= r^2``, the Euclidean reading of "within the
        radius".
    ``"diamond"``
        ``|x - i| + |y - j| <= r``, the city-block (grid-path) reading: the
        neurons at most ``r`` coupling steps away along rows and columns.

    Each of the disk's or the diamond's 2r + 1 rows is a segment of a row, the
    difference of two of that row's prefix sums, so their cost grows as ``r``
    (in vectorised loops over whole rows). All three are exact in integers and
    need only a few rows of memory beyond the result.

    Parameters
    ----------
    counts : (M, N) array_like of int
        Spike counts ``SM``.
    radius : int
        Coupling radius ``r`` >= 0.
    window : {"square", "disk", "diamond"}
        The window's shape.
    out : (M, N) C-contiguous ndarray of int64, optional
        Where to write the result (a new array if not given); ``(last - first, N)``
        with ``rows``.
    rows : (first, last), optional
        Only the sums centred on rows ``first <= i < last`` (the windows still read
        every row of ``counts`` they reach): a band of a large image costs its own
        rows, not its halo's.

    Returns
    -------
    (M, N) or (last - first, N) ndarray of int64
        ``out`` when given.
    """
    sm = np.asarray(counts)
    if sm.ndim != 2:
        raise NdcnpInputError(f"counts must be a 2-D array; got shape {sm.shape}")
    if not np.issubdtype(sm.dtype, np.integer):
        raise NdcnpInputError(f"counts must be integers; got {sm.dtype}")
    r = int(radius)
    if r < 0:
        raise NdcnpInputError(f"radius must be >= 0; got {radius}")
    from fusion._window_kernel import box_sum, half_widths, segments_sum

    if window not in WINDOWS:
        raise NdcnpInputError(f"window must be one of {', '.join(WINDOWS)}; got {window!r}")
    M, N = sm.shape
    first, last = (0, M) if rows is None else (int(rows[0]), int(rows[1]))
    if not 0 <= first <= last <= M:
        raise NdcnpInputError(f"rows must satisfy 0 <= first <= last <= {M}; got {rows}")
    shape = (last - first, N)
    if out is None:
        out = np.empty(shape, dtype=np.int64)
    elif out.shape != shape or out.dtype != np.int64 or not out.flags.c_contiguous:
        raise NdcnpInputError(f"out must be a C-contiguous int64 array of shape {shape}")
    # Only the rows the windows reach; beyond them the kernels read zeros, as beyond the image.
    top = max(first - r, 0)
    sm = sm[top : min(last + r, M)]
    first -= top
    if sm.dtype == np.uint64:  # numba mixes uint64 with int64 in floats
        sm = sm.astype(np.int64)
    sm = np.ascontiguousarray(sm)
    M = sm.shape[0]
    if window == "square":
        box_sum(sm, r, out, first)
        return out
    # 32-bit prefix sums (twice the SIMD lanes of 64-bit) when no partial sum can overflow them.
    extreme = max(abs(int(sm.max(initial=0))), abs(int(sm.min(initial=0))))
    largest = extreme * max(N, min(M, 2 * r + 1) * min(N, 2 * r + 1))
    dtype = np.int32 if largest < np.iinfo(np.int32).max else np.int64
    ring = np.empty((min(M, 2 * r + 1) + 1, N + 2 * r + 1), dtype=dtype)
    segments_sum(sm, r, half_widths(window, r), ring, out, first)
    return out


def window_sums(
    counts: Sequence[ArrayLike],
    radius: int,
    *,
    window: str = "square",
    threads: int | None = None,
    rows: tuple[int, int] | None = None,
) -> NDArray[np.int64]:
    """:func:`window_sum` of every source's counts, several at a time.

    Parameters
    ----------
    counts : sequence of (M, N) array_like of int
        Spike counts ``SM`` of each source.
    radius, window, rows
        As for :func:`window_sum`.
    threads : int, optional
        Threads (default :func:`simulate.threads.available_threads`).

    Returns
    -------
    (S, M, N) or (S, last - first, N) ndarray of int64
    """
    arrays = [np.asarray(c) for c in counts]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise NdcnpInputError(f"counts differ in shape: {sorted(shapes)}")
    M, N = arrays[0].shape if arrays[0].ndim == 2 else (0, 0)
    first, last = (0, M) if rows is None else rows
    stack = np.empty((len(arrays), max(last - first, 0), N), dtype=np.int64)
    # The window kernels release the GIL: one thread per core, each writing its own slice.
    workers = available_threads() if threads is None else threads
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise NdcnpInputError(f"threads must be a positive integer; got {threads!r}")
    with ThreadPoolExecutor(max_workers=min(workers, len(arrays))) as pool:
        list(
            pool.map(
                lambda k: window_sum(arrays[k], radius, window=window, out=stack[k], rows=rows),
                range(len(arrays)),
            )
        )
    return stack


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
    sums = [np.asarray(f) for f in window_sums]
    if len(sums) < 2:
        raise NdcnpInputError(f"choosing a source needs at least two; got {len(sums)}")
    if len({f.shape for f in sums}) != 1:
        raise NdcnpInputError(f"window sums differ in shape: {sorted({f.shape for f in sums})}")
    # From the last source back, an earlier one takes a pixel only with a strictly larger F,
    # so ties stay with the later source; no stacked copy of the sums.
    choice = np.full(sums[0].shape, len(sums) - 1, dtype=np.intp)
    best = sums[-1]
    for k in range(len(sums) - 2, -1, -1):
        wins = sums[k] > best
        choice[wins] = k
        best = np.where(wins, sums[k], best) if k else best
    return choice


def decision_map(window_sums: Sequence[ArrayLike]) -> NDArray[np.uint8]:
    """The two-source decision map ``DM = [F_A > F_B]`` (Eq. (22)), as 0/1."""
    if len(window_sums) != 2:
        raise NdcnpInputError(f"a decision map compares two sources; got {len(window_sums)}")
    first, second = (np.asarray(f) for f in window_sums)
    if first.shape != second.shape:
        raise NdcnpInputError(f"window sums differ in shape: {first.shape} and {second.shape}")
    # Eq. (22) directly: no stacked copy of the two sums (a tie goes to B, as in choose_sources).
    return (first > second).astype(np.uint8)


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
    idx = np.asarray(choice)
    shapes = {im.shape for im in images}
    if len(shapes) != 1 or len({im.dtype for im in images}) != 1:
        raise NdcnpInputError("the images to blend must share shape and dtype")
    if idx.shape != images[0].shape[:2]:
        raise NdcnpInputError(f"choice has shape {idx.shape}; the images are {images[0].shape[:2]}")
    # Copy source k where it was chosen, one source at a time: no stacked copy of the images.
    out = np.array(images[-1], copy=True)
    for k, image in enumerate(images[:-1]):
        mask = idx == k
        np.copyto(out, image, where=mask if image.ndim == 2 else mask[..., None])
    return out
