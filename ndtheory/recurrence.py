"""Linear first-order recurrences read out of the model spec, solved and checked.

Every unit of a declared model updates as ``X(t) = a*X(t-1) + f`` where ``f`` (the
forcing) may hold the coupling ``K``, the own spike ``P``, the input ``I`` and
parameters. This module reads ``a`` and ``f`` out of a spec expression, solves the
recurrence, and checks a closed form three ways (substitution, ``rsolve``, exact
numeric iteration).

Index mapping
-------------
Inside the spec, ``K`` at step ``t`` is the coupling from the neighbours' spikes at
``t - 1``. The paper defines ``K(n) = sum_kl W_kl P_kl(n)``, so the spec's ``K`` at
step ``t`` is the paper's ``K(t - 1)``, and the spec's ``P`` at step ``t`` is
``P(t - 1)``. Sequences here use the paper's indexing: :data:`K_SEQ` ``(n)`` and
:data:`P_SEQ` ``(n)``, so that ``X(t) = a*X(t-1) + F(t-1)`` with
``F(n) = f[K -> K(n), P -> P(n)]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ndtheory.errors import NotDerivableError
from ndtheory.spec import K, P

t = sp.Symbol("t", integer=True, nonnegative=True)
"""The step index."""
n = sp.Symbol("n", integer=True, nonnegative=True)
"""The summation index of the paper's sums (Eqs. 8, 10)."""
K_SEQ = sp.Function("K")
"""The paper's coupling sequence ``K(n) = sum_kl W_kl P_kl(n)``."""
P_SEQ = sp.Function("P")
"""The neuron's own spike sequence ``P(n)``."""


@dataclass(frozen=True)
class AffineUpdate:
    """``X(t) = coefficient*X(t-1) + forcing``, read out of a spec expression.

    Parameters
    ----------
    unit : sympy.Symbol
        The unit ``X`` (its value at ``t - 1`` inside the spec expression).
    coefficient : sympy.Expr
        ``a``: free of every unit, of ``K`` and of ``P``.
    forcing : sympy.Expr
        ``f``: free of every unit; may hold ``K``, ``P``, ``I`` and parameters.
    """

    unit: sp.Symbol
    coefficient: sp.Expr
    forcing: sp.Expr

    def forcing_at(self, index: sp.Expr) -> sp.Expr:
        """``F(index)``: the forcing with the paper's sequences at ``index``."""
        return self.forcing.xreplace({K: K_SEQ(index), P: P_SEQ(index)})


def affine_update(expr: sp.Expr, unit: sp.Symbol, units: Iterable[sp.Symbol] = ()) -> AffineUpdate:
    """Split a spec update into the coefficient of ``unit`` and the forcing term.

    Parameters
    ----------
    expr : sympy.Expr
        The unit's update from :meth:`ndtheory.spec.NeuronModel.update`.
    unit : sympy.Symbol
        The unit being updated.
    units : iterable of sympy.Symbol
        Every unit of the model; the update may not depend on the others.

    Returns
    -------
    AffineUpdate

    Raises
    ------
    NotDerivableError
        If ``expr`` is piecewise, not affine in ``unit``, has a coefficient that
        varies with ``K``/``P``, or depends on another unit.
    """
    if expr.has(sp.Piecewise):
        raise NotDerivableError(
            f"the update of {unit} is piecewise (its decay depends on the spike P); "
            "only a fixed spike train makes it affine"
        )
    coefficient = sp.expand(sp.diff(expr, unit))
    if coefficient.has(unit):
        raise NotDerivableError(f"the update of {unit} is not affine in {unit}: {expr}")
    if coefficient.has(K, P):
        raise NotDerivableError(
            f"the coefficient of {unit} in its update varies with the spikes: {coefficient}"
        )
    forcing = sp.expand(expr - coefficient * unit)
    if forcing.has(unit):
        raise NotDerivableError(f"the update of {unit} is not affine in {unit}: {expr}")
    others = sorted(str(u) for u in set(units) - {unit} if expr.has(u))
    if others:
        raise NotDerivableError(f"the update of {unit} couples it to {', '.join(others)}")
    return AffineUpdate(unit, coefficient, forcing)


def geometric_sum(ratio: sp.Expr, terms: sp.Expr) -> sp.Expr:
    """``sum_{j=0}^{terms-1} ratio**j`` in closed form (``terms`` for ``ratio = 1``)."""
    if ratio == 1:
        return terms
    return (1 - ratio**terms) / (1 - ratio)


