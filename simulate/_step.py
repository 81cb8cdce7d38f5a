"""The step of a CNP grid neuron, written once for the compiled engines (private).

The numba CPU kernel (:mod:`simulate._kernel`) and the CUDA kernel
(:mod:`simulate.gpu`) emit their per-neuron step from these functions; they
differ only in where a neuron's values live (the accessors they pass) and in
how arithmetic is spelled (the CUDA kernel makes every operation a correctly
rounded intrinsic). The NumPy reference (:mod:`simulate.reference`) is written
separately on purpose: it is the oracle both are tested against.

The step of neuron ``(i, j)`` from ``t - 1`` to ``t`` (Eqs. (1)-(3) of the paper):

1. **Coupling**: ``K = ((0.0 + w0*P0) + w1*P1) + ...`` over the non-zero
   weights of W in row-major order (:func:`simulate.checks.kernel_offsets`),
   ``Pk`` the spike at ``t - 1`` of the neighbour under weight ``k`` (outside
   the grid: what the border draws). Floating-point addition is not
   associative, so this order is part of bit-identity: :func:`coupling_term`
   spells one addition and :func:`coupling_table` tabulates the same sums.
2. **Synchronous update**: every unit's new value from the ``t - 1`` values,
   then all are committed (:func:`step_lines`).
3. **Firing**: the firing condition on the new values; the spike is 0 or 1.

At ``t = 0`` every unit holds its declared initial value and ``P = 0``
(:func:`initial_lines`).

Every name emitted here that is not a model name (a unit, a parameter, ``P``,
``K``, ``I``) or a function of :data:`simulate.codegen.ENGINE_FUNCTIONS`
starts with an underscore, so that it can never shadow a model name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from simulate.printed import PrintedModel

Accessor = Callable[[int, str], str]
"""``(k, unit) -> source`` of where unit ``k`` of the current neuron is kept."""


def _plain(source: str) -> str:
    return source


def coupling_term(K: str, w: str, p: str, arith: Callable[[str], str] = _plain) -> str:
    """Source of one addition of the coupling sum: ``K + w * p``, rounded by ``arith``."""
    return arith(f"{K} + {w} * {p}")


def coupling_table(weights: Sequence[float], bits: Sequence[int], n_bits: int) -> np.ndarray:
    """``K`` for every spike pattern of a window, summed as :func:`coupling_term` sums it.

    Entry ``m`` (``0 <= m < 2**n_bits``) has the neighbour under weight ``k``
    firing when bit ``bits[k]`` of ``m`` is set, and is
    ``((0.0 + w0*P0) + w1*P1) + ...`` in the order of ``weights``: the same
    IEEE double operations, in the same order, as the step and the reference.
    Bits that no weight names leave ``K`` alone.
    """
    patterns = np.arange(2**n_bits, dtype=np.int64)
    total = np.zeros(patterns.size)
    for w, b in zip(weights, bits, strict=True):
        total = total + float(w) * ((patterns >> b) & 1).astype(np.float64)
    return total


def step_lines(
    printed: PrintedModel, load: Accessor, store: Accessor, arith: Callable[[str], str] = _plain
) -> list[str]:
    """The update and firing test of one neuron, once ``K``, ``P``, ``I`` and the scalars are bound.

    Loads each unit's ``t - 1`` value, computes every new value from those
    (``_new_U = ...``), commits them all, stores them, and leaves the firing
    test's outcome in ``_fired`` (a bool).
    """
    units = printed.units
    lines = [f"{u} = {load(k, u)}" for k, u in enumerate(units)]
    lines += [f"_new_{u} = {arith(printed.updates[u])}" for u in units]
    # Synchronous: every new value above was computed from step t - 1; commit now.
    lines += [f"{u} = _new_{u}" for u in units]
    lines += [f"{store(k, u)} = {u}" for k, u in enumerate(units)]
    lhs, rhs = arith(printed.fire_lhs), arith(printed.fire_rhs)
    lines.append(f"_fired = ({lhs}) {printed.fire_op} ({rhs})")
    return lines


def initial_lines(printed: PrintedModel, store: Accessor, initial: Accessor) -> list[str]:
    """Every unit of one neuron set to its declared value at ``t = 0`` (``P(0) = 0`` is
    each engine's zeroed spike buffer)."""
    return [f"{store(k, u)} = {initial(k, u)}" for k, u in enumerate(printed.units)]


def indent(lines: Sequence[str], level: int) -> str:
    """``lines`` joined, each indented by ``level`` times four spaces."""
    return "\n".join(" " * (4 * level) + line for line in lines)
