"""The numba grid engine, generated from the printed model and W (private).

A fixed loop skeleton is filled with the update source of
:func:`simulate.codegen.print_model` and the weights of W, executed, and
compiled with ``numba.njit`` (no ``fastmath``: results must equal the NumPy
reference bit for bit). Compiled kernels are cached per ``(model, semantics, W)``.

For one row ``i`` of one step ``t`` the kernel calls ``_update_row``, a
separate jitted function whose loop over the row LLVM vectorises:

1. ``K`` is the sum over the non-zero weights of W in the reference's row-major
   order from ``0.0`` (``0.0 + w0*P0 + w1*P1 + ...``, left to right:
   floating-point addition is not associative, so the order is part of
   bit-identity). It is read from a table of that sum for every spike pattern
   (the loop loses its chain of dependent additions: 1.44 against 1.67 CPU-ns
   per update at 520x520, ``benchmarks/bench_simulate_grid.py``). For a W of at
   most :data:`PATTERN_MAX_BITS` entries (3x3, 1x5) the index is assembled
   from *row patterns*: after each row of a step, one byte per neuron holds the
   spikes of its window's columns as bits (``_pattern_row``), so a neuron reads
   one byte per row of W instead of one per weight (1.2 against 1.4 CPU-ns per
   update at 520x520). Other W up to :data:`TABLE_MAX_TERMS` non-zero weights
   index the table by the neighbours' spike bits; beyond, the sum is written
   out with the weights as literals;
2. the units are updated with the printed expressions, branch-free;
3. the new spike (0/1) goes into a padded buffer whose border is drawn once
   (zero border: never written) and the count is incremented.

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

from simulate.checks import kernel_offsets
from simulate.codegen import PrintedModel

_ROW_TEMPLATE = """
@numba.njit(nogil=True, boundscheck=False)
def _update_row(_S_old1, _P_new1, _I1, _C1, {flat_args}_bs, _bi, _offsets, _N, {scalars}):
{load_offsets}
    _op = _offsets[{n_offsets}]
    for _jj in range(_N):
        _j = np.uint64(_jj)
{neighbourhood}
        I = _I1[_bi + _j]
{load}
{update}
{store}
        _fired = ({lhs}) {op} ({rhs})
        _P_new1[_op + _j] = np.uint8(_fired)
        _C1[_bi + _j] += np.uint16(_fired)
{pattern_row}"""

_PATTERN_ROW = """
@numba.njit(nogil=True, boundscheck=False)
def _pattern_row(_P1, _H1, _ps, _hs, _N):
    for _jj in range(_N):
        _j = np.uint64(_jj)
        _H1[_hs + _j] = {pattern}
"""

_TEMPLATE = """
def grid_kernel(_stimulus, _P_a, _P_b, _H_a, _H_b, _col_pad, _col_src, _copy_start, _copy_rows,
                _lag, _block, _n_steps, _rec_start, _rec_col, _rec_slot, _traces, _counts,
                {states}{initial}{scalars}):
    _M, _N = _stimulus.shape
    _Np = _P_a.shape[1]
    _ring = {first_state}.shape[0]
    _offsets = np.empty({n_offsets} + 1, dtype=np.uint64)
    # Flat views indexed by unsigned offsets: no wrap-around test, so the row loop vectorises.
    _Pa1 = _P_a.reshape(-1)
    _Pb1 = _P_b.reshape(-1)
    _Ha1 = _H_a.reshape(-1)
    _Hb1 = _H_b.reshape(-1)
    _I1 = _stimulus.reshape(-1)
    _C1 = _counts.reshape(-1)
{flat_states}
    for _i in range(_M):
        for _q in range(_rec_start[_i], _rec_start[_i + 1]):
            _j = _rec_col[_q]
            _slot = _rec_slot[_q]
{load_rec0}
            P = 0.0
{store_rec0}
    _t0 = 1
    while _t0 <= _n_steps:
        _nb = min(_block, _n_steps - _t0 + 1)
        for _s in range(_M + (_nb - 1) * _lag):
            for _tt in range(_nb):
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
                _bs = np.uint64(_r * _N)
                _bi = np.uint64(_i * _N)
                if _t == 1:
                    for _jj in range(_N):
                        _j = np.uint64(_jj)
{init_row}
{term_offsets}
                _update_row({source}, _P_new1, _I1, _C1, {flat_args}_bs, _bi, _offsets, _N,
                            {scalars})
                _pr = _i + {pad_r}
                for _b in range(_col_pad):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + {pad_c}]
                for _b in range(_Np - _col_pad, _Np):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + {pad_c}]
{make_pattern}
                for _m in range(_copy_start[_i], _copy_start[_i + 1]):
                    _P_new[_copy_rows[_m], :] = _P_new[_pr, :]
{copy_pattern}
                for _q in range(_rec_start[_i], _rec_start[_i + 1]):
                    _j = _rec_col[_q]
                    _slot = _rec_slot[_q]
{load_rec5}
                    P = _P_new[_i + {pad_r}, _j + {pad_c}]
{store_rec}
        _t0 += _nb
