"""Closed forms of every unit of a declared model (Theorems 1-3 of [1]_).

Derived from :meth:`ndtheory.spec.NeuronModel.updates`; no formula of the paper is
typed in here. See :mod:`ndtheory.recurrence` for the index mapping between the
spec's ``K`` (step ``t``) and the paper's ``K(t - 1)``.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Eqs. (8)-(16).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from ndtheory.errors import NotDerivableError
from ndtheory.recurrence import (
    AffineUpdate,
    RsolveCheck,
    affine_update,
    check_rsolve,
    check_substitution,
    solve_general,
    solve_two_phase,
    t,
)
from ndtheory.spec import ND_CNP, SUM_W, K, NeuronModel, P, Semantics

CONTINUOUS_FIRING_FIRST: dict[sp.Symbol, sp.Expr] = {K: sp.S.Zero, P: sp.S.Zero}
"""Spec values at step 1 of continuous firing: the paper's ``K(0) = 0`` and ``P(0) = 0``."""
CONTINUOUS_FIRING_THEN: dict[sp.Symbol, sp.Expr] = {K: SUM_W, P: sp.S.One}
"""Spec values at every step ``t >= 2``: ``K(n) = sum(W)`` and ``P(n) = 1`` for ``n >= 1``."""


def _units(model: NeuronModel) -> list[sp.Symbol]:
    return [u.symbol for u in model.units]


def affine_updates(model: NeuronModel = ND_CNP) -> dict[str, AffineUpdate]:
    """Each unit's ``"decay"`` update split into coefficient and forcing.

    Raises
    ------
    NotDerivableError
        If an update is not affine in its own unit or couples units.
    """
    updates = model.updates("decay")
    return {u.name: affine_update(updates[u.name], u.symbol, _units(model)) for u in model.units}


def general_closed_forms(model: NeuronModel = ND_CNP) -> dict[str, sp.Expr]:
    """``X(t)`` for every unit under a general coupling sequence ``K(n)`` and spikes ``P(n)``.

    Valid for ``t >= 0`` under the ``"decay"`` semantics (Theorems 1-2, Eqs. 8 and
    10 of [1]_; for ``T`` the same form with ``P(n)`` in place of ``K(n)``).
    ``K(n)`` is the paper's sequence: the spec's ``K`` at step ``t`` is ``K(t - 1)``.

    Returns
    -------
    dict of str to sympy.Expr
        Over the step symbol :data:`ndtheory.recurrence.t` and ``Sum`` over
        :data:`~ndtheory.recurrence.K_SEQ` / :data:`~ndtheory.recurrence.P_SEQ`.
    """
    initial = model.initial_state()
    return {
        name: solve_general(update, initial[name]) for name, update in affine_updates(model).items()
    }


def continuous_firing_closed_forms(
    model: NeuronModel = ND_CNP, semantics: Semantics = "decay"
) -> dict[str, sp.Expr]:
    """``X(t)`` for ``t >= 1`` when the neuron and its neighbours fire at every step.

    The neuron starts from :meth:`~ndtheory.spec.NeuronModel.initial_state` and
    fires at steps ``1, 2, ...``; so step 1 sees ``K(0) = 0``, ``P(0) = 0`` and
    every later step ``K(n) = sum(W)``, ``P(n) = 1`` (the proof of Theorem 1 and
    Theorem 3 of [1]_). Under either semantics the decay then applies from step 2.

    Returns
    -------
    dict of str to sympy.Expr
        Over :data:`ndtheory.recurrence.t` and :data:`ndtheory.spec.SUM_W`.
    """
    model.check_semantics(semantics)
    return dict(_continuous_firing_closed_forms(model, semantics))


@cache
def _continuous_firing_closed_forms(
    model: NeuronModel, semantics: Semantics
) -> tuple[tuple[str, sp.Expr], ...]:
    updates = model.updates(semantics)
    initial = model.initial_state()
    for u in model.units:
        others = sorted(v.name for v in model.units if v is not u and updates[u.name].has(v.symbol))
        if others:
            raise NotDerivableError(f"the update of {u.name} couples it to {', '.join(others)}")
    return tuple(
        (
            u.name,
            solve_two_phase(
                updates[u.name],
                u.symbol,
                initial[u.name],
                CONTINUOUS_FIRING_FIRST,
                CONTINUOUS_FIRING_THEN,
            ),
        )
        for u in model.units
    )


@dataclass(frozen=True)
class FormCheck:
    """The symbolic checks of one closed form.

    Parameters
    ----------
    unit : str
    form : str
        ``"general"`` or ``"continuous firing"``.
    closed : sympy.Expr
    substitution : tuple of (bool, sympy.Expr)
        ``(holds, residual)`` after substitution into the recurrence.
    rsolve : RsolveCheck
    """

    unit: str
    form: str
    closed: sp.Expr
    substitution: tuple[bool, sp.Expr]
    rsolve: RsolveCheck


def check_closed_forms(model: NeuronModel = ND_CNP) -> list[FormCheck]:
    """Substitution and ``rsolve`` checks of every general and continuous-firing form.

    The numeric iteration check (the third way) lives in the tests, on hundreds of
    sampled parameter sets.
    """
    initial = model.initial_state()
    checks = []
    for name, update in affine_updates(model).items():
        closed = general_closed_forms(model)[name]
        checks.append(
            FormCheck(
                name,
                "general",
                closed,
                check_substitution(closed, update, initial[name], start=1),
                check_rsolve(closed, update, initial[name], start=0),
            )
        )
        closed = continuous_firing_closed_forms(model)[name]
        x1 = closed.subs(t, 1)
        checks.append(
            FormCheck(
                name,
                "continuous firing",
                closed,
                _check_two_phase(closed, update, initial[name]),
                check_rsolve(closed, update, x1, start=1, value=CONTINUOUS_FIRING_THEN),
            )
        )
    return checks


def _check_two_phase(
    closed: sp.Expr, update: AffineUpdate, initial: sp.Expr
) -> tuple[bool, sp.Expr]:
    """Step 1 from ``X(0)`` with the first-step values, then the recurrence for ``t >= 2``."""
    step1 = update.coefficient * initial + update.forcing.subs(CONTINUOUS_FIRING_FIRST)
    holds, residual = check_substitution(
        closed, update, step1, start=2, value=CONTINUOUS_FIRING_THEN
    )
    return holds, residual
