"""The numba grid engine, generated from the printed model (private).

A fixed loop skeleton is filled with the update source of
:func:`simulate.codegen.print_model`, executed, and compiled with
``numba.njit`` (no ``fastmath``: results must equal the NumPy reference bit for
bit). Compiled kernels are cached per ``(model, semantics)``.

Per step and per row the kernel

1. accumulates ``K`` over the non-zero kernel weights in the same row-major
   order as :func:`simulate.reference.coupling_input`, one contiguous pass per
   weight (vectorisable);
2. updates every neuron of the row with the printed expressions, branch-free
   (selects, no ``if``);
3. writes the new spikes into the interior of a padded buffer, whose border is
   refreshed once per step from precomputed source indices (reflect, periodic)
   or left at zero.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from simulate.codegen import PrintedModel

_TEMPLATE = """
def grid_kernel(_stimulus, _P_a, _P_b, _off_r, _off_c, _weights, _pad_r, _pad_c, _row_src, _col_src,
                _refresh, _n_steps, _rec_i, _rec_j, _traces, _counts, {states}{scalars}):
    _M, _N = _stimulus.shape
    _n_off = _weights.shape[0]
    _n_rec = _rec_i.shape[0]
    _K_row = np.empty(_N)
    for _q in range(_n_rec):
        _i = _rec_i[_q]
        _j = _rec_j[_q]
{load_rec0}
        P = 0.0
{store_rec0}
    for _t in range(1, _n_steps + 1):
        if _t % 2 == 1:
            _P_old = _P_a
            _P_new = _P_b
        else:
            _P_old = _P_b
            _P_new = _P_a
        for _i in range(_M):
            for _j in range(_N):
                _K_row[_j] = 0.0
            for _o in range(_n_off):
                _w = _weights[_o]
                _src = _P_old[_i + _off_r[_o]]
                _col = _off_c[_o]
                for _j in range(_N):
                    _K_row[_j] += _w * _src[_j + _col]
            _P_old_row = _P_old[_i + _pad_r]
            _P_new_row = _P_new[_i + _pad_r]
            _I_row = _stimulus[_i]
            _count_row = _counts[_i]
{rows}
            for _j in range(_N):
                P = _P_old_row[_j + _pad_c]
                K = _K_row[_j]
                I = _I_row[_j]
{load}
{update}
{store}
                _fired = ({lhs}) {op} ({rhs})
                _P_new_row[_j + _pad_c] = 1.0 if _fired else 0.0
                _count_row[_j] += 1 if _fired else 0
        if _refresh:
            _Mp, _Np = _P_new.shape
            for _a in range(_Mp):
                if _a < _pad_r or _a >= _pad_r + _M:
                    _s = _row_src[_a] + _pad_r
                    for _b in range(_Np):
                        _P_new[_a, _b] = _P_new[_s, _col_src[_b] + _pad_c]
                else:
                    for _b in range(_pad_c):
                        _P_new[_a, _b] = _P_new[_a, _col_src[_b] + _pad_c]
                    for _b in range(_pad_c + _N, _Np):
                        _P_new[_a, _b] = _P_new[_a, _col_src[_b] + _pad_c]
        for _q in range(_n_rec):
            _i = _rec_i[_q]
            _j = _rec_j[_q]
{load_rec}
            P = _P_new[_i + _pad_r, _j + _pad_c]
{store_rec}
"""


def _indent(lines: list[str], level: int) -> str:
    return "\n".join(" " * (4 * level) + line for line in lines)


def kernel_source(printed: PrintedModel) -> str:
    """The Python source of the grid kernel for one printed model."""
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    lhs, rhs = f"({printed.fire_lhs})", f"({printed.fire_rhs})"

    def record(t: str) -> list[str]:
        values = [*units, lhs, rhs, "P"]
        return [f"_traces[{k}, {t}, _q] = {v}" for k, v in enumerate(values)]

    load_rec = [f"{u} = state_{u}[_i, _j]" for u in units]
    return _TEMPLATE.format(
        states="".join(f"state_{u}, " for u in units),
        scalars=", ".join(scalars),
        load_rec0=_indent(load_rec, 2),
        load_rec=_indent(load_rec, 3),
        store_rec0=_indent(record("0"), 2),
        store_rec=_indent(record("_t"), 3),
        rows=_indent([f"row_{u} = state_{u}[_i]" for u in units], 3),
        load=_indent([f"{u} = row_{u}[_j]" for u in units], 4),
        # Synchronous update: all new values from step t - 1, then commit.
        update=_indent(
            [f"new_{u} = {printed.updates[u]}" for u in units] + [f"{u} = new_{u}" for u in units],
            4,
        ),
        store=_indent([f"row_{u}[_j] = {u}" for u in units], 4),
        lhs=printed.fire_lhs,
        op=printed.fire_op,
        rhs=printed.fire_rhs,
    )


@numba.njit(inline="always")
def _select(condition: bool, a: float, b: float) -> float:
    return a if condition else b


_NUMBA_NAMESPACE: dict[str, Any] = {
    "np": np,
    "where": _select,
    "power": math.pow,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "Abs": abs,
    "Min": min,
    "Max": max,
    "tanh": math.tanh,
}


@functools.cache
def grid_kernel(printed: PrintedModel) -> Callable[..., None]:
    """The compiled kernel for ``printed``, built on first use and cached."""
    namespace = dict(_NUMBA_NAMESPACE)
    exec(compile(kernel_source(printed), f"<grid kernel {printed.model.name}>", "exec"), namespace)
    return numba.njit(cache=False, fastmath=False, nogil=True)(namespace["grid_kernel"])
