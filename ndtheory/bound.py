"""Theorem 4, Corollary 1 and the exact finite-horizon firing threshold of [1]_.

Everything is derived from the continuous-firing closed forms of
:mod:`ndtheory.closed_forms`, which come from the model spec:

* the *firing margin* ``m(t) = U(t)*(1 + V(t)) - T(t)`` along the trajectory on
  which the neuron and its neighbours fire at every step ``t >= 1``;
* Theorem 4 (Eqs. 14, 17): ``lim_{t->oo} m(t) > 0`` solved for ``I``, i.e.
  ``I > B`` with ``B`` the *continuous-firing bound*; Corollary 1 (Eq. 19) is
  ``I <= B``;
* the *finite-horizon threshold* ``I_t``: ``m(t)`` is affine in ``I``, so step
  ``t`` of the trajectory fires iff ``I > I_t``. The trajectory fires at every
  step iff ``I > I_t`` for all ``t``, i.e. above ``sup_t I_t``, which can exceed
  ``B``: that is why Theorem 4 is necessary, not sufficient.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Eqs. (14)-(19).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from ndtheory.closed_forms import continuous_firing_closed_forms
from ndtheory.corollary1 import BOUND_PARAMETERS, SUM_W_PARAMETER
from ndtheory.corollary1 import solve_for as solve_for  # re-exported: its home before SymPy left it
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.recurrence import t
from ndtheory.spec import ND_CNP, SUM_W, I, NeuronModel, Parameter


@cache
def firing_margin(model: NeuronModel = ND_CNP) -> sp.Expr:
    """``m(t)``: the firing condition's margin along the continuous-firing trajectory.

    Step ``t >= 1`` fires iff ``m(t) > 0``. For ND-CNP ``m(t) = U(t)(1 + V(t)) - T(t)``
    with the closed forms of the continuous-firing trajectory (Eq. 16 of [1]_ as
    derived, with ``K(0) = 0``).
    """
    forms = continuous_firing_closed_forms(model)
    by_name = {u.symbol: forms[u.name] for u in model.units}
    return model.firing_margin()[0].xreplace(by_name)


def limit_at_infinity(expr: sp.Expr, model: NeuronModel = ND_CNP) -> sp.Expr:
    """``lim_{t->oo} expr`` for expressions whose ``t`` lies in powers of parameters in (0, 1).

    Raises
    ------
    NotDerivableError
        If ``t`` appears anywhere else (e.g. as a power of a parameter that may be
        1 or more).
    """
    decaying = {p.symbol for p in model.parameters if p.interval.is_subset(sp.Interval.open(-1, 1))}

    def vanishing(e: sp.Expr) -> bool:
        if not (isinstance(e, sp.Pow) and e.exp.has(t)):
            return False
        slope = sp.diff(e.exp, t)
        return e.base in decaying and slope.is_number and slope > 0 and not sp.diff(slope, t)

    limit = expr.replace(vanishing, lambda e: sp.S.Zero)
    if limit.has(t):
        # powers such as alpha**t*alpha**(-1) only separate after expansion
        limit = sp.expand(expr).replace(vanishing, lambda e: sp.S.Zero)
    if limit.has(t):
        raise NotDerivableError(f"cannot take t -> oo in {expr}")
    return limit


def _solve_affine_in_input(margin: sp.Expr) -> sp.Expr:
    """``I*`` with ``margin > 0 <=> I > I*`` for ``margin`` affine in ``I``."""
    coefficient = sp.diff(margin, I)
    if sp.cancel(sp.diff(coefficient, I)) != 0:
        raise NotDerivableError(f"the firing margin is not affine in I: {margin}")
    return -margin.subs(I, 0) / coefficient


@cache
def bound_expr(model: NeuronModel = ND_CNP) -> sp.Expr:
    """The continuous-firing bound ``B`` of Theorem 4 (Eqs. 14, 17 of [1]_), derived.

    ``lim_{t->oo} m(t) > 0`` holds iff ``I > B``. The coefficient of ``I`` in the
    limit margin is ``(1 - beta + sum(W))/((1 - alpha)(1 - beta)) > 0`` on the
    parameter ranges, so the direction of the inequality is kept.
    """
    return _solve_affine_in_input(limit_at_infinity(firing_margin(model), model))


@cache
def threshold_expr(model: NeuronModel = ND_CNP) -> sp.Expr:
    """``I_t``: step ``t >= 1`` of the continuous-firing trajectory fires iff ``I > I_t``.

    The coefficient of ``I`` in ``m(t)``, ``(1 - alpha**t)/(1 - alpha)*(1 + V(t))``,
    is positive for ``t >= 1``, so the direction is kept.
    """
    return _solve_affine_in_input(firing_margin(model))


def _parameters(model: NeuronModel) -> dict[str, Parameter]:
    out = {p.name: p for p in model.parameters}
    out["sum_W"] = SUM_W_PARAMETER
    out["I"] = model.input_parameter
    return out


def _symbols(model: NeuronModel) -> dict[str, sp.Symbol]:
    return {**{p.name: p.symbol for p in model.parameters}, "sum_W": SUM_W, "I": I}


def _check(model: NeuronModel, values: dict[str, float]) -> dict[str, float]:
    parameters = _parameters(model)
    return {name: parameters[name].check(value) for name, value in values.items()}


@cache
def derived_bound_function(model: NeuronModel):
    """``(names, B(*values))``: the bound of :func:`bound_expr` lambdified (derived now)."""
    symbols = _symbols(model)
    names = [p.name for p in model.parameters] + ["sum_W"]
    return names, sp.lambdify([symbols[n] for n in names], bound_expr(model), modules="math")


def _bound_function(model: NeuronModel):
    if model is ND_CNP:
        from ndtheory import _solved

        return list(_solved.BOUND_ARGUMENTS), _solved.bound
    return derived_bound_function(model)


def continuous_firing_bound(
    alpha: float, beta: float, gamma: float, lam: float, sum_W: float
) -> float:
    """The input above which Theorem 4 allows lasting continuous firing (Eq. 17 of [1]_).

    Parameters
    ----------
    alpha, beta, gamma : float
        Decay factors of U, V, T, each in (0, 1) (Eq. 7).
    lam : float
        Threshold weight lambda, > 0.
    sum_W : float
        ``sum(W)``, >= 0.

    Returns
    -------
    float
        ``B = lam(1-alpha)(1-beta)/((1-gamma)(1-beta+sum_W)) - sum_W``, derived as
        the ``t -> oo`` limit of ``U(1+V) > T`` (Theorem 4). A neuron that fires
        continuously together with its neighbours has ``I >= B``; Corollary 1
        (Eq. 19) keeps inputs at or below it.

    Raises
    ------
    NdcnpInputError
        If a parameter is outside its range.

    Examples
    --------
    >>> round(continuous_firing_bound(alpha=0.8, beta=0.2, gamma=0.5, lam=15, sum_W=1.2), 12)
    1.2
    """
    values = _check(
        ND_CNP, {"alpha": alpha, "beta": beta, "gamma": gamma, "lam": lam, "sum_W": sum_W}
    )
    names, function = _bound_function(ND_CNP)
    return float(function(*(values[n] for n in names)))


@cache
def derived_solutions(model: NeuronModel, name: str):
    """``(others, roots, functions)``: ``B = I`` solved for ``name`` by ``sympy.solve`` now.

    Seconds of symbolic work; :func:`solve_for` reads ND-CNP's from ``ndtheory._solved``,
    which ``tools/print_solved.py`` prints from this function once.
    """
    symbols = _symbols(model)
    roots = sp.solve(sp.Eq(bound_expr(model), I), symbols[name], dict=False)
    if not roots:
        raise NotDerivableError(f"the bound cannot be solved for {name}")
    others = [n for n in BOUND_PARAMETERS if n != name]
    functions = [sp.lambdify([symbols[n] for n in others], root, modules="cmath") for root in roots]
    return others, roots, functions


def _independent_of(model: NeuronModel, name: str, values: dict[str, float]) -> bool:
    """Whether the bound at ``values`` is constant in ``name`` (e.g. beta when sum(W) = 0)."""
    symbols = _symbols(model)
    fixed = {symbols[n]: sp.nsimplify(v) for n, v in values.items()}
    return sp.simplify(sp.diff(bound_expr(model) - I, symbols[name]).subs(fixed)) == 0


@dataclass(frozen=True)
class FiniteHorizonSupremum:
    """``sup_{t>=1} I_t`` along the continuous-firing trajectory.

    Parameters
    ----------
    supremum : float
        The input above which the neuron, started from rest, fires at every step.
    step : int or None
        The step where the supremum is reached; ``None`` when it is only
        approached as ``t -> oo`` (then ``supremum == limit``).
    limit : float
        ``lim I_t``, Theorem 4's bound ``B``.
    """

    supremum: float
    step: int | None
    limit: float


@cache
def derived_threshold_function(model: NeuronModel):
    """``(names, I_t(t, *values))``: :func:`threshold_expr` lambdified (derived now)."""
    symbols = _symbols(model)
    names = [p.name for p in model.parameters] + ["sum_W"]
    expr = threshold_expr(model)
    return names, sp.lambdify([t, *(symbols[n] for n in names)], expr, modules="numpy")


def _threshold_function(model: NeuronModel):
    if model is ND_CNP:
        from ndtheory import _solved

        return list(_solved.BOUND_ARGUMENTS), _solved.threshold
    return derived_threshold_function(model)


MAX_STEPS = 1_000_000
"""Longest horizon :func:`finite_horizon_supremum` evaluates."""


def finite_horizon_thresholds(
    alpha: float, beta: float, gamma: float, lam: float, sum_W: float, n_steps: int
) -> np.ndarray:
    """``I_t`` for ``t = 1..n_steps``: step ``t`` of continuous firing needs ``I > I_t``.

    Parameters
    ----------
    alpha, beta, gamma, lam, sum_W : float
        As in :func:`continuous_firing_bound`.
    n_steps : int
        Number of steps, >= 1.

    Returns
    -------
    (n_steps,) ndarray
        ``I_t`` from the exact condition ``U(t)(1 + V(t)) > T(t)`` on the
        trajectory of Eq. (16) of [1]_ as derived (``K(0) = 0``); ``I_1 = 0``.
    """
    values = _check(
        ND_CNP, {"alpha": alpha, "beta": beta, "gamma": gamma, "lam": lam, "sum_W": sum_W}
    )
    if int(n_steps) != n_steps or n_steps < 1:
        raise NdcnpInputError(f"n_steps must be an integer >= 1; got {n_steps}")
    names, function = _threshold_function(ND_CNP)
    steps = np.arange(1, int(n_steps) + 1, dtype=np.float64)
    return np.asarray(function(steps, *(values[n] for n in names)), dtype=np.float64)


def finite_horizon_supremum(
    alpha: float, beta: float, gamma: float, lam: float, sum_W: float
) -> FiniteHorizonSupremum:
    """``sup_t I_t``, where it is reached, and Theorem 4's limit for comparison.

    The horizon runs until every power ``alpha**t, beta**t, gamma**t`` is below
    1e-17 (at most :data:`MAX_STEPS` steps), beyond which ``I_t`` equals the
    limit to double precision; a maximum within 1e-12 (relative) of the limit
    counts as not reached (``step=None``).

    Returns
    -------
    FiniteHorizonSupremum

    Examples
    --------
    >>> s = finite_horizon_supremum(alpha=0.8, beta=0.2, gamma=0.5, lam=15, sum_W=1.2)
    >>> round(s.supremum, 6), s.step, round(s.limit, 12)
    (3.121212, 2, 1.2)
    """
    limit = continuous_firing_bound(alpha, beta, gamma, lam, sum_W)
    slowest = max(alpha, beta, gamma)
    n_steps = min(MAX_STEPS, math.ceil(math.log(1e-17) / math.log(slowest)) + 2)
    thresholds = finite_horizon_thresholds(alpha, beta, gamma, lam, sum_W, n_steps)
    best = int(np.argmax(thresholds))
    top = float(thresholds[best])
    if top > limit + 1e-12 * max(1.0, abs(limit)):
        return FiniteHorizonSupremum(top, best + 1, limit)
    return FiniteHorizonSupremum(limit, None, limit)
