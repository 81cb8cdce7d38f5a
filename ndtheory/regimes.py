"""Periodic firing regimes, derived: orbits of a fixed spike pattern and where they exist.

Beyond [1]_. On a uniform grid every neuron behaves alike, so the coupling a
neuron receives is ``K(t) = sum(W) P(t-1)`` (``coupling="uniform"``); with
``coupling="always"`` its neighbours fire at every step, ``K = sum(W)``. Either
way, once the spike train is fixed the update of the units is *affine* (for
``"decay-on-fire"`` too: the spike decides the branch), so along a periodic
pattern ``s_1 ... s_L`` the state after one period is an affine map of the state
before it. Its fixed point is the *periodic orbit*; the pattern *exists* at an
input ``I`` when, on that orbit, the firing condition holds exactly on the
1-steps and fails on the 0-steps.

Phases: ``x_0`` is the state at the end of a period (so its spike is ``s_L``);
step ``k = 1..L`` reads the spike ``s_{k-1}`` (``s_0 = s_L``) and fires iff
``s_k = 1``. For the shipped models the firing margin on the orbit is affine in
``I``, so each of the ``L`` conditions is a half-line and a pattern exists on an
interval of inputs (possibly empty).

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2 (Eqs. 1-3, 7; Theorem 4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING

import sympy as sp

from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.spec import SUM_W, I, K, NeuronModel, P

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class NoFixedPointError(NotDerivableError):
    """The map over one period has no unique fixed point, so no isolated periodic orbit."""


COUPLINGS: tuple[str, ...] = ("uniform", "always")
"""``"uniform"``: ``K = sum(W) P(t-1)`` (uniform grid); ``"always"``: ``K = sum(W)``."""


def canonical(pattern: str) -> str:
    """The primitive root of a cyclic 0/1 pattern, in its lexicographically largest rotation.

    ``"10110"``, ``"01101"`` and ``"1011010110"`` all give ``"11010"``; ``"1111"`` gives ``"1"``.

    Raises
    ------
    NdcnpInputError
        If ``pattern`` is empty or holds anything but 0 and 1.
    """
    if not pattern or set(pattern) - {"0", "1"}:
        raise NdcnpInputError(f"a pattern must be a non-empty string of 0 and 1; got {pattern!r}")
    n = len(pattern)
    root = next(
        pattern[:d] for d in range(1, n + 1) if n % d == 0 and pattern[:d] * (n // d) == pattern
    )
    return max(root[k:] + root[:k] for k in range(len(root)))


def primitive_patterns(max_length: int) -> list[str]:
    """Every primitive cyclic pattern of length ``1..max_length``, each once (canonical)."""
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 16:
        raise NdcnpInputError(f"max_length must be an integer in [1, 16]; got {max_length!r}")
    found = []
    for length in range(1, max_length + 1):
        for code in range(2**length):
            word = format(code, f"0{length}b")
            if canonical(word) == word:
                found.append(word)
    return found


def _phase_order(pattern: str) -> str:
    """A rotation ending in 0 (so a neuron at rest, ``P(0) = 0``, can start on it)."""
    canonical(pattern)
    if "0" not in pattern:
        return pattern
    k = pattern.rindex("0") + 1
    return pattern[k:] + pattern[:k]


@cache
def _affine_maps(
    model: NeuronModel, semantics: str, coupling: str
) -> dict[int, tuple[sp.Matrix, sp.Matrix]]:
    """``{s: (A_s, c_s)}``: the state update ``x -> A_s x + c_s`` after a spike ``s``."""
    if coupling not in COUPLINGS:
        raise NdcnpInputError(f"coupling must be one of {', '.join(COUPLINGS)}; got {coupling!r}")
    updates = model.updates(model.check_semantics(semantics))
    units = [u.symbol for u in model.units]
    maps = {}
    for s in (0, 1):
        spike = {P: sp.Integer(s), K: SUM_W * s if coupling == "uniform" else SUM_W}
        exprs = []
        for unit in model.units:
            expr = updates[unit.name].subs(spike)
            exprs.append(sp.piecewise_fold(expr).doit() if expr.has(sp.Piecewise) else expr)
        try:
            A, b = sp.linear_eq_to_matrix(exprs, units)
        except sp.solvers.solveset.NonlinearError:
            raise NotDerivableError(
                f"{model.name}: with the spike fixed the update is not affine in the units; "
                "a periodic orbit is then no fixed point of an affine map"
            ) from None
        maps[s] = (A, -b)
    return maps


@dataclass(frozen=True)
class PeriodicOrbit:
    """A periodic orbit of a fixed spike pattern.

    Attributes
    ----------
    pattern : str
        The pattern in phase order (step ``k`` fires iff ``pattern[k-1] == "1"``).
    states : tuple of dict of str to sympy.Expr
        Unit values at phases ``0..L`` (phase ``L`` equals phase 0).
    margins : tuple of sympy.Expr
        The firing margin at steps ``1..L``.
    conditions : tuple of sympy.Rel
        ``margin > 0`` on the 1-steps, ``margin <= 0`` on the 0-steps (non-strict /
        strict swapped for a ``>=`` firing condition).
    """

    pattern: str
    states: tuple[dict[str, sp.Expr], ...]
    margins: tuple[sp.Expr, ...]
    conditions: tuple[sp.Rel, ...]


def periodic_orbit(
    model: NeuronModel,
    pattern: str,
    *,
    semantics: str = "decay",
    coupling: str = "uniform",
    values: Mapping[sp.Symbol, sp.Expr] | None = None,
) -> PeriodicOrbit:
    """Derive the periodic orbit of ``pattern`` as the fixed point of the period map.

    Parameters
    ----------
    model : NeuronModel
        Any declared model whose units are affine once the spike is fixed.
    pattern : str
        0/1 string, used in the given rotation (see the module docstring for phases).
    semantics, coupling : str
        See :mod:`ndtheory.spec` and :data:`COUPLINGS`.
    values : mapping, optional
        Numbers (exact rationals) for some symbols, substituted before solving;
        without it the orbit is symbolic in every parameter, ``sum(W)`` and ``I``.

    Returns
    -------
    PeriodicOrbit

    Raises
    ------
    NotDerivableError
        If the update is not affine in the units for a fixed spike, or the period
        map has no unique fixed point (``1`` is an eigenvalue of its linear part).
    """
    canonical(pattern)
    maps = _affine_maps(model, semantics, coupling)
    subs = dict(values or {})
    maps = {
        s: (A.xreplace(subs).applyfunc(_numeric), c.xreplace(subs).applyfunc(_numeric))
        for s, (A, c) in maps.items()
    }
    n = len(model.units)
    spikes = [int(pattern[-1])] + [int(ch) for ch in pattern]
    linear, offset = sp.eye(n), sp.zeros(n, 1)
    steps = []
    for k in range(1, len(pattern) + 1):
        A, c = maps[spikes[k - 1]]
        linear, offset = A * linear, A * offset + c
        steps.append((linear, offset))
    system = sp.eye(n) - linear
    if sp.simplify(system.det()) == 0:
        raise NoFixedPointError(
            f"{model.name}: the map over one period of {pattern} has no unique fixed point "
            "(a unit does not decay along it)"
        )
    start = system.LUsolve(offset).applyfunc(sp.cancel)
    names = [u.name for u in model.units]
    units = [u.symbol for u in model.units]
    margin, strict = model.firing_margin()
    states = [dict(zip(names, start, strict=True))]
    margins, conditions = [], []
    for (lin, off), s in zip(steps, pattern, strict=True):
        x = (lin * start + off).applyfunc(sp.cancel)
        states.append(dict(zip(names, x, strict=True)))
        m = sp.cancel(margin.xreplace(dict(zip(units, x, strict=True))).xreplace(subs))
        margins.append(m)
        fires = s == "1"
        relation = (
            (sp.StrictGreaterThan if strict else sp.GreaterThan)
            if fires
            else (sp.LessThan if strict else sp.StrictLessThan)
        )
        conditions.append(relation(m, 0, evaluate=False))
    return PeriodicOrbit(pattern, tuple(states), tuple(margins), tuple(conditions))


def _numeric(entry: sp.Expr) -> sp.Expr:
    """A number that is not rational (``exp(-1/10)``) as a 50-digit float, so that
    exact-rational orbits stay cheap; anything symbolic or rational is kept."""
    if entry.is_number and not entry.is_Rational:
        return sp.Float(entry.evalf(50), 50)
    return entry


def _exact(value: float | Fraction) -> sp.Rational:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.Rational(value)  # the float's exact binary value


def existence_interval(
    model: NeuronModel,
    pattern: str,
    params: Mapping[str, float],
    sum_W: float,
    *,
    semantics: str = "decay",
    coupling: str = "uniform",
) -> sp.Set:
    """The inputs ``I`` at which the periodic orbit of ``pattern`` exists.

    Exact: the float parameters enter as their exact binary values (irrational
    coefficients such as ``exp(-alpha_F)`` as 50-digit floats).

    Returns
    -------
    sympy.Set
        An ``Interval`` (or ``EmptySet``) inside the declared input range.

    Raises
    ------
    NotDerivableError
        If a margin on the orbit is not affine in ``I``.
    """
    checked = model.validate({n: float(v) for n, v in params.items()})
    if not (math.isfinite(sum_W) and sum_W >= 0):
        raise NdcnpInputError(f"sum_W must be a finite number >= 0; got {sum_W!r}")
    # an exact rational given (Fraction) is kept; a float enters as its binary value
    values = {
        model.symbols[n]: _exact(params[n] if isinstance(params[n], Fraction) else v)
        for n, v in checked.items()
    }
    values[SUM_W] = _exact(sum_W)
    orbit = periodic_orbit(
        model, _phase_order(pattern), semantics=semantics, coupling=coupling, values=values
    )
    region = model.input_parameter.interval
    for relation in orbit.conditions:
        m = sp.expand(relation.lhs)
        slope = sp.diff(m, I)
        if slope.has(I) or not slope.is_number:
            raise NotDerivableError(
                f"{model.name}: a firing margin on the orbit is not affine in I"
            )
        intercept = m.subs(I, 0)
        region = region & _half_line(relation, slope, intercept)
        if region is sp.S.EmptySet:
            break
    return region


def _half_line(relation: sp.Rel, slope: sp.Expr, intercept: sp.Expr) -> sp.Set:
    """The set of ``I`` with ``relation`` true for ``lhs = slope*I + intercept``, rhs 0."""
    op = relation.rel_op
    if slope == 0:
        holds = bool(relation.func(intercept, 0))
        return sp.S.Reals if holds else sp.S.EmptySet
    root = -intercept / slope
    above = (op in (">", ">=")) == (slope > 0)
    open_end = op in (">", "<")
    return (
        sp.Interval(root, sp.oo, left_open=open_end)
        if above
        else sp.Interval(-sp.oo, root, right_open=open_end)
    )


@dataclass(frozen=True)
class Regime:
    """A pattern and the inputs where its orbit exists.

    Attributes
    ----------
    pattern : str
        Canonical form (:func:`canonical`).
    interval : sympy.Set
        Exact, clipped to the asked input window.
    """

    pattern: str
    interval: sp.Set

    @property
    def rate(self) -> float:
        """Fraction of 1-steps in the pattern."""
        return self.pattern.count("1") / len(self.pattern)

    @property
    def closed(self) -> tuple[bool, bool]:
        """Whether the interval holds its lower and its upper end."""
        if isinstance(self.interval, sp.Interval):
            return not self.interval.left_open, not self.interval.right_open
        return True, True  # a single point

    @property
    def bounds(self) -> tuple[float, float]:
        """``(inf, sup)`` of the interval as floats."""
        return float(self.interval.inf), float(self.interval.sup)


def regimes(
    model: NeuronModel,
    params: Mapping[str, float],
    sum_W: float,
    *,
    max_length: int = 6,
    I_min: float = 0.0,
    I_max: float = math.inf,
    semantics: str = "decay",
    coupling: str = "uniform",
    progress: Callable[[list[str]], Iterable[str]] | None = None,
) -> list[Regime]:
    """Every primitive pattern of length ``<= max_length`` whose orbit exists for some
    ``I`` in ``[I_min, I_max]``, with where it exists.

    ``progress``, if given, wraps the list of patterns to try (e.g. a tqdm bar):
    their number grows as ``2**max_length / max_length``.

    Returns
    -------
    list of Regime
        Sorted by the interval's lower end, then by pattern. A pattern whose period
        map has no unique fixed point (silence under ``"decay-on-fire"``, where the
        units only grow) has no isolated orbit and is left out.
    """
    if not (0 <= I_min < I_max):
        raise NdcnpInputError(f"need 0 <= I_min < I_max; got {I_min!r}, {I_max!r}")
    window = sp.Interval(_exact(I_min), sp.oo if math.isinf(I_max) else _exact(I_max))
    found = []
    patterns = primitive_patterns(max_length)
    for pattern in patterns if progress is None else progress(patterns):
        try:
            interval = existence_interval(
                model, pattern, params, sum_W, semantics=semantics, coupling=coupling
            )
        except NoFixedPointError:
            continue  # e.g. silence under decay-on-fire: U only grows, nothing repeats
        interval = interval & window
        if interval is not sp.S.EmptySet and not interval.is_empty:
            found.append(Regime(pattern, interval))
    return sorted(found, key=lambda r: (float(r.interval.inf), r.pattern))


def plot_regimes(
    found: list[Regime],
    *,
    ax: Axes | None = None,
    I_max: float | None = None,
    labels: bool = True,
) -> Axes:
    """Draw each derived regime as a segment at its rate over its input interval.

    A simulated rate curve over ``I`` (e.g. :func:`simulate.analysis.sweep`) drawn
    on the same axes should lie on these segments wherever it settles into a
    pattern of length ``<= max_length``.

    Parameters
    ----------
    found : list of Regime
        From :func:`regimes`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    I_max : float, optional
        Where to cut unbounded intervals (default: 1.2 times the largest finite end).
    labels : bool
        Write each pattern next to its segment.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt  # only when drawing

    ax = ax if ax is not None else plt.figure().add_subplot()
    ends = [e for r in found for e in r.bounds if math.isfinite(e)]
    right = I_max if I_max is not None else 1.2 * max(ends, default=1.0)
    for r in found:
        low, high = r.bounds
        high = min(high, right)
        ax.plot([low, high], [r.rate, r.rate], color="C3", lw=3, alpha=0.6, solid_capstyle="butt")
        for end in (low, high):
            ax.axvline(end, color="0.7", lw=0.5, zorder=0)
        if labels:
            ax.annotate(
                r.pattern,
                ((low + high) / 2, r.rate),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=7,
                color="C3",
            )
    ax.set_xlabel("input I")
    ax.set_ylabel("firing rate")
    return ax