"""


def _indent(lines: list[str], level: int) -> str:
    return "\n".join(" " * (4 * level) + line for line in lines)


TABLE_MAX_TERMS = 10
"""Most non-zero weights for which K is read from a table (2**10 float64 = 8 KB)."""

PATTERN_MAX_BITS = 9
"""Largest W (rows x columns, zeros included) whose K is read through row patterns."""


def uses_row_patterns(kernel: np.ndarray) -> bool:
    """Whether the kernel for W indexes K's table by row patterns (see the module docstring)."""
    rows, cols = kernel.shape
    return rows * cols <= PATTERN_MAX_BITS and cols <= 8 and bool(np.any(kernel))


def coupling_table(
    weights: np.ndarray, bits: list[int] | None = None, n_bits: int | None = None
) -> list[float]:
    """K for every spike pattern of the neighbours, summed as the reference sums it.

    Entry ``m`` (``0 <= m < 2**n_bits``; by default one bit per weight) has
    neighbour ``k`` firing when bit ``bits[k]`` (default ``k``) of ``m`` is set,
    and is ``((0.0 + w0*P0) + w1*P1) + ...`` in Python floats, the same IEEE
    double operations in the same order as :func:`simulate.reference.coupling_input`.
    Bits that no weight names (zero weights of a row pattern) leave ``K`` alone,
    but the table has an entry for every pattern the index can take.
    """
    bits = list(range(len(weights))) if bits is None else bits
    n_bits = len(weights) if n_bits is None else n_bits
    table = []
    for m in range(2**n_bits):
        total = 0.0
        for b, w in zip(bits, weights, strict=True):
            total = total + float(w) * float((m >> b) & 1)
        table.append(total)
    return table


def _neighbourhood(
    kernel: np.ndarray, weights: np.ndarray
) -> tuple[list[str], list[str], str, list[float] | None]:
    """How the row loop reads the neighbours: offsets, loop lines, pattern, K table.

    Three forms, fastest first: a table indexed by the row patterns of the
    window (one byte per row of W holds its spikes as bits), a table indexed by
    the spike bits of the non-zero weights, or the sum written out.
    """
    rows, cols, _ = kernel_offsets(kernel)
    pad_r, pad_c = kernel.shape[0] // 2, kernel.shape[1] // 2
    width = kernel.shape[1]
    if uses_row_patterns(kernel):
        offsets = [f"_offsets[{a}] = np.uint64((_i + {a}) * _N)" for a in range(kernel.shape[0])]
        offsets.append(f"_offsets[{len(offsets)}] = np.uint64((_i + {pad_r}) * _Np + {pad_c})")
        index = " | ".join(
            f"(np.uint32(_S_old1[_o{a} + _j]) << np.uint32({a * width}))"
            for a in range(kernel.shape[0])
        )
        centre = pad_r * width + pad_c
        lines = [
            f"_m = {index}",
            "K = _K_TABLE[_m]",
            f"P = (_m >> np.uint32({centre})) & np.uint32(1)",
        ]
        pattern = " | ".join(
            f"(_P1[_ps + _j + np.uint64({c})] << np.uint8({c}))" for c in range(width)
        )
        bits = [int(a * width + c) for a, c in zip(rows, cols, strict=True)]
        return offsets, lines, pattern, coupling_table(weights, bits, kernel.size)
    offsets = [
        f"_offsets[{k}] = np.uint64((_i + {a}) * _Np + {b})"
        for k, (a, b) in enumerate(zip([*rows, pad_r], [*cols, pad_c], strict=True))
    ]
    terms = [f"{float(w)!r} * _S_old1[_o{k} + _j]" for k, w in enumerate(weights)]
    if 0 < len(terms) <= TABLE_MAX_TERMS:
        bits = [f"(np.uint32(_S_old1[_o{k} + _j]) << np.uint32({k}))" for k in range(len(terms))]
        coupling, table = "_K_TABLE[" + " | ".join(bits) + "]", coupling_table(weights)
    else:
        coupling, table = " + ".join(["0.0", *terms]), None
    return offsets, [f"K = {coupling}", "P = _S_old1[_op + _j]"], "", table


