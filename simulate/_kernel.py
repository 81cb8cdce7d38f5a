"""The numba grid engine, generated from the printed model (private).

A fixed loop skeleton is filled with the per-neuron step of
:mod:`simulate._step` (the template the CUDA kernel shares), executed, and
compiled with ``numba.njit`` (no ``fastmath``: results must equal the NumPy
reference bit for bit). W is data: its table of K sums, its non-zero weights
and their offsets are array arguments, so there is one compilation per
``(model, semantics, shape class)`` (:func:`shape_class`: every W within 3x3
is one class), not one per W.

For one row ``i`` of one step ``t`` the kernel calls ``_update_row``, a
separate jitted function whose loop over the row LLVM vectorises
(:func:`_row_jit` tells it that its arrays do not overlap):

1. ``K`` is the sum over the non-zero weights of W in the reference's row-major
   order from ``0.0`` (``0.0 + w0*P0 + w1*P1 + ...``, left to right:
   floating-point addition is not associative, so the order is part of
   bit-identity). For a W of at most :data:`PATTERN_MAX_BITS` entries (3x3,
   1x5) it is read from a table of that sum for every spike pattern of the
   window, built from W at run time (:func:`coupling_data`), so the loop has no
   chain of dependent additions. The index is assembled from *row patterns*:
   after each row of a step, one byte per neuron holds the spikes of its
   window's columns as bits (``_pattern_row``), so a neuron reads one byte per
   row of W instead of one per weight, and its own spike is a bit of the index.
   Any other W has the row's K summed into a row buffer first, weight by weight
   over the whole row (``_coupling_row``);
2. the units are updated with the printed step of :mod:`simulate._step`,
   branch-free;
3. the new spike (0/1) goes into a padded buffer whose border is drawn once
   (zero border: never written) and the count is incremented.

Every name the skeleton adds starts with an underscore (``_flat_U``,
``_new_U``, ``_np``, ``_range``), so a model's own names never collide with it.

Two things kept the earlier kernel's update loop from running vectorised
(2.7 CPU-ns per neuron update at 520x520, 3.6 with LLVM's loop vectoriser off):
numba's test for negative (wrap-around) indices on signed column indices, and
the wavefront loop nest around the row loop. Hence flat arrays indexed by
unsigned offsets, and the row loop in its own function (1.7 CPU-ns, 4.3 with the
vectoriser off; ``benchmarks/README.md`` has the commands).

Rows are scheduled as a wavefront over blocks of time steps: row ``i`` of step
``t0 + tt`` runs in sweep ``i + tt*lag`` with ``lag`` greater than the kernel's
row radius. Each row then runs after the rows of the previous step it reads and
before the next-but-one step overwrites the buffer rows the next step still
needs, while a band of ``block*lag`` rows stays in cache for ``block`` steps.
When one block spans every step, a row's units are alive only from its first
sweep to its last, ``(n_steps - 1)*lag`` sweeps later, so they can be kept in a
ring of rows (row ``i`` in ring row ``i % ring``) instead of whole images.
Periodic borders (the top rows read the bottom rows) run step by step.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np

from simulate._step import coupling_table, coupling_term, indent, initial_lines, step_lines
from simulate.checks import kernel_offsets
from simulate.printed import PrintedModel, cache_dir

_ROW_TEMPLATE = """
@_row_jit
def _update_row(_S_old1, _K_row, _table, _P_new1, _I1, _C1, {flat_args}_bs, _bi, _offsets, _N,
                {scalars}):
    _op = _offsets[0]
{load_offsets}
    for _jj in _range(_N):
        _j = _np.uint64(_jj)
{neighbourhood}
        I = _I1[_bi + _j]
{step}
        _P_new1[_op + _j] = _np.uint8(_fired)
        _C1[_bi + _j] += _np.uint16(_fired)
"""

_COUPLING_ROW = """
@_row_jit
def _coupling_row(_P_old1, _K_row, _weights, _offsets, _N):
    for _jj in _range(_N):
        _K_row[_np.uint64(_jj)] = 0.0
    for _k in _range(_weights.shape[0]):
        _o = _offsets[1 + _k]
        _w = _weights[_k]
        for _jj in _range(_N):
            _j = _np.uint64(_jj)
            _K_row[_j] = {term}
"""

_PATTERN_ROW = """
@_row_jit
def _pattern_row(_P1, _H1, _ps, _hs, _N):
    for _jj in _range(_N):
        _j = _np.uint64(_jj)
        _H1[_hs + _j] = {pattern}
