"""2-D grids of coupled neurons driven by a stimulus image."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ndtheory.errors import NdcnpInputError
from simulate import reference
from simulate.checks import NUMPY_PAD_MODE, check_grid_run, check_stimulus, kernel_offsets
from simulate.printed import PrintedModel

if TYPE_CHECKING:
    from ndtheory.spec import NeuronModel

ENGINES: tuple[str, ...] = ("numba", "reference")
"""Grid engines: the numba kernel (default) and the NumPy reference."""


@dataclass(frozen=True)
class GridResult:
    """What :func:`simulate_grid` returns.

    Attributes
    ----------
    counts : (M, N) int64 ndarray
        Spikes of each neuron over steps ``1..n_steps``.
    traces : dict of str to ndarray
        Empty unless ``record`` was given. Keys: each unit (``U``, ``V``,
        ``T``), ``lhs`` and ``rhs`` (the two sides of the firing condition,
        ``U*(1 + V)`` and ``T`` for ND-CNP) and ``P``. Each has time as its
        first axis, ``t = 0..n_steps`` (``t = 0`` is the initial state), then
        ``(M, N)`` for ``record="all"`` or ``(n_rec,)`` for chosen neurons.
    recorded : (n_rec, 2) int ndarray
        (row, col) of the recorded neurons, in trace order.
    labels : dict of str to str
        ``lhs`` and ``rhs`` as expressions, e.g. ``{"lhs": "U*(V + 1)", "rhs": "T"}``.
    """

    counts: np.ndarray
    traces: dict[str, np.ndarray] = field(default_factory=dict)
    recorded: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    labels: dict[str, str] = field(default_factory=dict)


def _recorded_neurons(record: Any, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray] | None:
    if record is None:
        return None
    if isinstance(record, str):
        if record != "all":
            raise NdcnpInputError(
                f"record must be None, 'all', (row, col) pairs or a mask; got {record!r}"
            )
        rows, cols = np.indices(shape)
        return rows.ravel(), cols.ravel()
    array = np.asarray(record)
    if array.dtype == bool:
        if array.shape != shape:
            raise NdcnpInputError(
                f"record mask must have the stimulus shape {shape}; got {array.shape}"
            )
        rows, cols = np.nonzero(array)
        return rows.astype(np.int64), cols.astype(np.int64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.issubdtype(array.dtype, np.integer):
        raise NdcnpInputError("record must be None, 'all', (row, col) integer pairs or a mask")
    rows, cols = array[:, 0].astype(np.int64), array[:, 1].astype(np.int64)
    if np.any((rows < 0) | (rows >= shape[0]) | (cols < 0) | (cols >= shape[1])):
        raise NdcnpInputError(f"record holds a neuron outside the {shape[0]}x{shape[1]} grid")
    return rows, cols


BLOCK_STEPS: int | None = None
"""Time steps the numba kernel runs per wavefront block; ``None`` picks them from
:data:`CACHE_BYTES` (any value >= 1 gives the same results)."""

CACHE_BYTES = 1 << 20
"""Bytes of a band of rows the wavefront keeps in (L2) cache for a block of steps."""

MIN_BLOCK_STEPS = 8
"""Fewest steps a block must cover to be worth whole-image unit arrays; below it
(wide images) one block runs every step and the units live in a ring of rows."""

STRIP_COLUMNS: int | None = None
"""Widest strip, halos included, of a grid run as :func:`column_strips`; ``None``
picks it from :data:`CACHE_BYTES` (any value gives the same counts)."""


def _border_copies(n: int, pad: int, border: str) -> tuple[np.ndarray, np.ndarray]:
    """For each interior index, the padded indices that copy it (CSR), as numpy.pad draws."""
    if border == "zero":
        return np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
    source = np.pad(np.arange(n), pad, mode=NUMPY_PAD_MODE[border])
    outside = np.r_[0:pad, pad + n : n + 2 * pad].astype(np.int64)
    order = np.argsort(source[outside], kind="stable")
    start = np.searchsorted(source[outside][order], np.arange(n + 1)).astype(np.int64)
    return start, outside[order]


def schedule(
    shape: tuple[int, int], n_steps: int, pad_r: int, border: str, row_bytes: int
) -> tuple[int, int]:
    """Steps per wavefront block and rows of unit state for the numba kernel.

    A band of about ``block*lag`` rows (``lag = pad_r + 1``) must fit in
    :data:`CACHE_BYTES`. When the whole run fits, or no block of
    :data:`MIN_BLOCK_STEPS` does, one block covers every step and the units
    need only a ring of ``(n_steps - 1)*lag + 1`` rows; otherwise whole-image
    units. Periodic borders (and kernels taller than the grid) go step by step.
    """
    M = shape[0]
    lag = pad_r + 1
    if BLOCK_STEPS is not None:
        block = max(1, min(BLOCK_STEPS, max(n_steps, 1)))
    elif border == "periodic" or pad_r >= M:
        block = 1
    else:
        fit = max(1, (CACHE_BYTES // max(row_bytes, 1) - 2 * pad_r) // lag)
        block = n_steps if fit >= n_steps or fit < MIN_BLOCK_STEPS else fit
    if border == "periodic" or pad_r >= M:
        block = 1
    ring = min(M, (n_steps - 1) * lag + 1) if block >= n_steps else M
    return max(block, 1), max(ring, 1)


def column_strips(
    N: int, n_steps: int, pad_r: int, pad_c: int, border: str, col_bytes: int
) -> list[tuple[int, int, int, int]]:
    """Vertical strips the numba kernel runs one at a time: ``(lo, hi, keep_lo, keep_hi)``.

    A row of a wide grid does not fit the cache budget with a block of
    :data:`MIN_BLOCK_STEPS` steps, so the wavefront streams the units from
    memory on every step (1.8 CPU-ns per update at 6000 columns against 0.9 at
    1000). Run instead as strips of at most ``width`` columns (a width whose
    block does fit), each strip ``[lo, hi)`` as a grid of its own, keeping the
    counts of ``[keep_lo, keep_hi)``. The counts kept are exact: a strip's own
    edge reads its neighbours wrongly from step 2 on (their spikes of step 1
    onwards), and a wrong value travels ``pad_c`` columns a step, so after
    ``n_steps`` steps it has reached ``pad_c*(n_steps - 1)`` columns in, the
    ``halo`` each strip carries beyond the columns it keeps (where the strip
    edge is the grid's edge, the border is the grid's own). Strips pay the
    halos' work twice, so they are used only where the halos add at most half
    the kept width; periodic borders (the left edge reads the right) never
    split. One strip ``(0, N, 0, N)`` means the whole grid.
    """
    halo = pad_c * max(n_steps - 1, 0)
    width = STRIP_COLUMNS
    if width is None:  # the widest strip whose row fits a block of MIN_BLOCK_STEPS in cache
        width = CACHE_BYTES // max(col_bytes * (MIN_BLOCK_STEPS * (pad_r + 1) + 2 * pad_r), 1)
    keep = width - 2 * halo
    if border == "periodic" or N <= width or keep < 4 * halo or keep < 1:
        return [(0, N, 0, N)]
    n_strips = -(-N // keep)
    edges = [N * k // n_strips for k in range(n_strips + 1)]
    return [(max(a - halo, 0), min(b + halo, N), a, b) for a, b in itertools.pairwise(edges)]


def _count_type(n_steps: int) -> type:
    # Counts in 16 bits move less memory; a run longer than 65535 steps needs 64.
    return np.uint16 if n_steps <= np.iinfo(np.uint16).max else np.int64


def _column_bytes(printed: PrintedModel, n_steps: int) -> int:
    """Bytes of one neuron's kernel state: its units, stimulus, two spike bytes, count."""
    return 8 * (len(printed.units) + 1) + 2 + np.dtype(_count_type(n_steps)).itemsize