def kernel_source(printed: PrintedModel, kernel: np.ndarray) -> str:
    """The Python source of the grid kernel for one printed model and one W."""
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    lhs, rhs = f"({printed.fire_lhs})", f"({printed.fire_rhs})"
    pad_r, pad_c = kernel.shape[0] // 2, kernel.shape[1] // 2
    weights = kernel_offsets(kernel)[2]
    term_offsets, neighbourhood, pattern, table_values = _neighbourhood(kernel, weights)
    patterns = bool(pattern)

    def record(t: str, level: int) -> str:
        values = [*units, lhs, rhs, "P"]
        return _indent([f"_traces[{k}, {t}, _slot] = {v}" for k, v in enumerate(values)], level)

    common = {
        "flat_args": "".join(f"flat_{u}, " for u in units),
        "scalars": ", ".join(scalars),
    }
    n_offsets = len(term_offsets) - 1
    row = _ROW_TEMPLATE.format(
        **common,
        n_offsets=n_offsets,
        load_offsets=_indent([f"_o{k} = _offsets[{k}]" for k in range(n_offsets)], 1),
        neighbourhood=_indent(neighbourhood, 2),
        load=_indent([f"{u} = flat_{u}[_bs + _j]" for u in units], 2),
        # Synchronous update: every new value from step t - 1, then commit.
        update=_indent(
            [f"new_{u} = {printed.updates[u]}" for u in units] + [f"{u} = new_{u}" for u in units],
            2,
        ),
        store=_indent([f"flat_{u}[_bs + _j] = {u}" for u in units], 2),
        lhs=printed.fire_lhs,
        op=printed.fire_op,
        rhs=printed.fire_rhs,
        pattern_row=_PATTERN_ROW.format(pattern=pattern) if patterns else "",
    )
    table = ""
    if table_values is not None:
        values = ", ".join(repr(v) for v in table_values)
        table = f"\n_K_TABLE = np.array([{values}])\n"
    make_pattern = copy_pattern = ""
    if patterns:
        # The new row's patterns, once its border columns hold their copies.
        make_pattern = _indent(
            ["_pattern_row(_P_new1, _H_new1, np.uint64(_pr * _Np), np.uint64(_pr * _N), _N)"], 4
        )
        copy_pattern = _indent(["_H_new[_copy_rows[_m], :] = _H_new[_pr, :]"], 5)
    return (
        table
        + row
        + _TEMPLATE.format(
            **common,
            source="_H_old1" if patterns else "_P_old1",
            make_pattern=make_pattern,
            copy_pattern=copy_pattern,
            states="".join(f"state_{u}, " for u in units),
            initial="".join(f"init_{u}, " for u in units),
            first_state=f"state_{units[0]}",
            flat_states=_indent([f"flat_{u} = state_{u}.reshape(-1)" for u in units], 1),
            n_offsets=n_offsets,
            term_offsets=_indent(term_offsets, 4),
            load_rec0=_indent([f"{u} = init_{u}" for u in units], 3),
            load_rec5=_indent([f"{u} = state_{u}[_r, _j]" for u in units], 5),
            store_rec0=record("0", 3),
            store_rec=record("_t", 5),
            init_row=_indent([f"flat_{u}[_bs + _j] = init_{u}" for u in units], 6),
            pad_r=pad_r,
            pad_c=pad_c,
        )
    )


@numba.njit(inline="always")
def _select(condition: bool, a: float, b: float) -> float:
    return a if condition else b


_PRELUDE = """\
# Generated by simulate._kernel from a NeuronModel declaration; do not edit.
import math

import numba
import numpy as np

from simulate._kernel import _select as where

power = math.pow
exp = math.exp
log = math.log
sqrt = math.sqrt
tanh = math.tanh
Abs = abs
Min = min
Max = max
"""
"""What the printed names mean inside numba (scalar counterparts of
:data:`simulate.codegen.NUMPY_NAMESPACE`)."""


def cache_dir() -> Path | None:
    """Where generated kernel modules and numba's compiled code are kept.

    ``NDCNP_KERNEL_CACHE`` if set, else ``$XDG_CACHE_HOME/ndcnp/kernels`` (default
    ``~/.cache/ndcnp/kernels``); ``None`` if it cannot be created or written.
    """
    root = os.environ.get("NDCNP_KERNEL_CACHE")
    path = (
        Path(root)
        if root
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ndcnp" / "kernels"
    )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def kernel_module_source(printed: PrintedModel, kernel: np.ndarray) -> str:
    """The complete module that defines ``grid_kernel`` for ``printed`` and ``kernel``."""
    return _PRELUDE + kernel_source(printed, kernel)


def _load(source: str, directory: Path | None) -> tuple[Callable[..., None], bool]:
    """``grid_kernel`` from ``source``: from a file in ``directory`` when there is one
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
            return module.grid_kernel, True
        except OSError:
            pass
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace["grid_kernel"], False


@functools.cache
def _compiled(printed: PrintedModel, kernel_bytes: bytes, shape: tuple[int, int]) -> Callable:
    kernel = np.frombuffer(kernel_bytes, dtype=np.float64).reshape(shape)
    function, from_file = _load(kernel_module_source(printed, kernel), cache_dir())
    return numba.njit(cache=from_file, fastmath=False, nogil=True, boundscheck=False)(function)


def grid_kernel(printed: PrintedModel, kernel: np.ndarray) -> Callable[..., None]:
    """The compiled kernel for ``printed`` and the coupling weights ``kernel``.

    Built on first use and cached per ``(printed, W)``. The generated module is
    written to :func:`cache_dir` (named by a hash of its source and the numba
    version) so that numba's on-disk cache spares later processes the
    compilation; without a writable cache it runs from memory.
    """
    kernel = np.ascontiguousarray(kernel, dtype=np.float64)
    return _compiled(printed, kernel.tobytes(), kernel.shape)
