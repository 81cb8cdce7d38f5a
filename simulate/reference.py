"""The NumPy reference engine: the oracle every faster engine is tested against.

It evaluates the update source printed by :mod:`simulate.codegen` on whole
arrays, one step at a time, exactly as the model declares it: step ``t`` reads
only step ``t - 1`` values (synchronous update), then the firing condition is
read on the new values.

It is written plainly and on its own on purpose: the compiled engines (numba
and CUDA) share one template of the step (:mod:`simulate._step`), and this
module shares none of it, so that a mistake in that template shows up as a
difference from the reference instead of being copied into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from simulate.checks import NUMPY_PAD_MODE
from simulate.printed import COMPARE, NUMPY_NAMESPACE, PrintedModel


def trace_names(printed: PrintedModel) -> tuple[str, ...]:
    """Trace keys in recording order: the units, ``lhs``, ``rhs`` and ``P``."""
    return (*printed.units, "lhs", "rhs", "P")


NS_KEY = {"lhs": "_lhs", "rhs": "_rhs"}
"""Where a trace that is not a model name is kept in the namespace (a model may
have a parameter called ``lhs``)."""


def namespace(printed: PrintedModel, params: Mapping[str, Any]) -> dict[str, Any]:
    """Names the printed source reads: functions, parameters and constants."""
    ns: dict[str, Any] = dict(NUMPY_NAMESPACE)
    ns.update({name: params[name] for name in printed.parameters})
    ns.update(printed.constant_values(params))
    return ns


def step(printed: PrintedModel, ns: dict[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    """Advance the units held in ``ns`` by one step; return the new spikes (bool).

    ``ns`` must hold the step ``t - 1`` units, ``P``, ``K`` and ``I``; on return
    it holds the step ``t`` units plus ``_lhs`` and ``_rhs`` of the firing test.
    """
    new = {
        unit: np.broadcast_to(np.asarray(eval(printed.code[unit], ns), dtype=np.float64), shape)
        for unit in printed.units
    }
    ns.update(new)  # synchronous: every new value was computed from step t - 1
    lhs = np.broadcast_to(np.asarray(eval(printed.code["fire_lhs"], ns), np.float64), shape)
    rhs = np.broadcast_to(np.asarray(eval(printed.code["fire_rhs"], ns), np.float64), shape)
    ns["_lhs"], ns["_rhs"] = lhs, rhs
    return COMPARE[printed.fire_op](lhs, rhs)


def coupling_input(
    P: np.ndarray,
    offsets: tuple[np.ndarray, np.ndarray, np.ndarray],
    pad: tuple[int, int],
    border: str,
) -> np.ndarray:
    """``K = sum_kl W_kl P_kl`` by accumulating shifted copies in kernel-offset order."""
    rows, cols, weights = offsets
    M, N = P.shape
    padded = np.pad(P, ((pad[0], pad[0]), (pad[1], pad[1])), mode=NUMPY_PAD_MODE[border])
    K = np.zeros((M, N))
    for a, b, w in zip(rows, cols, weights, strict=True):
        K = K + w * padded[a : a + M, b : b + N]
    return K


def run_grid(
    printed: PrintedModel,
    stimulus: np.ndarray,
    kernel: np.ndarray,
    offsets: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: Mapping[str, float],
    n_steps: int,
    border: str,
    rec: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Reference grid run on canonical inputs.

    Returns
    -------
    counts : (M, N) int64 ndarray
        Spikes over steps ``1..n_steps``.
    traces : (n_traces, n_steps + 1, n_rec) float64 ndarray or None
        In :func:`trace_names` order, for the neurons ``rec`` (rows, cols).
    """
    shape = stimulus.shape
    pad = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    ns = namespace(printed, params)
    ns.update(
        {
            k: np.broadcast_to(np.asarray(v, np.float64), shape)
            for k, v in printed.initial_values(params).items()
        }
    )
    P = np.zeros(shape)
    ns["I"] = stimulus
    counts = np.zeros(shape, dtype=np.int64)
    names = trace_names(printed)
    traces = None
    if rec is not None:
        traces = np.empty((len(names), n_steps + 1, rec[0].size))
        ns["_lhs"] = eval(printed.code["fire_lhs"], ns)
        ns["_rhs"] = eval(printed.code["fire_rhs"], ns)
        ns["P"] = P
        _record(traces, 0, names, ns, rec, shape)
    for t in range(1, n_steps + 1):
        ns["K"] = coupling_input(P, offsets, pad, border)  # K(t) from P(t-1)
        ns["P"] = P
        fired = step(printed, ns, shape)
        P = fired.astype(np.float64)
        counts += fired
        if traces is not None:
            ns["P"] = P
            _record(traces, t, names, ns, rec, shape)
    return counts, traces


def _record(traces, t, names, ns, rec, shape) -> None:
    for q, name in enumerate(names):
        traces[q, t] = np.broadcast_to(ns[NS_KEY.get(name, name)], shape)[rec]
