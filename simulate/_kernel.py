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
   bit-identity). Up to :data:`TABLE_MAX_TERMS` weights it is read from a table
   of that sum for every spike pattern, indexed by the neighbours' spike bits
   (the loop loses its chain of dependent additions: 1.44 against 1.67 CPU-ns
   per update at 520x520, ``benchmarks/bench_simulate_grid.py``); beyond, the
   sum is written out with the weights as literals;
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
def _update_row(_P_old1, _P_new1, _I1, _C1, {flat_args}_bs, _bi, _offsets, _N, {scalars}):
{load_offsets}
    _op = _offsets[{n_terms}]
    for _jj in range(_N):
        _j = np.uint64(_jj)
        K = {coupling}
        P = _P_old1[_op + _j]
        I = _I1[_bi + _j]
{load}
{update}
{store}
        _fired = ({lhs}) {op} ({rhs})
        _P_new1[_op + _j] = np.uint8(_fired)
        _C1[_bi + _j] += np.uint16(_fired)
"""

_TEMPLATE = """
def grid_kernel(_stimulus, _P_a, _P_b, _col_pad, _col_src, _copy_start, _copy_rows, _lag, _block,
                _n_steps, _rec_start, _rec_col, _rec_slot, _traces, _counts,
                {states}{initial}{scalars}):
    _M, _N = _stimulus.shape
    _Np = _P_a.shape[1]
    _ring = {first_state}.shape[0]
    _offsets = np.empty({n_terms} + 1, dtype=np.uint64)
    # Flat views indexed by unsigned offsets: no wrap-around test, so the row loop vectorises.
    _Pa1 = _P_a.reshape(-1)
    _Pb1 = _P_b.reshape(-1)
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
                else:
                    _P_old1 = _Pb1
                    _P_new1 = _Pa1
                    _P_new = _P_a
                _r = _i % _ring
                _bs = np.uint64(_r * _N)
                _bi = np.uint64(_i * _N)
                if _t == 1:
                    for _jj in range(_N):
                        _j = np.uint64(_jj)
{init_row}
{term_offsets}
                _update_row(_P_old1, _P_new1, _I1, _C1, {flat_args}_bs, _bi, _offsets, _N,
                            {scalars})
                _pr = _i + {pad_r}
                for _b in range(_col_pad):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + {pad_c}]
                for _b in range(_Np - _col_pad, _Np):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + {pad_c}]
                for _m in range(_copy_start[_i], _copy_start[_i + 1]):
                    _P_new[_copy_rows[_m], :] = _P_new[_pr, :]
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


def coupling_table(weights: np.ndarray) -> list[float]:
    """K for every spike pattern of the neighbours, summed as the reference sums it.

    Entry ``m`` has neighbour ``k`` firing when bit ``k`` of ``m`` is set, and is
    ``((0.0 + w0*P0) + w1*P1) + ...`` in Python floats, the same IEEE double
    operations in the same order as :func:`simulate.reference.coupling_input`.
    """
    table = []
    for m in range(2 ** len(weights)):
        total = 0.0
        for k, w in enumerate(weights):
            total = total + float(w) * float((m >> k) & 1)
        table.append(total)
    return table


def _coupling(terms: list[str], weights: np.ndarray) -> str:
    """K as an expression: a table look-up indexed by the neighbours' spike bits
    (no chain of dependent additions in the loop), or the sum written out."""
    if not 0 < len(terms) <= TABLE_MAX_TERMS:
        return " + ".join(["0.0", *terms])
    bits = [f"(np.uint32(_P_old1[_o{k} + _j]) << np.uint32({k}))" for k in range(len(terms))]
    return "_K_TABLE[" + " | ".join(bits) + "]"


def kernel_source(printed: PrintedModel, kernel: np.ndarray) -> str:
    """The Python source of the grid kernel for one printed model and one W."""
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    lhs, rhs = f"({printed.fire_lhs})", f"({printed.fire_rhs})"
    pad_r, pad_c = kernel.shape[0] // 2, kernel.shape[1] // 2
    rows, cols, weights = kernel_offsets(kernel)
    terms = [f"{float(w)!r} * _P_old1[_o{k} + _j]" for k, w in enumerate(weights)]
    term_offsets = [
        f"_offsets[{k}] = np.uint64((_i + {a}) * _Np + {b})"
        for k, (a, b) in enumerate(zip([*rows, pad_r], [*cols, pad_c], strict=True))
    ]

    def record(t: str, level: int) -> str:
        values = [*units, lhs, rhs, "P"]
        return _indent([f"_traces[{k}, {t}, _slot] = {v}" for k, v in enumerate(values)], level)

    common = {
        "flat_args": "".join(f"flat_{u}, " for u in units),
        "scalars": ", ".join(scalars),
        "n_terms": len(terms),
    }
    row = _ROW_TEMPLATE.format(
        **common,
        load_offsets=_indent([f"_o{k} = _offsets[{k}]" for k in range(len(terms))], 1),
        coupling=_coupling(terms, weights),
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
    )
    table = ""
    if 0 < len(terms) <= TABLE_MAX_TERMS:
        values = ", ".join(repr(v) for v in coupling_table(weights))
        table = f"\n_K_TABLE = np.array([{values}])\n"
    return (
        table
        + row
        + _TEMPLATE.format(
            **common,
            states="".join(f"state_{u}, " for u in units),
            initial="".join(f"init_{u}, " for u in units),
            first_state=f"state_{units[0]}",
            flat_states=_indent([f"flat_{u} = state_{u}.reshape(-1)" for u in units], 1),
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
