"""Upper bounds on the firing margin over a run of consecutive spikes (test helper).

Used by the necessity and Corollary 1 properties. A neuron that fires at steps
``s, s+1, ..., s+m`` applies the decayed update at steps ``s+1..s+m`` under both
semantics (each follows a spike), with ``K <= sum(W)``. So, with
``U_oo = (I + S)/(1 - alpha)``, ``V_oo = S/(1 - beta)``, ``T_oo = lam/(1 - gamma)``:

    U(s+m) <= U_oo + alpha**m * (U(s) - U_oo)^+
    V(s+m) <= V_oo + beta**m  * (V(s) - V_oo)^+
    T(s+m) >= T_oo * (1 - gamma**m)                    (T(s) >= 0)

and the spike at ``s+m`` needs ``U(1+V) > T`` there, so the *margin bound*

    g(m) = (U_oo + alpha**m dU) * (1 + V_oo + beta**m dV) - T_oo * (1 - gamma**m)

must be positive. ``g(oo) = U_oo (1 + V_oo) - T_oo`` is positive iff ``I > B``
(Theorem 4), so below the bound a run of ``m + 1`` spikes is impossible once
``g(m) <= 0``: this is how long "lasting" has to be, derived, not guessed.

``dU``, ``dV`` bound how far ``U(s)``, ``V(s)`` can exceed their limits, a priori:

* ``decay``: ``U <= U_oo`` and ``V <= V_oo`` at every step (induction, ``K <= S``),
  so ``dU = dV = 0`` and ``g(m) > 0`` is exactly ``I > B - gamma**m (B + S)``.
* ``decay-on-fire``: after a silent step ``t - 1 >= 1``, ``U(t-1)(1 + V(t-1)) <= T(t-1)
  <= T_oo``, so ``U(t) <= T_oo + I + K``; and with ``U(t-1) >= I`` (true for ``t >= 2``),
  ``V(t) <= T_oo/I - 1 + K``. With uniform neighbours a silent neuron's neighbours are
  silent too (``K = 0`` after a silent step, and ``V`` never exceeds ``V_oo``).
"""

from __future__ import annotations

import numpy as np

RUN_ROUNDING = 1e-9
"""Relative margin by which a float run may outlive the exact bound: the simulators'
rounding over <= 2000 steps stays below 1e-12 of the state, a 1000x allowance."""


def limits(params: dict[str, float], sum_W: float, I: float) -> tuple[float, float, float]:  # noqa: E741
    """``(U_oo, V_oo, T_oo)`` of the continuous-firing trajectory."""
    return (
        (I + sum_W) / (1 - params["alpha"]),
        sum_W / (1 - params["beta"]),
        params["lam"] / (1 - params["gamma"]),
    )


def excess(
    params: dict[str, float],
    sum_W: float,
    I: float,  # noqa: E741
    semantics: str,
    neighbours: str,
) -> tuple[float, float]:
    """A-priori ``(dU, dV)`` for ``neighbours`` in {"uniform", "always", "grid"}."""
    u_oo, v_oo, t_oo = limits(params, sum_W, I)
    if semantics == "decay":
        return 0.0, 0.0
    if neighbours == "uniform":
        return max(0.0, t_oo + I - u_oo), 0.0
    if I <= 0:
        raise ValueError("the decay-on-fire bound on V needs I > 0")
    return max(0.0, t_oo + I + sum_W - u_oo), max(0.0, t_oo / I - 1 + sum_W - v_oo)


def margin_bound(params, sum_W, I, m, d_u=0.0, d_v=0.0):  # noqa: E741
    """``g(m)``: an upper bound on ``U(1+V) - T`` at the last step of a run of ``m + 1`` spikes."""
    u_oo, v_oo, t_oo = limits(params, sum_W, I)
    a, b, g = params["alpha"], params["beta"], params["gamma"]
    return (u_oo + a**m * d_u) * (1 + v_oo + b**m * d_v) - t_oo * (1 - g**m)


def longest_possible_run(params, sum_W, I, d_u=0.0, d_v=0.0, cap=100_000):  # noqa: E741
    """Smallest ``m`` with ``g(m) <= -RUN_ROUNDING * T_oo``: no run of ``m + 1`` spikes exists.

    (A longer run contains one of exactly ``m + 1`` spikes.) Returns ``None`` when there
    is no such ``m`` up to ``cap``: ``I`` is at, above or too close to the bound.
    """
    target = -RUN_ROUNDING * limits(params, sum_W, I)[2]
    start, stop = 0, 256
    while start <= cap:
        m = np.arange(start, min(stop, cap + 1), dtype=np.float64)
        below = np.flatnonzero(margin_bound(params, sum_W, I, m, d_u, d_v) <= target)
        if below.size:
            return start + int(below[0])
        start, stop = stop, 8 * stop
    return None


def runs(spikes: np.ndarray) -> np.ndarray:
    """Lengths of the runs of consecutive spikes in a 0/1 train (empty if none)."""
    padded = np.concatenate([[0], np.asarray(spikes, dtype=np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return edges[1::2] - edges[0::2]


def longest_run(spikes: np.ndarray) -> int:
    """The longest run of consecutive spikes (0 if the train is silent)."""
    lengths = runs(spikes)
    return int(lengths.max()) if lengths.size else 0
