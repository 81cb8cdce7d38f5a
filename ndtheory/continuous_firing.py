"""The continuous-firing condition of any declared model, or why there is none.

Theorem 4 of [1]_ generalised. Along the trajectory on which the neuron and its
neighbours fire at every step ``t >= 1`` (closed forms from
:func:`ndtheory.closed_forms.continuous_firing_closed_forms`), the firing margin
``m(t)`` (``lhs - rhs`` of the firing condition) is, for every model shipped,
affine in the input: ``m(t) = A(t) I + B(t)``. Step ``t`` then fires iff
``I > I_t = -B(t)/A(t)`` where ``A(t) > 0``, and lasting continuous firing needs
``I >= lim_{t->oo} I_t``: the *bound*.

The limit is taken on the asymptotic part of ``A`` and ``B``: terms with a
decaying factor (``alpha**t`` for a parameter declared in (0, 1), ``exp(-c t)``
with ``c > 0``) are dropped, and what is left must be a polynomial in ``t``. Then

* units that converge (ND-CNP, DTNP, PCNN): ``A``, ``B`` tend to constants and the
  bound is their ratio, as in Theorem 4;
* units that grow linearly (classic CNP, no decay): ``A``, ``B`` are polynomials
  and the bound is the ratio of their leading coefficients, valid where the
  leading coefficient of ``A`` is non-zero with the stated sign. Those side
  conditions are kept in :attr:`ContinuousFiringCondition.conditions` unless the
  declared parameter ranges prove them.

Anything else raises :class:`~ndtheory.errors.NotDerivableError` saying why.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Theorem 4, Eqs. (14)-(17).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from ndtheory.bound import firing_margin
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.recurrence import t
from ndtheory.spec import SUM_W, I, NeuronModel


@dataclass(frozen=True)
class ContinuousFiringCondition:
    """What lasting continuous firing requires of the input ``I``.

    Parameters
    ----------
    model : str
        The model's name.
    margin : sympy.Expr
        ``m(t)`` for ``t >= 1`` along continuous firing; step ``t`` fires iff ``m(t) > 0``
        (``>= 0`` for a ``>=`` firing condition).
    input_coefficient : sympy.Expr
        ``A(t)``, the coefficient of ``I`` in ``m(t)``.
    threshold : sympy.Expr
        ``I_t = -B(t)/A(t)``.
    growth : str
        ``"bounded"`` when ``A`` and ``B`` tend to constants, ``"polynomial of degree d"``
        when they grow like ``t**d``.
    bound : sympy.Expr
        ``lim I_t``.
    direction : str
        ``">"``: lasting continuous firing needs ``I >= bound`` (the sign of ``A``'s
        leading coefficient is positive); ``"<"``: it needs ``I <= bound``.
    conditions : tuple of sympy.Rel
        Side conditions on the parameters under which ``bound`` and ``direction``
        hold, when the declared ranges do not prove them.
    explanation : str
        One paragraph in words.
    """

    model: str
    margin: sp.Expr
    input_coefficient: sp.Expr
    threshold: sp.Expr
    growth: str
    bound: sp.Expr
    direction: str
    conditions: tuple[sp.Rel, ...]
    explanation: str


def _rate(atom: sp.Expr, decaying: set[sp.Symbol]) -> tuple[sp.Expr, int] | None:
    """For ``atom = b**(c t + d)`` or ``exp(c t + d)``: ``(b**d or exp(d), +1/-1)`` with
    ``-1`` when the ``t`` part decays, ``+1`` when it grows; ``None`` if undecided."""
    if isinstance(atom, sp.exp):
        exponent, slope = atom.args[0], sp.diff(atom.args[0], t)
        sign = -1 if slope.is_negative else 1 if slope.is_positive else 0
        base_part = sp.exp(exponent.subs(t, 0))
    else:
        exponent, slope = atom.exp, sp.diff(atom.exp, t)
        if atom.base not in decaying or (slope.is_positive is None and slope.is_negative is None):
            return None
        sign = -1 if slope.is_positive else 1
        base_part = atom.base ** exponent.subs(t, 0)
    if sign == 0 or slope.has(t):
        return None
    return base_part, sign


def asymptotic_part(expr: sp.Expr, model: NeuronModel) -> sp.Poly:
    """``expr`` as ``t -> oo`` with its decaying terms dropped, as a polynomial in ``t``.

    Every ``t``-dependent power (``alpha**(t-1)``, ``exp(-alpha_F*(t-1))``) is written
    as a constant times ``z**t``-like placeholder ``Z``; placeholders of decaying
    powers (``0 < alpha < 1`` declared, ``exp(c t)`` with ``c < 0`` provable) go to
    0, those of growing ones enter as ``1/Z`` with ``Z -> 0``. Setting ``Z = 0`` in
    the reduced fraction is the limit when the denominator stays non-zero.

    Raises
    ------
    NotDerivableError
        If a power's growth is undecided on the declared ranges, the denominator
        vanishes in the limit, or what is left is not a polynomial in ``t``.
    """
    decaying = {p.symbol for p in model.parameters if p.interval.is_subset(sp.Interval.open(0, 1))}
    placeholders: dict[sp.Expr, sp.Expr] = {}
    zeros: dict[sp.Symbol, int] = {}
    for atom in expr.atoms(sp.Pow, sp.exp):
        exponent = atom.args[0] if isinstance(atom, sp.exp) else atom.exp
        if not exponent.has(t):
            continue
        rate = _rate(atom, decaying)
        if rate is None:
            raise NotDerivableError(
                f"{model.name}: cannot tell whether {atom} decays or grows on the declared ranges"
            )
        z = sp.Symbol(f"_z{len(zeros)}", positive=True)
        zeros[z] = 0
        placeholders[atom] = rate[0] * (z if rate[1] < 0 else 1 / z)
    reduced = sp.cancel(sp.together(expr.xreplace(placeholders)))
    numerator, denominator = sp.fraction(reduced)
    den0 = sp.expand(denominator.subs(zeros))
    if den0 == 0:
        raise NotDerivableError(
            f"{model.name}: the limit of {expr} as t -> oo is not a plain value"
        )
    kept = sp.cancel(sp.expand(numerator.subs(zeros)) / den0)
    try:
        return sp.Poly(kept, t)
    except sp.PolynomialError:
        raise NotDerivableError(
            f"{model.name}: t enters the firing margin neither as a decaying power nor "
            f"polynomially: {kept}"
        ) from None


def _interior_substitution(model: NeuronModel) -> dict[sp.Symbol, sp.Expr]:
    """Each parameter (and ``sum(W)``) as a function of a positive ``s`` covering its range."""
    out: dict[sp.Symbol, sp.Expr] = {SUM_W: sp.Symbol("s_sum_W", positive=True)}
    for p in model.parameters:
        s = sp.Symbol(f"s_{p.name}", positive=True)
        low = sp.nsimplify(p.low) if p.low != float("-inf") else None
        high = sp.nsimplify(p.high) if p.high != float("inf") else None
        if low is not None and high is not None:
            out[p.symbol] = low + (high - low) * s / (1 + s)
        elif low is not None:
            out[p.symbol] = low + s
        elif high is not None:
            out[p.symbol] = high - s
    return out


def sign_on_ranges(expr: sp.Expr, model: NeuronModel) -> int | None:
    """``+1`` / ``-1`` if ``expr`` is positive / negative on the whole interior of the
    declared ranges (``sum(W) > 0``), as SymPy can prove; ``None`` if not proven."""
    inside = sp.factor(sp.together(expr.xreplace(_interior_substitution(model))))
    # exp(x) > 1 for x > 0: SymPy does not use it, so write exp(x) = 1 + w, w > 0.
    ones = {}
    for atom in inside.atoms(sp.exp):
        w = sp.Symbol(f"_w{len(ones)}", positive=True)
        if atom.args[0].is_positive:
            ones[atom] = 1 + w
        elif atom.args[0].is_negative:
            ones[atom] = 1 / (1 + w)
    if ones:
        inside = sp.factor(sp.together(inside.xreplace(ones)))
    if inside.is_positive:
        return 1
    if inside.is_negative:
        return -1
    return None


def derive_continuous_firing(
    model: NeuronModel, given: Mapping[str, sp.Expr] | None = None
) -> ContinuousFiringCondition:
    """Derive the continuous-firing condition of ``model`` (Theorem 4 for ND-CNP).

    Parameters
    ----------
    model : NeuronModel
        Any declared model.
    given : mapping of str to sympy.Expr, optional
        Relations to impose first, by parameter name (e.g. ``{"v": SUM_W}`` for the
        classic CNP's case ``sum(W) = v``, where the generic leading term vanishes).

    Returns
    -------
    ContinuousFiringCondition

    Raises
    ------
    NotDerivableError
        If a unit's update is not affine or couples units (no closed form), the
        firing condition is not an inequality, the margin is not affine in ``I``,
        ``t`` enters neither decaying nor polynomially, or the bound is infinite.
    """
    return _derive(model, tuple(sorted((given or {}).items())))


@cache
def _derive(
    model: NeuronModel, given: tuple[tuple[str, sp.Expr], ...]
) -> ContinuousFiringCondition:
    margin = firing_margin(model)
    symbols = model.symbols
    if given:
        margin = margin.xreplace({symbols[name]: value for name, value in given})
    A = sp.diff(margin, I)
    if sp.expand(sp.diff(A, I)) != 0:
        raise NotDerivableError(
            f"{model.name}: the firing margin along continuous firing is not affine in I, "
            f"so no single input bound exists: m(t) = {margin}"
        )
    B = margin.subs(I, 0)
    a_poly, b_poly = asymptotic_part(A, model), asymptotic_part(B, model)
    if a_poly.is_zero:
        raise NotDerivableError(
            f"{model.name}: the input's weight in the firing margin vanishes as t -> oo; "
            "the input does not decide continuous firing"
        )
    degree_a, degree_b = a_poly.degree(), b_poly.degree() if not b_poly.is_zero else -1
    if degree_b > degree_a:
        raise NotDerivableError(
            f"{model.name}: the input-free part of the margin grows like t^{degree_b}, faster "
            f"than the input's weight (t^{degree_a}); no finite input bound exists"
        )
    lead_a = sp.factor(a_poly.LC())
    bound = sp.factor(sp.cancel(-b_poly.LC() / lead_a)) if degree_b == degree_a else sp.S.Zero
    conditions: list[sp.Rel] = []
    sign = sign_on_ranges(lead_a, model)
    if sign is None:
        conditions.append(sp.StrictGreaterThan(lead_a, 0))
        sign = 1
    direction = ">" if sign > 0 else "<"
    growth = "bounded" if degree_a == 0 else f"polynomial of degree {degree_a}"
    relation = "I >= bound" if direction == ">" else "I <= bound"
    explanation = (
        f"Under continuous firing the firing margin is A(t) I + B(t); A and B are {growth} "
        f"in t. Step t fires iff I {direction} I_t = -B(t)/A(t), and I_t -> {bound} as "
        f"t -> oo, so lasting continuous firing needs {relation}"
        + (f" where {', '.join(map(str, conditions))}" if conditions else "")
        + "."
    )
    return ContinuousFiringCondition(
        model=model.name,
        margin=margin,
        input_coefficient=A,
        threshold=-B / A,
        growth=growth,
        bound=bound,
        direction=direction,
        conditions=tuple(conditions),
        explanation=explanation,
    )


def _values(model: NeuronModel, params: Mapping[str, float], sum_W: float) -> dict:
    checked = model.validate(params)
    if not sum_W >= 0:
        raise NdcnpInputError(f"sum_W must be a number >= 0; got {sum_W!r}")
    values = {model.symbols[name]: value for name, value in checked.items()}
    values[SUM_W] = float(sum_W)
    return values


def bound_value(model: NeuronModel, params: Mapping[str, float], sum_W: float, given=None) -> float:
    """The derived bound at numeric parameters.

    Raises
    ------
    NdcnpInputError
        For out-of-range parameters, or when a side condition of the derivation
        fails at these values (the bound then does not apply).
    """
    condition = derive_continuous_firing(model, given)
    values = _values(model, params, sum_W)
    for relation in condition.conditions:
        if not bool(relation.xreplace(values)):
            raise NdcnpInputError(
                f"{model.name}: the bound needs {relation}, which fails for these values"
            )
    return float(condition.bound.xreplace(values))


def margin_terms(
    model: NeuronModel, params: Mapping[str, float], sum_W: float, n_steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """``A(t)``, ``B(t)`` for ``t = 1..n_steps``: step ``t`` of continuous firing fires iff
    ``A(t) I + B(t) > 0`` (``>= 0`` for a ``>=`` firing condition)."""
    values = _values(model, params, sum_W)
    names, functions = _margin_functions(model)
    steps = np.arange(1, int(n_steps) + 1, dtype=np.float64)
    args = [values[symbol] for symbol in names]
    out = [np.broadcast_to(np.asarray(f(steps, *args), np.float64), steps.shape) for f in functions]
    return out[0], out[1]


@cache
def _margin_functions(model: NeuronModel):
    condition = derive_continuous_firing(model)
    names = [p.symbol for p in model.parameters] + [SUM_W]
    exprs = (condition.input_coefficient, condition.margin.subs(I, 0))
    return names, [sp.lambdify([t, *names], e, modules="numpy") for e in exprs]