def _run_numba(
    printed: PrintedModel,
    stimulus: np.ndarray,
    kernel: np.ndarray,
    offsets: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: Mapping[str, float],
    n_steps: int,
    border: str,
    rec: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The numba engine: a wide grid without recording runs as :func:`column_strips`."""
    from simulate._kernel import class_kernel

    rows, cols = class_kernel(kernel).shape
    strips = column_strips(
        stimulus.shape[1], n_steps, rows // 2, cols // 2, border, _column_bytes(printed, n_steps)
    )
    if rec is not None or len(strips) == 1:
        counts, traces = _run_kernel(printed, stimulus, kernel, params, n_steps, border, rec)
        return counts.astype(np.int64), traces
    counts = np.empty(stimulus.shape, dtype=np.int64)
    for lo, hi, keep_lo, keep_hi in strips:
        strip = np.ascontiguousarray(stimulus[:, lo:hi])
        part, _ = _run_kernel(printed, strip, kernel, params, n_steps, border, None, ring=True)
        counts[:, keep_lo:keep_hi] = part[:, keep_lo - lo : keep_hi - lo]
    return counts, None


def _run_kernel(
    printed: PrintedModel,
    stimulus: np.ndarray,
    kernel: np.ndarray,
    params: Mapping[str, float],
    n_steps: int,
    border: str,
    rec: tuple[np.ndarray, np.ndarray] | None,
    *,
    ring: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One call of the generated kernel on the whole of ``stimulus``; counts in their
    narrow type (:func:`_count_type`).

    ``ring``: one block over every step with the units in a ring of rows, whatever
    :func:`schedule` would pick. For a strip it is as fast as blocks that fit the
    cache (0.81 against 0.90 CPU-ns per update at 4000x1418, t = 110) and holds 7.5 MB
    of units instead of 136.
    """
    from simulate._kernel import class_kernel, coupling_data, grid_kernel, uses_row_patterns

    kernel = class_kernel(kernel)
    M, N = stimulus.shape
    pad_r, pad_c = kernel.shape[0] // 2, kernel.shape[1] // 2
    padded = (M + 2 * pad_r, N + 2 * pad_c)
    # Where each padded column reads its value: numpy.pad draws the border.
    mode = NUMPY_PAD_MODE[border] if border != "zero" else "edge"
    col_src = np.pad(np.arange(N), pad_c, mode=mode).astype(np.int64)
    copy_start, copy_rows = _border_copies(M, pad_r, border)
    # Spikes as 0/1 bytes move less memory; w * P is the same float64 product as with
    # float spikes, so the counts stay bit-identical.
    count_type = _count_type(n_steps)
    row_bytes = N * _column_bytes(printed, n_steps)
    block, rows = schedule((M, N), n_steps, pad_r, border, row_bytes)
    if ring and BLOCK_STEPS is None and block > 1:
        block, rows = max(n_steps, 1), max(min(M, (n_steps - 1) * (pad_r + 1) + 1), 1)
    rec_i, rec_j = rec if rec is not None else (np.empty(0, np.int64), np.empty(0, np.int64))
    by_row = np.argsort(rec_i, kind="stable")
    rec_start = np.searchsorted(rec_i[by_row], np.arange(M + 1)).astype(np.int64)
    n_traces = len(reference.trace_names(printed))
    traces = np.empty((n_traces, n_steps + 1, rec_i.size))
    counts = np.zeros((M, N), dtype=count_type)
    initial = printed.initial_values(params)
    states = [np.empty((rows, N)) for _ in printed.units]
    constants = printed.constant_values(params)
    scalars = [float(params[p]) for p in printed.parameters]
    scalars += [float(constants[c]) for c in printed.constants]
    # Row patterns (one byte per neuron and row of W) only where K's table is read through them.
    row_patterns = uses_row_patterns(kernel.shape)
    patterns = (M + 2 * pad_r, N) if row_patterns else (1, 1)
    table, term_r, term_c, weights = coupling_data(kernel)
    grid_kernel(printed, kernel.shape)(
        stimulus,
        np.zeros(padded, dtype=np.uint8),
        np.zeros(padded, dtype=np.uint8),
        np.zeros(patterns, dtype=np.uint8),
        np.zeros(patterns, dtype=np.uint8),
        0 if border == "zero" else pad_c,
        col_src,
        copy_start,
        copy_rows,
        pad_r + 1,
        block,
        n_steps,
        rec_start,
        np.ascontiguousarray(rec_j[by_row]),
        by_row.astype(np.int64),
        traces,
        counts,
        table,
        term_r,
        term_c,
        weights,
        pad_r,
        pad_c,
        np.empty(N),
        *states,
        *[float(initial[u]) for u in printed.units],
        *scalars,
    )
    return counts, (traces if rec is not None else None)


def simulate_grid(
    stimulus: Any,
    params: Mapping[str, float],
    W: Any,
    n_steps: int,
    *,
    model: NeuronModel | str = "nd-cnp",
    semantics: str = "decay",
    border: Literal["zero", "reflect", "periodic"] = "zero",
    engine: Literal["numba", "reference"] = "numba",
    record: str | Sequence[tuple[int, int]] | np.ndarray | None = None,
) -> GridResult:
    """Run a 2-D grid of coupled neurons, one per stimulus pixel.

    Every neuron starts from the model's initial state (``U = V = T = P = 0``
    for ND-CNP) and all update synchronously: at step ``t`` each reads only step
    ``t - 1`` values. Its coupling input is

    ``K_ij(t) = sum_ab W[a, b] * P[i + a - r, j + b - c](t - 1)``

    with ``r, c`` the kernel's half-sides (a correlation, as
    :func:`scipy.ndimage.correlate`; orientation matters for asymmetric ``W``).
    The paper's K sums over the *neighbours* of a neuron (Eq. (1) of [1]_); the
    centre weight ``W[r, c]`` is applied as written, i.e. it couples a neuron
    to its own previous spike. Give a zero centre for the paper's model.

    Parameters
    ----------
    stimulus : (M, N) array_like
        External input ``I`` of each neuron, inside the model's input range.
    params : mapping of str to float
        The model's parameters (ND-CNP: ``alpha, beta, gamma, lam``).
    W : (2r + 1, 2c + 1) array_like
        Non-negative coupling weights with odd sides.
    n_steps : int
        Steps to run (the paper's fusion uses 110).
    model : NeuronModel or str, optional
        Any declared model, or a shipped model's name; default ``"nd-cnp"`` (ND-CNP).
        A name is run from its stored print (:func:`simulate.printed.printed_model`),
        without SymPy.
    semantics : {"decay", "decay-on-fire"}, optional
        When the units decay; see :mod:`ndtheory.spec`.
    border : {"zero", "reflect", "periodic"}, optional
        What lies outside the grid when ``K`` is summed::

            zero      0 0 0 | a b c d | 0 0 0     (the paper; MATLAB padarray 0)
            reflect   c b a | a b c d | d c b     (scipy 'reflect', MATLAB 'symmetric')
            periodic  b c d | a b c d | a b c     (scipy 'wrap', MATLAB 'circular')

    engine : {"numba", "reference"}, optional
        The numba kernel (default) or the NumPy reference; their counts and
        traces are bit-identical.
    record : None, "all", (n, 2) int array_like or (M, N) bool array, optional
        Neurons whose traces to keep: none (default), all, the given
        ``(row, col)`` pairs, or a mask.

    Returns
    -------
    GridResult
        Spike counts, and traces when requested.

    Raises
    ------
    NdcnpInputError
        For invalid parameters, stimulus, kernel, steps, or option.

    References
    ----------
    .. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
       Multi-Focus Image Fusion", Eqs. (1)-(3), (7).

    Examples
    --------
    >>> import numpy as np
    >>> from simulate.grid import simulate_grid
    >>> params = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
    >>> W = [[0.1, 0.1, 0.1], [0.1, 0.0, 0.1], [0.1, 0.1, 0.1]]
    >>> simulate_grid(np.full((3, 3), 2.0), params, W, 10).counts
    array([[4, 5, 4],
           [5, 5, 5],
           [4, 5, 4]])

    Corner neurons have three neighbours inside the zero border, edge ones five.
    """
    printed, kernel, steps, border = check_grid_run(model, semantics, W, n_steps, border)
    checked = printed.validate(params)
    image = check_stimulus(stimulus, printed)
    if engine not in ENGINES:
        raise NdcnpInputError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    rec = _recorded_neurons(record, image.shape)
    offsets = kernel_offsets(kernel)
    run = _run_numba if engine == "numba" else reference.run_grid
    counts, traces = run(printed, image, kernel, offsets, checked, steps, border, rec)
    if rec is None:
        return GridResult(counts=counts)
    names = reference.trace_names(printed)
    shaped = {}
    for q, name in enumerate(names):
        values = traces[q]
        if isinstance(record, str):
            values = values.reshape(steps + 1, *image.shape)
        shaped[name] = values
    return GridResult(
        counts=counts,
        traces=shaped,
        recorded=np.stack(rec, axis=1),
        labels={"lhs": printed.fire_lhs_label, "rhs": printed.fire_rhs_label},
    )