"""

_TEMPLATE = """
def _grid_kernel(_stimulus, _P_a, _P_b, _H_a, _H_b, _col_pad, _col_src, _copy_start, _copy_rows,
                 _lag, _block, _n_steps, _rec_start, _rec_col, _rec_slot, _traces, _counts,
                 _table, _term_r, _term_c, _weights, _pad_r, _pad_c, _K_row,
                 {states}{initial}{scalars}):
    _M, _N = _stimulus.shape
    _Np = _P_a.shape[1]
    _ring = {first_state}.shape[0]
    _offsets = _np.empty(_weights.shape[0] + 2 * _pad_r + 2, dtype=_np.uint64)
    # Flat views indexed by unsigned offsets: no wrap-around test, so the row loop vectorises.
    _Pa1 = _P_a.reshape(-1)
    _Pb1 = _P_b.reshape(-1)
    _Ha1 = _H_a.reshape(-1)
    _Hb1 = _H_b.reshape(-1)
    _I1 = _stimulus.reshape(-1)
    _C1 = _counts.reshape(-1)
{flat_states}
    for _i in _range(_M):
        for _q in _range(_rec_start[_i], _rec_start[_i + 1]):
            _j = _rec_col[_q]
            _slot = _rec_slot[_q]
{load_rec0}
            P = 0.0
{store_rec0}
    _t0 = 1
    while _t0 <= _n_steps:
        _nb = _min(_block, _n_steps - _t0 + 1)
        for _s in _range(_M + (_nb - 1) * _lag):
            for _tt in _range(_nb):
                _i = _s - _tt * _lag
                if _i < 0:
                    break
                if _i >= _M:
                    continue
                _t = _t0 + _tt
                if _t % 2 == 1:
                    _P_old1 = _Pa1
                    _P_new1 = _Pb1
                    _P_new = _P_b
                    _H_old1 = _Ha1
                    _H_new1 = _Hb1
                    _H_new = _H_b
                else:
                    _P_old1 = _Pb1
                    _P_new1 = _Pa1
                    _P_new = _P_a
                    _H_old1 = _Hb1
                    _H_new1 = _Ha1
                    _H_new = _H_a
                _r = _i % _ring
                _bs = _np.uint64(_r * _N)
                _bi = _np.uint64(_i * _N)
                if _t == 1:
                    for _jj in _range(_N):
                        _j = _np.uint64(_jj)
{init_row}
                _offsets[0] = _np.uint64((_i + _pad_r) * _Np + _pad_c)
{coupling}
                _update_row({source}, _K_row, _table, _P_new1, _I1, _C1, {flat_args}_bs, _bi,
                            _offsets, _N, {scalars})
                _pr = _i + _pad_r
                for _b in _range(_col_pad):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + _pad_c]
                for _b in _range(_Np - _col_pad, _Np):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + _pad_c]
{make_pattern}
                for _m in _range(_copy_start[_i], _copy_start[_i + 1]):
                    _P_new[_copy_rows[_m], :] = _P_new[_pr, :]
{copy_pattern}
                for _q in _range(_rec_start[_i], _rec_start[_i + 1]):
                    _j = _rec_col[_q]
                    _slot = _rec_slot[_q]
{load_rec5}
                    P = _P_new[_i + _pad_r, _j + _pad_c]
{store_rec}
        _t0 += _nb
"""

PATTERN_MAX_BITS = 9
"""Largest W (rows x columns, zeros included) whose K is read through row patterns."""


def uses_row_patterns(shape: tuple[int, ...]) -> bool:
    """Whether a W of ``shape`` has K read from its table by row patterns (module docstring)."""
    rows, cols = shape
    return rows * cols <= PATTERN_MAX_BITS and cols <= 8


def shape_class(shape: tuple[int, ...]) -> tuple[int, int] | None:
    """What one compiled kernel covers: every W that fits in 3x3, W of one other shape read
    through row patterns (1x5, 7x1, ...), or every other W (``None``)."""
    if shape[0] <= 3 and shape[1] <= 3:
        return (3, 3)
    return (int(shape[0]), int(shape[1])) if uses_row_patterns(shape) else None


def class_kernel(kernel: np.ndarray) -> np.ndarray:
    """W with zero weights around it up to its shape class's shape (1x3 -> 3x3).

    Zero weights add nothing to K (they have no bit in the table), so the
    counts are those of W; a 1x1, 1x3 or 3x1 W then needs no compilation of
    its own.
    """
    target = shape_class(kernel.shape)
    if target is None or target == kernel.shape:
        return kernel
    dr, dc = (target[0] - kernel.shape[0]) // 2, (target[1] - kernel.shape[1]) // 2
    return np.pad(kernel, ((dr, dr), (dc, dc)))


def coupling_data(
    kernel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W as the kernel's array arguments: K's table, and the non-zero weights with their offsets.

    For a row-pattern W, bit ``a*cols + c`` of the table's index is the spike
    under ``W[a, c]`` (:func:`simulate._step.coupling_table` over the
    non-zero weights in row-major order); other W read no table.
    """
    rows, cols, weights = kernel_offsets(kernel)
    if uses_row_patterns(kernel.shape):
        width = kernel.shape[1]
        bits = [int(a * width + c) for a, c in zip(rows, cols, strict=True)]
        table = coupling_table(weights, bits, kernel.size)
    else:
        table = np.zeros(1)
    return table, rows, cols, weights