def solve_general(update: AffineUpdate, initial: sp.Expr) -> sp.Expr:
    """Closed form of ``X(t) = a*X(t-1) + F(t-1)``, ``X(0) = initial``, ``t >= 0``.

    ``X(t) = a**t*X(0) + sum_{n=0}^{t-1} a**(t-n-1)*F(n)``: the parts of ``F`` that
    do not depend on ``n`` are summed as a geometric series, the rest stay as
    ``Sum`` over the sequences ``K(n)``, ``P(n)`` (Theorems 1-2 of the paper).
    """
    a = update.coefficient
    closed = a**t * initial
    for term in sp.Add.make_args(sp.expand(update.forcing_at(n))):
        constant, varying = term.as_independent(n, as_Add=False)
        if varying == 1:
            closed += constant * geometric_sum(a, t)
        else:
            closed += constant * sp.Sum(varying * a ** (t - n - 1), (n, 0, t - 1))
    return closed


def solve_two_phase(
    update: AffineUpdate, initial: sp.Expr, first: Mapping, then: Mapping
) -> sp.Expr:
    """Closed form for ``t >= 1`` when the sequences take one value at step 1, another after.

    Parameters
    ----------
    update : AffineUpdate
        The unit's update (``"decay"`` semantics) or, for spike-dependent decay,
        use :func:`solve_two_phase_exprs`.
    initial : sympy.Expr
        ``X(0)``.
    first, then : mapping
        Values of the spec symbols ``K``, ``P`` at step 1 and at every step ``t >= 2``.

    Returns
    -------
    sympy.Expr
        ``X(t) = a**(t-1)*X(1) + f_then*(1 - a**(t-1))/(1 - a)``, valid for ``t >= 1``.
    """
    expr = update.coefficient * update.unit + update.forcing
    return solve_two_phase_exprs(expr, update.unit, initial, first, then)


def solve_two_phase_exprs(
    expr: sp.Expr, unit: sp.Symbol, initial: sp.Expr, first: Mapping, then: Mapping
) -> sp.Expr:
    """:func:`solve_two_phase` on a raw spec update (piecewise decay allowed).

    Substituting the spike values first makes a ``"decay-on-fire"`` update affine
    with a constant coefficient on each phase.
    """
    step1 = affine_update(_settle(expr.subs(first)), unit)
    later = affine_update(_settle(expr.subs(then)), unit)
    if later.forcing.has(K, P):
        raise NotDerivableError(f"the values for steps t >= 2 leave K or P in {later.forcing}")
    x1 = step1.coefficient * initial + step1.forcing
    a = later.coefficient
    return a ** (t - 1) * x1 + later.forcing * geometric_sum(a, t - 1)


def _settle(expr: sp.Expr) -> sp.Expr:
    return sp.piecewise_fold(expr).doit() if expr.has(sp.Piecewise) else expr


def _peel_last(expr: sp.Expr) -> sp.Expr:
    """Split last terms off ``Sum`` s over ``t`` until all end at the same upper limit."""
    sums = [s for s in expr.atoms(sp.Sum) if s.limits[0][2].has(t)]
    if not sums:
        return expr
    lowest = min((s.limits[0][2] - t for s in sums), key=lambda e: int(e))

    def peel(s: sp.Sum) -> sp.Expr:
        (var, lo, hi), summand = s.limits[0], s.function
        if not hi.has(t) or hi - t == lowest:
            return s
        return peel(sp.Sum(summand, (var, lo, hi - 1))) + summand.subs(var, hi)

    return expr.xreplace({s: peel(s) for s in sums})


def _combine_sums(expr: sp.Expr) -> sp.Expr:
    """Add ``c*Sum(g)`` terms with equal limits into one ``Sum`` and simplify its summand."""
    grouped: dict[tuple, sp.Expr] = {}
    rest = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr)):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1:
            rest += term
            continue
        coefficient = sp.Mul(*(f for f in sp.Mul.make_args(term) if f is not sums[0]))
        key = sums[0].limits
        grouped[key] = grouped.get(key, sp.S.Zero) + coefficient * sums[0].function
    total = sp.simplify(rest)
    for limits, summand in grouped.items():
        summand = sp.simplify(sp.powsimp(sp.expand(summand, power_exp=False), force=True))
        if summand != 0:
            total += sp.Sum(summand, *limits)
    return total


