"""The numba grid engine, generated from the printed model (private).

A fixed loop skeleton is filled with the update source of
:func:`simulate.codegen.print_model`, executed, and compiled with
``numba.njit`` (no ``fastmath``: results must equal the NumPy reference bit for
bit). Compiled kernels are cached per ``(model, semantics)``.

For one row ``i`` of one step ``t`` the kernel

1. accumulates ``K`` over the non-zero kernel weights in the same row-major
   order as :func:`simulate.reference.coupling_input`, one contiguous pass per
   weight;
2. updates every neuron of the row with the printed expressions, branch-free
   (selects, no ``if``), so the loop vectorises;
3. writes the new spikes (0.0/1.0) into a padded buffer, with the row's border
   copies (reflect, periodic) made at once from precomputed source indices.

Rows are scheduled as a wavefront over blocks of time steps: row ``i`` of step
``t0 + tt`` runs in sweep ``i + tt*lag`` with ``lag`` greater than the kernel's
row radius. Each row then runs after the rows of the previous step it reads and
before the next-but-one step overwrites the buffer rows the next step still
needs, while a band of ``block*lag`` rows stays in cache for ``block`` steps.
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

from simulate.codegen import PrintedModel

_TEMPLATE = """
def grid_kernel(_stimulus, _P_a, _P_b, _off_r, _off_c, _weights, _pad_r, _pad_c, _col_pad, _col_src,
                _copy_start, _copy_rows, _lag, _block, _n_steps, _rec_start, _rec_col, _rec_slot,
                _traces, _counts, {states}{scalars}):
    _M, _N = _stimulus.shape
    _Np = _P_a.shape[1]
    _n_off = _weights.shape[0]
    _K_row = np.empty(_N)
    for _i in range(_M):
        for _q in range(_rec_start[_i], _rec_start[_i + 1]):
            _j = _rec_col[_q]
            _slot = _rec_slot[_q]
{load_rec3}
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
                    _P_old = _P_a
                    _P_new = _P_b
                else:
                    _P_old = _P_b
                    _P_new = _P_a
{K_passes}
                _P_old_row = _P_old[_i + _pad_r, _pad_c:_pad_c + _N]
                _P_new_row = _P_new[_i + _pad_r, _pad_c:_pad_c + _N]
                _I_row = _stimulus[_i]
                _count_row = _counts[_i]
{rows}
                for _j in range(_N):
                    P = _P_old_row[_j]
                    K = _K_row[_j]
                    I = _I_row[_j]
{load}
{update}
{store}
                    _fired = ({lhs}) {op} ({rhs})
                    _P_new_row[_j] = 1.0 if _fired else 0.0
                    _count_row[_j] += 1 if _fired else 0
                _pr = _i + _pad_r
                for _b in range(_col_pad):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + _pad_c]
                for _b in range(_Np - _col_pad, _Np):
                    _P_new[_pr, _b] = _P_new[_pr, _col_src[_b] + _pad_c]
                for _m in range(_copy_start[_i], _copy_start[_i + 1]):
                    _P_new[_copy_rows[_m], :] = _P_new[_pr, :]
                for _q in range(_rec_start[_i], _rec_start[_i + 1]):
                    _j = _rec_col[_q]
                    _slot = _rec_slot[_q]
{load_rec5}
                    P = _P_new_row[_j]
{store_rec}
        _t0 += _nb
"""


_CHUNK = 8
"""Kernel weights summed per pass over a row of K."""


def _sum_terms(count: int) -> str:
    return " + ".join(["_K_row[_j]"] + [f"_w{k} * _s{k}[_j]" for k in range(count)])


def _coupling_source() -> str:
    """Source that sums K in kernel-offset order: ``((0.0 + w0*P0) + w1*P1) + ...``.

    ``K_row`` is accumulated in passes of up to :data:`_CHUNK` weights, each pass
    adding its terms left to right, so every neuron adds the same terms in the
    same order as :func:`simulate.reference.coupling_input`.
    """
    lines = ["for _j in range(_N):", "    _K_row[_j] = 0.0", "_o = 0"]
    for count, test in ((_CHUNK, f"_o + {_CHUNK} <= _n_off"), (1, "_o < _n_off")):
        lines += [f"while {test}:"]
        for k in range(count):
            o = f"_o + {k}"
            lines += [
                f"    _w{k} = _weights[{o}]",
                f"    _s{k} = _P_old[_i + _off_r[{o}], _off_c[{o}]:_off_c[{o}] + _N]",
            ]
        lines += [
            "    for _j in range(_N):",
            f"        _K_row[_j] = {_sum_terms(count)}",
            f"    _o += {count}",
        ]
    return _indent(lines, 4)


def _indent(lines: list[str], level: int) -> str:
    return "\n".join(" " * (4 * level) + line for line in lines)


def kernel_source(printed: PrintedModel) -> str:
    """The Python source of the grid kernel for one printed model."""
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    lhs, rhs = f"({printed.fire_lhs})", f"({printed.fire_rhs})"

    def record(t: str, level: int) -> str:
        values = [*units, lhs, rhs, "P"]
        return _indent([f"_traces[{k}, {t}, _slot] = {v}" for k, v in enumerate(values)], level)

    load_rec = [f"{u} = state_{u}[_i, _j]" for u in units]
    return _TEMPLATE.format(
        K_passes=_coupling_source(),
        states="".join(f"state_{u}, " for u in units),
        scalars=", ".join(scalars),
        load_rec3=_indent(load_rec, 3),
        load_rec5=_indent(load_rec, 5),
        store_rec0=record("0", 3),
        store_rec=record("_t", 5),
        rows=_indent([f"row_{u} = state_{u}[_i]" for u in units], 4),
        load=_indent([f"{u} = row_{u}[_j]" for u in units], 5),
        # Synchronous update: every new value from step t - 1, then commit.
        update=_indent(
            [f"new_{u} = {printed.updates[u]}" for u in units] + [f"{u} = new_{u}" for u in units],
            5,
        ),
        store=_indent([f"row_{u}[_j] = {u}" for u in units], 5),
        lhs=printed.fire_lhs,
        op=printed.fire_op,
        rhs=printed.fire_rhs,
    )


@numba.njit(inline="always")
def _select(condition: bool, a: float, b: float) -> float:
    return a if condition else b


_PRELUDE = """\
# Generated by simulate._kernel from a NeuronModel declaration; do not edit.
import math

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


def kernel_module_source(printed: PrintedModel) -> str:
    """The complete module that defines ``grid_kernel`` for ``printed``."""
    return _PRELUDE + kernel_source(printed)


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
def grid_kernel(printed: PrintedModel) -> Callable[..., None]:
    """The compiled kernel for ``printed``, built on first use and cached.

    The generated module is written to :func:`cache_dir` (named by a hash of its
    source and the numba version) so that numba's on-disk cache spares later
    processes the compilation; without a writable cache it runs from memory.
    """
    function, from_file = _load(kernel_module_source(printed), cache_dir())
    return numba.njit(cache=from_file, fastmath=False, nogil=True)(function)