def _coupling(shape: tuple[int, int] | None) -> tuple[list[str], list[str], list[str], str]:
    """How a row reads K: kernel lines before the update, its loads and loop lines, helpers.

    Row patterns (one byte per row of W holds its spikes as bits) index the
    table inside the update loop, which also takes the neuron's own spike from
    the index; any other W is summed into ``_K_row`` first, term by term over
    the whole row.
    """
    if shape is None:
        lines = [
            "for _k in _range(_weights.shape[0]):",
            "    _offsets[1 + _k] = _np.uint64((_i + _term_r[_k]) * _Np + _term_c[_k])",
            "_coupling_row(_P_old1, _K_row, _weights, _offsets, _N)",
        ]
        term = coupling_term("_K_row[_j]", "_w", "_P_old1[_o + _j]")
        loop = ["K = _K_row[_j]", "P = _S_old1[_op + _j]"]
        return lines, [], loop, _COUPLING_ROW.format(term=term)
    height, width = shape
    lines = [
        "for _a in _range(2 * _pad_r + 1):",
        "    _offsets[1 + _a] = _np.uint64((_i + _a) * _N)",
    ]
    loads = [f"_o{a} = _offsets[{1 + a}]" for a in range(height)]
    index = " | ".join(
        f"(_np.uint32(_S_old1[_o{a} + _j]) << _np.uint32({a * width}))" for a in range(height)
    )
    centre = (height // 2) * width + width // 2
    loop = [
        f"_m = {index}",
        "K = _table[_m]",
        f"P = (_m >> _np.uint32({centre})) & _np.uint32(1)",
    ]
    pattern = " | ".join(
        f"(_P1[_ps + _j + _np.uint64({c})] << _np.uint8({c}))" for c in range(width)
    )
    return lines, loads, loop, _PATTERN_ROW.format(pattern=pattern)


def kernel_source(printed: PrintedModel, shape: tuple[int, int] | None) -> str:
    """The Python source of the grid kernel for one printed model and one shape class.

    ``shape`` is :func:`shape_class` of W: W's values are the kernel's arguments.
    """
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    lhs, rhs = f"({printed.fire_lhs})", f"({printed.fire_rhs})"
    coupling, loads, neighbourhood, helpers = _coupling(shape)

    def record(t: str, level: int) -> str:
        values = [*units, lhs, rhs, "P"]
        return indent([f"_traces[{k}, {t}, _slot] = {v}" for k, v in enumerate(values)], level)

    def flat(k: int, u: str) -> str:
        return f"_flat_{u}[_bs + _j]"

    common = {
        "flat_args": "".join(f"_flat_{u}, " for u in units),
        "scalars": ", ".join(scalars),
    }
    row = _ROW_TEMPLATE.format(
        **common,
        load_offsets=indent(loads, 1),
        neighbourhood=indent(neighbourhood, 2),
        step=indent(step_lines(printed, load=flat, store=flat), 2),
    )
    make_pattern = copy_pattern = ""
    if shape is not None:
        # The new row's patterns, once its border columns hold their copies.
        make_pattern = indent(
            ["_pattern_row(_P_new1, _H_new1, _np.uint64(_pr * _Np), _np.uint64(_pr * _N), _N)"], 4
        )
        copy_pattern = indent(["_H_new[_copy_rows[_m], :] = _H_new[_pr, :]"], 5)
    return (
        row
        + helpers
        + _TEMPLATE.format(
            **common,
            coupling=indent(coupling, 4),
            source="_P_old1" if shape is None else "_H_old1",
            make_pattern=make_pattern,
            copy_pattern=copy_pattern,
            states="".join(f"_state_{u}, " for u in units),
            initial="".join(f"_init_{u}, " for u in units),
            first_state=f"_state_{units[0]}",
            flat_states=indent([f"_flat_{u} = _state_{u}.reshape(-1)" for u in units], 1),
            load_rec0=indent([f"{u} = _init_{u}" for u in units], 3),
            load_rec5=indent([f"{u} = _state_{u}[_r, _j]" for u in units], 5),
            store_rec0=record("0", 3),
            store_rec=record("_t", 5),
            init_row=indent(
                initial_lines(printed, store=flat, initial=lambda k, u: f"_init_{u}"), 6
            ),
        )
    )


def _row_jit(function: Callable[..., None]) -> Callable[..., None]:
    """``numba.njit`` for a row helper, telling LLVM that its arrays do not overlap.

    Every array a row helper gets is a buffer of its own, but numba says nothing
    about aliasing, and LLVM cannot vectorise a loop that loads through an
    index it computes (``_table[_m]``) while it stores into other arrays that
    might overlap the table. ``noalias`` on the arguments lets it: at 520x520
    the kernel cost 1.6 CPU-ns per update without it, 1.05 with it, as much as
    with the table a constant of the source (``benchmarks/bench_simulate_grid.py``).
    numba has no public switch for
    it; where its compiler lacks the hook, the helper compiles without it,
    slower but with the same results.
    """
    dispatcher = numba.njit(nogil=True, boundscheck=False)(function)
    compiler = getattr(dispatcher, "_compiler", None)
    if compiler is not None and hasattr(compiler, "_customize_flags"):

        def customize(flags: Any) -> Any:
            flags.noalias = True
            return flags

        compiler._customize_flags = customize
    return dispatcher


@numba.njit(inline="always")
def _select(condition: bool, a: float, b: float) -> float:
    return a if condition else b


_PRELUDE = """\
# Generated by simulate._kernel from a NeuronModel declaration; do not edit.
import builtins as _builtins
import math as _math

import numba as _numba
import numpy as _np

from simulate._kernel import _row_jit
from simulate._kernel import _select as where

_range = _builtins.range
_min = _builtins.min
power = _math.pow
exp = _math.exp
log = _math.log
sqrt = _math.sqrt
tanh = _math.tanh
Abs = _builtins.abs
Min = _builtins.min
Max = _builtins.max
"""
"""What the printed names mean inside numba (scalar counterparts of
:data:`simulate.codegen.NUMPY_NAMESPACE`); the builtins the skeleton uses go by
underscored names, so that no model name can shadow them."""


def kernel_module_source(printed: PrintedModel, shape: tuple[int, int] | None) -> str:
    """The complete module that defines ``_grid_kernel`` for ``printed`` and a shape class."""
    return _PRELUDE + kernel_source(printed, shape)


def _load(source: str, directory: Path | None) -> tuple[Callable[..., None], bool]:
    """``_grid_kernel`` from ``source``: from a file in ``directory`` when there is one
    (so numba can cache its machine code), else executed in memory."""
    digest = hashlib.sha256(f"{numba.__version__}\n{source}".encode()).hexdigest()[:20]
    name = f"ndcnp_grid_kernel_{digest}"
    if directory is not None:
        path = directory / f"{name}.py"
        try:
            if not path.exists() or path.read_text() != source:
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".py", dir=directory)
                with os.fdopen(fd, "w") as handle:
                    handle.write(source)
                os.replace(tmp, path)
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            # numba's cache re-imports the module by name when it loads machine code.
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module._grid_kernel, True
        except OSError:
            pass
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace["_grid_kernel"], False


@functools.cache
def _compiled_source(source: str) -> Callable:
    function, from_file = _load(source, cache_dir())
    return numba.njit(cache=from_file, fastmath=False, nogil=True, boundscheck=False)(function)


@functools.cache
def _compiled(printed: PrintedModel, shape: tuple[int, int] | None) -> Callable:
    # By source: a model printed now and the same model read from its stored print
    # (simulate.printed) are two objects with one kernel.
    return _compiled_source(kernel_module_source(printed, shape))


def grid_kernel(printed: PrintedModel, shape: tuple[int, ...]) -> Callable[..., None]:
    """The compiled kernel for ``printed`` and any W of ``shape``.

    Built on first use and cached per ``(printed, shape_class(shape))``: W's
    values are arguments (:func:`coupling_data`), so a new W of a known shape
    compiles nothing. The generated module is written to :func:`cache_dir`
    (named by a hash of its source and the numba version) so that numba's
    on-disk cache spares later processes the compilation; without a writable
    cache it runs from memory.
    """
    return _compiled(printed, shape_class(shape))