def simplify_sums(expr: sp.Expr) -> sp.Expr:
    """Simplify an expression holding ``Sum`` terms over the paper's sequences."""
    return _combine_sums(expr)


def check_substitution(
    closed: sp.Expr, update: AffineUpdate, initial: sp.Expr, start: int = 1, value=None
) -> tuple[bool, sp.Expr]:
    """Substitute a closed form into its recurrence, as ``sympy.checkodesol`` does.

    Parameters
    ----------
    closed : sympy.Expr
        ``X(t)``.
    update : AffineUpdate
        The recurrence ``X(t) = a*X(t-1) + F(t-1)``.
    initial : sympy.Expr
        The value the closed form must take at ``t = start - 1``, or, with
        ``value`` given, ignored.
    start : int
        The recurrence must hold for ``t >= start``.
    value : mapping, optional
        For two-phase forms: the values of ``K``, ``P`` for ``t >= start``
        (then the recurrence's forcing is that constant) and ``initial`` is
        checked at ``t = start - 1``.

    Returns
    -------
    holds : bool
        Whether the residual simplifies to zero.
    residual : sympy.Expr
        ``X(t) - a*X(t-1) - F(t-1)`` and ``X(start-1) - initial``, added as a tuple.
    """
    forcing = update.forcing.subs(value) if value is not None else update.forcing_at(t - 1)
    step = closed - update.coefficient * closed.subs(t, t - 1) - forcing
    step = simplify_sums(_peel_last(step))
    start_value = sp.simplify(closed.subs(t, start - 1).doit() - initial)
    residual = sp.Tuple(step, start_value)
    return step == 0 and start_value == 0, residual


@dataclass(frozen=True)
class RsolveCheck:
    """Outcome of solving the recurrence with ``sympy.rsolve``.

    ``status`` is ``"agrees"``, ``"differs"``, ``"no solution"`` (rsolve returned
    ``None``) or ``"failed"`` (rsolve raised; ``detail`` has the message).
    """

    status: str
    solution: sp.Expr | None = None
    detail: str = ""


def check_rsolve(
    closed: sp.Expr, update: AffineUpdate, initial: sp.Expr, start: int = 0, value=None
) -> RsolveCheck:
    """Solve ``X(t) = a*X(t-1) + F(t-1)``, ``X(start) = closed(start)`` with ``rsolve``.

    rsolve handles only hypergeometric forcing, so a general ``K(n)`` fails; that
    failure is reported, not hidden. ``initial`` is ``X(start)``.
    """
    x = sp.Function("X")
    forcing = update.forcing.subs(value) if value is not None else update.forcing_at(t - 1)
    equation = x(t) - update.coefficient * x(t - 1) - forcing
    try:
        solution = sp.rsolve(equation, x(t), {x(start): initial})
    except (ValueError, NotImplementedError, TypeError) as error:
        return RsolveCheck("failed", None, f"{type(error).__name__}: {error}")
    if solution is None:
        return RsolveCheck("no solution", None, "rsolve returned None")
    same = sp.simplify(solution - closed) == 0
    return RsolveCheck("agrees" if same else "differs", solution)


class _ExactPrinter(PythonCodePrinter):
    """Prints rationals as ``Fraction`` so lambdified code stays exact on ``Fraction``."""

    def _print_Rational(self, expr):
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return self._print_Rational(expr)


def exact_lambdify(args: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    """``lambdify`` whose code keeps :class:`fractions.Fraction` arguments exact."""
    return sp.lambdify(args, expr, modules=[{"Fraction": Fraction}], printer=_ExactPrinter)


def iterate(update: sp.Expr, unit: sp.Symbol, initial, steps: Sequence[Mapping]) -> list:
    """Iterate a spec update; ``steps[j]`` holds the symbol values for step ``j + 1``.

    Values may be :class:`fractions.Fraction` (exact) or floats. Returns
    ``[X(0), X(1), ..., X(len(steps))]``.
    """
    names = sorted({s for m in steps for s in m}, key=str)
    f = exact_lambdify([unit, *names], update)
    values = [initial]
    for values_at in steps:
        values.append(f(values[-1], *(values_at[s] for s in names)))
    return values
