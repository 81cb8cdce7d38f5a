"""Where lasting continuous firing from rest really starts: the exact onset set.

Beyond [1]_. Theorem 4 says ``I > B`` (Eq. 17) lets a neuron fire continuously; in a
uniform neighbourhood under the ``decay`` reading that is not sufficient
(docs/findings.md). This module computes, for a model, its parameters, the
neighbours (``always``, ``uniform``) and the semantics, the set

    S = {I : the neuron, started from rest, fires at every step from some step on}

as a union of intervals with exact rational endpoints, each piece certified.

Method (exact rationals throughout):

* **Cells.** While the spike train is fixed, every update is affine in the units and
  in ``I``, so the state after a prefix of spikes is affine in ``I`` and so is the
  firing margin (``U(1+V) - T`` for ND-CNP; checked, else ``NotDerivableError``). The
  inputs that realise a given prefix form an interval; stepping a cell splits it at
  the root of the margin. :class:`Affine` carries ``a + b I`` through the model's own
  compiled update (:func:`ndtheory.exact.exact_step`).
* **Continuous tail.** Firing at every step, the state tends to the fixed point
  ``x*(I)`` as ``x* + a^k (x - x*)`` (``a`` the units' decay factors, the update's
  diagonal linear part), so the margin ``k`` steps on is
  ``m*(I) + sum_e C_e(I) rho_e^k``, a finite exponential sum (``m*`` is Theorem 4's
  limit margin, zero at ``I = B``). A cell is certified *continuous* on the inputs
  where the first ``K`` margins are positive (affine roots) and
  ``m*(I) > sum_e max|C_e| rho_e^(K+1)``.
* **Periodic tail.** When the prefix ends with two repeats of a pattern ``w``, the
  deviation from ``w``'s periodic orbit (:mod:`ndtheory.regimes`) decays the same
  way, period by period; a cell is certified *periodic* (never continuous) when
  every phase keeps its sign for ever: either its orbit margin beats the summed
  deviation, or, at an end of the orbit's existence interval where the orbit margin
  is 0, the dominant deviation term has the right sign and outweighs the others.

Below ``B`` nothing fires for ever (necessity, findings 2); for ND-CNP the neuron
fires at every step from rest above ``sup_t I_t`` (finding 3), so only ``[B, sup]``
needs exploring. Cells that reach the step limit unresolved are reported as such.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Theorem 4, Eqs. (1)-(3), (7), (14)-(17).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import sympy as sp

from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.exact import _ExactPrinter, exact_parameters, exact_step, exact_value
from ndtheory.spec import ND_CNP, SUM_W, K, NeuronModel, P

NEIGHBOURS: tuple[str, ...] = ("always", "uniform")
"""``"always"``: neighbours fire at every step ``t >= 1`` (``K(1) = 0``, then ``sum(W)``);
``"uniform"``: ``K(t) = sum(W) P(t-1)`` (a flat image region)."""


class Affine:
    """``a + b I``: a number that depends affinely on the input, exactly.

    Products must stay affine (one factor free of ``I``); otherwise the margin is
    not affine in ``I`` and :class:`NotDerivableError` is raised.
    """

    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any = 0) -> None:
        self.a, self.b = Fraction(a), Fraction(b)

    @staticmethod
    def _of(x: Any) -> Affine:
        return x if isinstance(x, Affine) else Affine(x)

    def __add__(self, other: Any) -> Affine:
        o = Affine._of(other)
        return Affine(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __neg__(self) -> Affine:
        return Affine(-self.a, -self.b)

    def __sub__(self, other: Any) -> Affine:
        return self + (-Affine._of(other))

    def __rsub__(self, other: Any) -> Affine:
        return Affine._of(other) - self

    def __mul__(self, other: Any) -> Affine:
        o = Affine._of(other)
        if self.b and o.b:
            raise NotDerivableError("the firing margin is not affine in I on a fixed spike train")
        return Affine(self.a * o.a, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Affine:
        o = Affine._of(other)
        if o.b:
            raise NotDerivableError("division by an I-dependent value")
        return Affine(self.a / o.a, self.b / o.a)

    def __pow__(self, n: int) -> Affine:
        out = Affine(1)
        for _ in range(int(n)):
            out = out * self
        return out

    def __call__(self, value: Fraction) -> Fraction:
        """The value at ``I = value``."""
        return self.a + self.b * value

    def max_abs(self, lo: Fraction, hi: Fraction) -> Fraction:
        """``max |a + b I|`` over ``[lo, hi]`` (at an end, being affine)."""
        return max(abs(self(lo)), abs(self(hi)))

    def minimum(self, lo: Fraction, hi: Fraction) -> Fraction:
        return min(self(lo), self(hi))

    def maximum(self, lo: Fraction, hi: Fraction) -> Fraction:
        return max(self(lo), self(hi))

    def root(self) -> Fraction | None:
        return None if self.b == 0 else -self.a / self.b

    def __repr__(self) -> str:
        return f"Affine({self.a}, {self.b})"


@dataclass(frozen=True)
class Span:
    """An interval of inputs with exact ends; ``lo == hi`` with both ends closed is a point."""

    lo: Fraction
    hi: Fraction
    lo_open: bool = False
    hi_open: bool = False

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def above(self, r: Fraction, strict: bool) -> Span:
        """The part with ``I > r`` (strict) or ``I >= r``."""
        if r < self.lo or (r == self.lo and (self.lo_open or not strict)):
            return self
        return Span(r, self.hi, strict, self.hi_open) if r <= self.hi else Span(r, r, True, True)

    def below(self, r: Fraction, strict: bool) -> Span:
        """The part with ``I < r`` (strict) or ``I <= r``."""
        if r > self.hi or (r == self.hi and (self.hi_open or not strict)):
            return self
        return Span(self.lo, r, self.lo_open, strict) if r >= self.lo else Span(r, r, True, True)

    def text(self) -> str:
        return (
            f"{'(' if self.lo_open else '['}{_short(self.lo)}, "
            f"{_short(self.hi)}{')' if self.hi_open else ']'}"
        )

    @property
    def width(self) -> Fraction:
        return max(self.hi - self.lo, Fraction(0))


def _short(x: Fraction) -> str:
    """The exact value if short, else 15 significant digits."""
    if x.numerator.bit_length() + x.denominator.bit_length() <= 72:
        return str(x)
    return f"{float(x):.15g}"


def where_positive(m: Affine, span: Span, strict: bool = True) -> tuple[Span, Span]:
    """``(part of span where m > 0 (or >= 0), the rest)``."""
    if m.b == 0:
        fires = m.a > 0 if strict else m.a >= 0
        nothing = Span(span.lo, span.lo, True, True)
        return (span, nothing) if fires else (nothing, span)
    r = -m.a / m.b
    if m.b > 0:
        return span.above(r, strict), span.below(r, not strict)
    return span.below(r, strict), span.above(r, not strict)


@dataclass(frozen=True)
class _Dynamics:
    """A model compiled for the onset search at fixed parameters (exact)."""

    step: Any
    params: dict[str, Fraction]
    sum_W: Fraction
    neighbours: str
    decays: dict[int, tuple[Fraction, ...]]  # spike of t-1 -> diagonal linear part
    terms: tuple[tuple[tuple[int, ...], Any], ...]  # (exponents, term(xs, d, params))
    strict: bool

    def coupling(self, t: int, P: int) -> Fraction:
        if self.neighbours == "uniform":
            return self.sum_W * P
        return Fraction(0) if t == 1 else self.sum_W

    def advance(self, state: tuple, P: int, t: int) -> tuple:
        return self.step.update(state, Fraction(P), self.coupling(t, P), Affine(0, 1), self.params)

    def margin(self, state: tuple) -> Affine:
        return Affine._of(self.step.margin(state, self.params))

    def fixed_point(self) -> tuple[Affine, ...]:
        """``x*(I)`` of continuous firing (spike 1 every step, ``K = sum(W)``)."""
        zero = tuple(Affine(0) for _ in self.step.units)
        g = self.step.update(zero, Fraction(1), self.sum_W, Affine(0, 1), self.params)
        return tuple(Affine._of(c) / (1 - a) for c, a in zip(g, self.decays[1], strict=True))

    def deviation_terms(self, xs: tuple, d: tuple, rates: tuple[Fraction, ...]) -> list:
        """``[(rho_e, C_e)]``: the margin at ``xs + rate^j d`` is ``m(xs) + sum C_e rho_e^j``."""
        out = []
        for exponents, term in self.terms:
            rho = Fraction(1)
            for r, e in zip(rates, exponents, strict=True):
                rho *= r**e
            out.append((rho, Affine._of(term(xs, d, self.params))))
        return out


@cache
def _compiled_terms(model: NeuronModel) -> tuple[tuple[tuple[int, ...], Any], ...]:
    """The firing margin expanded around a point: ``m(xs + d) - m(xs)`` by monomials of ``d``."""
    margin = model.fires.lhs - model.fires.rhs
    if model.fires.rel_op in ("<", "<="):
        margin = -margin
    units = [u.symbol for u in model.units]
    xs = sp.symbols([f"xs_{u.name}" for u in model.units])
    ds = sp.symbols([f"d_{u.name}" for u in model.units])
    shifted = sp.expand(margin.xreplace({u: x + d for u, x, d in zip(units, xs, ds, strict=True)}))
    poly = sp.Poly(shifted, *ds)
    printer = _ExactPrinter()
    names = [p.name for p in model.parameters]
    out = []
    for exponents, coefficient in poly.terms():
        if not any(exponents):
            continue
        expr = coefficient * sp.Mul(*(d**e for d, e in zip(ds, exponents, strict=True)))
        source = "\n".join(
            [
                "def term(xs, d, params):",
                f"    ({', '.join(map(str, xs))},) = xs",
                f"    ({', '.join(map(str, ds))},) = d",
                *(f"    {n} = params[{n!r}]" for n in names),
                f"    return {printer.doprint(expr)}",
            ]
        )
        ns: dict[str, Any] = {"Q": Fraction}
        exec(compile(source, f"<margin term of {model.name}>", "exec"), ns)
        out.append((tuple(exponents), ns["term"]))
    return tuple(out)


def _diagonal_decays(model: NeuronModel, semantics: str, values: dict) -> dict[int, tuple]:
    """The diagonal linear part of the update after a spike ``s`` (0 or 1), exact."""
    updates = model.updates(model.check_semantics(semantics))
    units = [u.symbol for u in model.units]
    out = {}
    for s in (0, 1):
        row = []
        for unit in model.units:
            expr = updates[unit.name].subs({P: s, K: SUM_W * s}).xreplace(values)
            expr = sp.piecewise_fold(expr)
            if isinstance(expr, sp.Piecewise):
                expr = expr.args[0][0] if expr.args[0][1] == sp.true else expr
            expr = sp.expand(expr)
            for other in units:
                coefficient = sp.diff(expr, other)
                if other != unit.symbol and coefficient != 0:
                    raise NotDerivableError(f"{model.name}: the update couples units")
                if coefficient.free_symbols:
                    raise NotDerivableError(f"{model.name}: the update is not affine in the units")
            a = sp.diff(expr, unit.symbol)
            if not a.is_Rational:
                raise NotDerivableError(f"{model.name}: a decay factor {a} is not rational")
            row.append(Fraction(int(a.p), int(a.q)))
        out[s] = tuple(row)
    if not all(0 <= a < 1 for a in out[1]):
        raise NotDerivableError(
            f"{model.name}: under continuous firing a unit does not decay (factor >= 1); "
            "its limit margin is not a fixed point"
        )
    return out


def _dynamics(
    model: NeuronModel, params: Mapping[str, Any], sum_W: Any, neighbours: str, semantics: str
) -> _Dynamics:
    if neighbours not in NEIGHBOURS:
        raise NdcnpInputError(
            f"neighbours must be one of {', '.join(NEIGHBOURS)}; got {neighbours!r}"
        )
    exact = exact_parameters(model, params)
    total = exact_value(sum_W, "sum_W")
    if total < 0:
        raise NdcnpInputError(f"sum_W must be >= 0; got {total}")
    values = {model.symbols[n]: sp.Rational(v.numerator, v.denominator) for n, v in exact.items()}
    values[SUM_W] = sp.Rational(total.numerator, total.denominator)
    step = exact_step(model, semantics, "fraction")
    return _Dynamics(
        step=step,
        params=exact,
        sum_W=total,
        neighbours=neighbours,
        decays=_diagonal_decays(model, semantics, values),
        terms=_compiled_terms(model),
        strict=step.strict,
    )


@dataclass(frozen=True)
class Piece:
    """A certified (or unresolved) interval of inputs.

    Attributes
    ----------
    span : Span
    kind : {"continuous", "periodic", "below-bound", "unresolved"}
        ``continuous``: every input fires at every step from step ``start + 1`` on;
        ``periodic``: every input settles on ``pattern`` for ever (never continuous);
        ``below-bound``: below Theorem 4's ``B``, where lasting continuous firing is
        impossible; ``unresolved``: the step limit was reached.
    prefix : str
        The spike train from rest shared by every input of the piece (continuous:
        up to the certification step; periodic: up to the last of two repeats).
    pattern : str
        The periodic pattern (``"1"`` for continuous).
    tail_steps : int
        Continuous: the margins checked one by one beyond the prefix before the tail bound
        takes over; -1 for an *escape* piece (its inputs follow the prefix's last orbit for
        ever more periods, leave it, and then fire for ever: certified on a box of the
        states they can leave from). Periodic: 0.
    """

    span: Span
    kind: str
    prefix: str = ""
    pattern: str = ""
    tail_steps: int = 0

    @property
    def in_set(self) -> bool:
        return self.kind == "continuous"


@dataclass
class _Cell:
    span: Span
    state: tuple
    P: int
    train: str
    history: list = field(default_factory=list)  # states after each step (last few)


def _continuous_part(
    dyn: _Dynamics, cell: _Cell, xstar: tuple, mstar: Affine, max_tail: int
) -> tuple[Span, int] | None:
    """The inputs of ``cell`` that fire at every later step, certified, and the steps checked."""
    span = cell.span
    state, t = cell.state, len(cell.train)
    for k in range(1, max_tail + 1):
        state = dyn.advance(state, 1, t + k)
        fires, _ = where_positive(dyn.margin(state), span, dyn.strict)
        span = fires
        if span.empty:
            return None
        if k % 4 and k != max_tail:
            continue
        d = tuple(Affine._of(x) - xs for x, xs in zip(state, xstar, strict=True))
        terms = dyn.deviation_terms(xstar, d, dyn.decays[1])
        bound = sum((c.max_abs(span.lo, span.hi) * rho for rho, c in terms), Fraction(0))
        certified, _ = where_positive(mstar - bound, span, True)
        if not certified.empty:
            return certified, k
    return None


def _periodic_patterns(train: str, max_period: int) -> list[str]:
    """Every primitive ``w`` (length <= max_period) such that ``train`` ends with ``w w``."""
    found = []
    for L in range(1, max_period + 1):
        w = train[-L:]
        if len(train) >= 2 * L and train[-2 * L : -L] == w and "0" in w:
            if not any(L % len(v) == 0 and v * (L // len(v)) == w for v in found):
                found.append(w)
    return found


def _orbit_check(dyn: _Dynamics, cell: _Cell, w: str) -> tuple[bool, list[Fraction]]:
    """Whether every phase of ``w`` keeps its sign for ever on the whole cell; and the
    roots of orbit margins inside the cell (orbit existence ends) to split at."""
    L = len(w)
    t0 = len(cell.train) - L
    start = cell.history[-L - 1]  # state before the last period
    # orbit: x*_p = mu_p x*_0 + g_p, with g the period run from the zero state
    zero = tuple(Affine(0) for _ in dyn.step.units)
    spikes = [int(cell.train[t0 - 1]) if t0 >= 1 else 0] + [int(ch) for ch in w]
    g, mu = [], []
    x = zero
    rates = tuple(Fraction(1) for _ in dyn.step.units)
    for p in range(1, L + 1):
        x = dyn.step.update(
            x,
            Fraction(spikes[p - 1]),
            dyn.coupling(t0 + p, spikes[p - 1]),
            Affine(0, 1),
            dyn.params,
        )
        rates = tuple(r * a for r, a in zip(rates, dyn.decays[spikes[p - 1]], strict=True))
        g.append(tuple(Affine._of(v) for v in x))
        mu.append(rates)
    if any(r >= 1 for r in mu[-1]):
        return False, []
    x0 = tuple(gl / (1 - r) for gl, r in zip(g[-1], mu[-1], strict=True))
    del start
    span = cell.span
    ok, roots = True, []
    failing: list[int] = []
    phases: list[tuple] = []
    for p in range(1, L + 1):
        orbit = tuple(r * x + gp for r, x, gp in zip(mu[p - 1], x0, g[p - 1], strict=True))
        actual = tuple(Affine._of(v) for v in cell.history[-L - 1 + p])
        d = tuple(a - o for a, o in zip(actual, orbit, strict=True))
        mstar = dyn.margin(orbit)
        root = mstar.root()
        if root is not None and span.lo < root < span.hi:
            roots.append(root)
        terms = [(rho, c) for rho, c in dyn.deviation_terms(orbit, d, mu[-1])]
        sign = 1 if w[p - 1] == "1" else -1
        if not _keeps_sign(mstar, terms, span, sign, dyn.strict):
            ok = False
            failing.append(p)
        phases.append((orbit, d, mstar))
    if not ok and len(failing) == 1 and w[failing[0] - 1] == "0":
        escape = _escape(dyn, cell, w, failing[0], phases, mu[-1])
        if escape:
            return "escape", roots
    return ok, roots


class Interval:
    """A closed interval of rationals, for bounds over a box of states (escape tails)."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: Any, hi: Any = None) -> None:
        self.lo = Fraction(lo)
        self.hi = Fraction(lo if hi is None else hi)

    @staticmethod
    def _of(x: Any) -> Interval:
        return x if isinstance(x, Interval) else Interval(x)

    def __add__(self, other: Any) -> Interval:
        o = Interval._of(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other: Any) -> Interval:
        return self + (-Interval._of(other))

    def __rsub__(self, other: Any) -> Interval:
        return Interval._of(other) - self

    def __mul__(self, other: Any) -> Interval:
        o = Interval._of(other)
        ends = [a * b for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return Interval(min(ends), max(ends))

    __rmul__ = __mul__

    def __pow__(self, n: int) -> Interval:
        out = Interval(1)
        for _ in range(int(n)):
            out = out * self
        return out

    def magnitude(self) -> Fraction:
        return max(abs(self.lo), abs(self.hi))


def _over(value: Affine, span: Span) -> Interval:
    return Interval(value.minimum(span.lo, span.hi), value.maximum(span.lo, span.hi))


def _escape(dyn: _Dynamics, cell: _Cell, w: str, p: int, phases: list, rate: tuple) -> bool:
    """Whether every input of the cell, once it leaves the orbit of ``w`` by firing at the
    silent phase ``p`` (whose orbit margin is positive on the cell, so it does, after an
    unknown number of periods), fires for ever after: the states it can leave from form a
    box (orbit state plus ``(0, mu]`` times the current deviation, over the cell's inputs),
    stepped in interval arithmetic until the continuous tail bound holds on all of it."""
    span = cell.span
    _, _, mstar_p = phases[p - 1]
    if not (mstar_p(span.hi) > 0 and mstar_p(span.lo) >= 0 and span.lo_open):
        return False
    orbit, d, _ = phases[p - 2] if p >= 2 else phases[-1]
    tmax = rate if p >= 2 else tuple(Fraction(1) for _ in rate)
    box = []
    for x, e, t in zip(orbit, d, tmax, strict=True):
        corners = [x(i) + f * e(i) for i in (span.lo, span.hi) for f in (Fraction(0), t)]
        box.append(Interval(min(corners), max(corners)))
    state = tuple(box)
    previous = int(w[p - 2]) if p >= 2 else int(w[-1])
    inputs = Interval(span.lo, span.hi)
    t0 = len(cell.train) + p  # the escape step's index (any later period has the same K rule)
    state = dyn.step.update(
        state, Fraction(previous), dyn.coupling(t0, previous), inputs, dyn.params
    )
    P = 1  # the escape: phase p fires
    xstar = tuple(_over(x, span) for x in dyn.fixed_point())
    mstar = dyn.margin(dyn.fixed_point())
    floor = mstar.minimum(span.lo, span.hi)
    silent = 0
    for k in range(1, 33):
        if P == 1 and k % 2:
            d_now = tuple(Interval._of(a) - b for a, b in zip(state, xstar, strict=True))
            bound = Fraction(0)
            for exponents, term in dyn.terms:
                rho = Fraction(1)
                for r, e in zip(dyn.decays[1], exponents, strict=True):
                    rho *= r**e
                bound += Interval._of(term(xstar, d_now, dyn.params)).magnitude() * rho
            if floor - bound > 0:
                return True
        state = dyn.step.update(state, Fraction(P), dyn.coupling(t0 + k, P), inputs, dyn.params)
        margin = Interval._of(dyn.step.margin(state, dyn.params))
        if margin.lo > 0 or (margin.lo >= 0 and not dyn.strict):
            P = 1
        elif margin.hi <= 0 if dyn.strict else margin.hi < 0:
            P = 0
            silent += 1
            if silent > 4:  # it settles elsewhere, not on continuous firing
                return False
        else:
            return False
    return False


def _keeps_sign(mstar: Affine, terms: list, span: Span, sign: int, strict: bool) -> bool:
    """``sign * (m* + sum_e C_e rho_e^j)`` > 0 (fires) / >= 0 (silent) for all j >= 1 on span."""
    lo, hi = span.lo, span.hi
    need_strict = strict if sign > 0 else not strict
    total = sum((c.max_abs(lo, hi) * rho for rho, c in terms), Fraction(0))
    worst = min(sign * mstar(lo), sign * mstar(hi))
    if worst - total > 0 or (worst - total == 0 and not need_strict):
        return True
    if worst < 0:
        return False
    groups: dict[Fraction, Affine] = {}
    for rho, c in terms:
        groups[rho] = groups.get(rho, Affine(0)) + c
    live = sorted((rho for rho, c in groups.items() if c.a or c.b), reverse=True)
    if not live:
        return worst > 0 or not need_strict
    lead = groups[live[0]]
    lead_min = min(sign * lead(lo), sign * lead(hi))
    if lead_min <= 0:
        return False
    rest = sum((groups[r].max_abs(lo, hi) * (r / live[0]) for r in live[1:]), Fraction(0))
    return rest < lead_min


@dataclass(frozen=True)
class OnsetResult:
    """What :func:`onset_set` returns.

    Attributes
    ----------
    bound : Fraction
        Theorem 4's ``B``: ``m*(B) = 0``.
    top : Fraction
        The upper end of the search ``[max(B, 0), top]``; for ND-CNP ``sup_t I_t``
        (finding 3): above it the neuron fires at every step from rest.
    pieces : tuple of Piece
        Sorted, covering the explored window.
    steps : int
        The step limit per cell.
    above_top : bool
        Whether every input above ``top`` is known to be in the set (ND-CNP).
    """

    bound: Fraction
    top: Fraction
    pieces: tuple[Piece, ...]
    steps: int
    above_top: bool = True
    start: Fraction | None = None

    def intervals(self) -> list[Span]:
        """The set ``S`` as merged intervals (the last one unbounded above: ``hi`` is ``top``)."""
        out: list[Span] = []
        for piece in self.pieces:
            if not piece.in_set:
                continue
            if out and out[-1].hi == piece.span.lo and not (out[-1].hi_open and piece.span.lo_open):
                out[-1] = Span(out[-1].lo, piece.span.hi, out[-1].lo_open, piece.span.hi_open)
            else:
                out.append(piece.span)
        return out

    @property
    def unresolved(self) -> list[Piece]:
        return [p for p in self.pieces if p.kind == "unresolved"]

    def lower_end(self) -> tuple[Fraction, Fraction, Piece | None, Piece]:
        """``(low, high, below, first)``: ``inf S`` lies in ``[low, high]``.

        ``first`` is the lowest certified continuous piece (``high`` its lower end);
        ``below`` the certified non-continuous piece that ends where the unresolved
        pieces between them start (``low`` its upper end), or ``None`` if they reach
        down to ``B``. ``low == high`` when nothing is unresolved in between.
        """
        index = next(i for i, p in enumerate(self.pieces) if p.in_set)
        first = self.pieces[index]
        k = index - 1
        while k >= 0 and self.pieces[k].kind == "unresolved":
            k -= 1
        below = self.pieces[k] if k >= 0 else None
        floor = self.start if self.start is not None else max(self.bound, Fraction(0))
        low = below.span.hi if below is not None else floor
        return low, first.span.lo, below, first

    def merged(self) -> list[tuple[Piece, int]]:
        """Adjacent pieces of the same kind and pattern joined: ``(piece, cells)``."""
        out: list[tuple[Piece, int]] = []
        for piece in self.pieces:
            if out:
                last, n = out[-1]
                same = (last.kind, last.pattern) == (piece.kind, piece.pattern)
                if same and last.span.hi == piece.span.lo:
                    span = Span(last.span.lo, piece.span.hi, last.span.lo_open, piece.span.hi_open)
                    out[-1] = (
                        Piece(span, last.kind, last.prefix, last.pattern, last.tail_steps),
                        n + 1,
                    )
                    continue
            out.append((piece, 1))
        return out


def _top(model: NeuronModel, dyn: _Dynamics) -> Fraction | None:
    """``sup_t I_t`` for ND-CNP, exactly (finding 3: above it every step fires from rest).

    The float :func:`ndtheory.bound.finite_horizon_supremum` names the step where the
    supremum is reached; the threshold there is recomputed exactly on the continuous
    trajectory. ``None`` for other models; ``B`` when the supremum is only approached.
    """
    if model is not ND_CNP:
        return None
    from ndtheory.bound import finite_horizon_supremum

    sup = finite_horizon_supremum(
        **{k: float(v) for k, v in dyn.params.items()}, sum_W=float(dyn.sum_W)
    )
    if sup.step is None:
        return Fraction(0) if sup.supremum < 0 else None
    state = tuple(Affine._of(v) for v in dyn.step.initial(dyn.params))
    for t in range(1, sup.step + 1):
        state = dyn.advance(state, 0 if t == 1 else 1, t)
    return dyn.margin(state).root()


def _explore(
    dyn: _Dynamics,
    window: Span,
    xstar: tuple,
    mstar: Affine,
    max_steps: int,
    max_period: int,
    max_cells: int,
) -> tuple[Piece, ...]:
    """Split ``window`` into cells from rest and certify each (sorted pieces)."""
    pieces: list[Piece] = []
    initial = tuple(Affine._of(v) for v in dyn.step.initial(dyn.params))
    stack = [_Cell(window, initial, 0, "", [initial])]
    cells = 0
    while stack:
        cell = stack.pop()
        cells += 1
        if cells > max_cells:
            pieces.append(Piece(cell.span, "unresolved", cell.train))
            pieces.extend(Piece(c.span, "unresolved", c.train) for c in stack)
            break
        while True:
            t = len(cell.train)
            if t >= max_steps:
                pieces.append(Piece(cell.span, "unresolved", cell.train))
                break
            run = len(cell.train) - len(cell.train.rstrip("1"))
            if run & (run - 1) == 0 and run and mstar.maximum(cell.span.lo, cell.span.hi) > 0:
                found = _continuous_part(dyn, cell, xstar, mstar, 64)
                if found is not None:
                    certified, k = found
                    pieces.append(Piece(certified, "continuous", cell.train, "1", k))
                    rest = cell.span.below(certified.lo, not certified.lo_open)
                    if rest.empty:
                        break
                    cell = _Cell(rest, cell.state, cell.P, cell.train, cell.history)
            certified = None
            for w in _periodic_patterns(cell.train, max_period):
                ok, roots = _orbit_check(dyn, cell, w)
                if ok == "escape":
                    certified = "escape"
                    break
                if ok:
                    certified = w
                    break
                if roots and len(cell.train) >= 3 * len(w):
                    r = roots[0]
                    low, high = cell.span.below(r, False), cell.span.above(r, True)
                    stack.append(_Cell(high, cell.state, cell.P, cell.train, list(cell.history)))
                    cell = _Cell(low, cell.state, cell.P, cell.train, cell.history)
                    break
            if certified == "escape":
                pieces.append(Piece(cell.span, "continuous", cell.train, "1", -1))
                break
            if certified is not None:
                pieces.append(Piece(cell.span, "periodic", cell.train, certified))
                break
            new = dyn.advance(cell.state, cell.P, t + 1)
            fires, silent = where_positive(dyn.margin(new), cell.span, dyn.strict)
            history = [*cell.history[-2 * max_period - 2 :], new]
            if not fires.empty and not silent.empty:
                stack.append(_Cell(silent, new, 0, cell.train + "0", list(history)))
                cell = _Cell(fires, new, 1, cell.train + "1", history)
            elif not fires.empty:
                cell = _Cell(fires, new, 1, cell.train + "1", history)
            else:
                cell = _Cell(silent, new, 0, cell.train + "0", history)
    pieces.sort(key=lambda p: (p.span.lo, p.span.lo_open))
    return tuple(pieces)


def reached_from_rest(
    params: Mapping[str, Any],
    sum_W: Any,
    I_min: Any,
    I_max: Any,
    *,
    neighbours: str = "uniform",
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
    max_steps: int = 400,
    max_period: int = 24,
    max_cells: int = 20000,
) -> tuple[Piece, ...]:
    """The attractor a neuron reaches from rest for every ``I`` in ``[I_min, I_max]``.

    The same cells and certificates as :func:`onset_set`, on any window: each piece
    is ``continuous`` (pattern ``1``), ``periodic`` (its pattern, in the phase it is
    reached) or ``unresolved``. Its long-run firing rate is the pattern's share of 1s.
    """
    dyn = _dynamics(model, params, sum_W, neighbours, semantics)
    xstar = dyn.fixed_point()
    mstar = dyn.margin(xstar)
    low, high = exact_value(I_min, "I_min"), exact_value(I_max, "I_max")
    if not 0 <= low < high:
        raise NdcnpInputError(f"need 0 <= I_min < I_max; got {low}, {high}")
    return _explore(dyn, Span(low, high), xstar, mstar, max_steps, max_period, max_cells)


def onset_set(
    params: Mapping[str, Any],
    sum_W: Any,
    *,
    neighbours: str = "uniform",
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
    I_max: Any = None,
    I_min: Any = None,
    max_steps: int = 400,
    max_period: int = 24,
    max_cells: int = 20000,
) -> OnsetResult:
    """The exact set of inputs from which the neuron, started from rest, ends up firing
    at every step, on ``[B, top]``, as certified pieces.

    Parameters
    ----------
    params : mapping
        The model's parameters (exact: ``"0.8"`` is 4/5, floats are their binary value).
    sum_W : number
        ``sum(W)``.
    neighbours : {"uniform", "always"}
    semantics : {"decay", "decay-on-fire"}
    model : NeuronModel
        A model whose units decay under continuous firing, with rational constants
        (ND-CNP, DTNP).
    I_max : number, optional
        Upper end of the search; default ``sup_t I_t`` for ND-CNP (above it every step
        fires from rest), else ``3 B + 1``.
    I_min : number, optional
        Lower end of the search if above ``max(B, 0)``.
    max_steps, max_period, max_cells : int
        Step limit per cell, longest periodic pattern recognised, cell limit.

    Returns
    -------
    OnsetResult

    Raises
    ------
    NotDerivableError
        For models whose margin is not affine in ``I`` on a fixed spike train, whose
        units do not decay, or with irrational constants.
    """
    dyn = _dynamics(model, params, sum_W, neighbours, semantics)
    xstar = dyn.fixed_point()
    mstar = dyn.margin(xstar)
    if mstar.b <= 0:
        raise NotDerivableError(f"{model.name}: the limit margin does not grow with I")
    bound = mstar.root()
    top = _top(model, dyn) if I_max is None else exact_value(I_max, "I_max")
    certified_top = I_max is None and model is ND_CNP
    if top is None:
        top = bound if model is ND_CNP else 3 * max(bound, Fraction(0)) + 1
    lo = max(bound, Fraction(0))
    if I_min is not None:
        lo = max(lo, exact_value(I_min, "I_min"))
    top = max(top, lo)
    window = Span(lo, top)
    pieces = _explore(dyn, window, xstar, mstar, max_steps, max_period, max_cells)
    return OnsetResult(bound, top, tuple(pieces), max_steps, certified_top, lo)
