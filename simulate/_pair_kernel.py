"""The throughput kernel behind :func:`simulate.pair.simulate_pair` (private).

Like :mod:`simulate._kernel` it pastes the printed model into a loop skeleton
and compiles it with ``numba.njit`` (no ``fastmath``), but it is specialised to
one coupling kernel W and to the zero border, which buys speed:

* the non-zero weights and their offsets are literals in the source, so ``K``
  is summed inside the update loop, in the reference's order
  (``0.0 + w0*P0 + w1*P1 + ...``, left to right), with no per-offset pass over
  the row and no ``K`` buffer;
* the spikes live in zero-padded arrays whose border is never written
  (precomputed padding), so the inner loop has no bounds tests;
* the loop body has no branches: the spike and the count are written as
  numbers from the firing test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from simulate._kernel import _PRELUDE
from simulate.codegen import PrintedModel

_TEMPLATE = """
def pair_kernel(_stimulus, _P_a, _P_b, _counts, _n_steps, {states}{scalars}):
    _M, _N = _stimulus.shape
    for _t in range(_n_steps):
        if _t % 2 == 0:
            _P_old = _P_a
            _P_new = _P_b
        else:
            _P_old = _P_b
            _P_new = _P_a
        for _i in range(_M):
{rows}
            _P_old_row = _P_old[_i + {pad_r}]
            _P_new_row = _P_new[_i + {pad_r}]
            _I_row = _stimulus[_i]
            _count_row = _counts[_i]
            for _j in range(_N):
                K = {coupling}
                P = _P_old_row[_j + {pad_c}]
                I = _I_row[_j]
{load}
{update}
{store}
                _fired = ({lhs}) {op} ({rhs})
                _P_new_row[_j + {pad_c}] = np.float64(_fired)
                _count_row[_j] += np.int64(_fired)
"""


def _indent(lines: list[str], level: int) -> str:
    return "\n".join(" " * (4 * level) + line for line in lines)


def pair_kernel_source(printed: PrintedModel, kernel: np.ndarray) -> str:
    """The Python source of the kernel for one printed model and one W."""
    units = printed.units
    scalars = [*printed.parameters, *printed.constants]
    rows, cols = np.nonzero(kernel)
    terms = [f"{float(kernel[a, b])!r} * _R{a}[_j + {b}]" for a, b in zip(rows, cols, strict=True)]
    return _TEMPLATE.format(
        states="".join(f"state_{u}, " for u in units),
        scalars=", ".join(scalars),
        rows=_indent(
            [f"_R{a} = _P_old[_i + {a}]" for a in sorted(set(rows.tolist()))]
            + [f"row_{u} = state_{u}[_i]" for u in units],
            3,
        ),
        pad_r=kernel.shape[0] // 2,
        pad_c=kernel.shape[1] // 2,
        coupling=" + ".join(["0.0", *terms]),
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


@functools.cache
def _compiled(printed: PrintedModel, kernel_bytes: bytes, shape: tuple[int, int]) -> Callable:
    kernel = np.frombuffer(kernel_bytes, dtype=np.float64).reshape(shape)
    namespace: dict = {}
    exec(_PRELUDE, namespace)  # what the printed names mean inside numba
    source = pair_kernel_source(printed, kernel)
    exec(compile(source, f"<pair kernel {printed.model.name}>", "exec"), namespace)
    return numba.njit(cache=False, fastmath=False, nogil=True, boundscheck=False)(
        namespace["pair_kernel"]
    )


def pair_kernel(printed: PrintedModel, kernel: np.ndarray) -> Callable[..., None]:
    """The compiled kernel for ``printed`` and ``kernel``, built on first use and cached."""
    return _compiled(printed, kernel.tobytes(), kernel.shape)
