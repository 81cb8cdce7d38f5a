"""Property-based checks of a neuron model, for a user's own pytest suite (and ours).

Hypothesis strategies draw a model's parameters from its declared ranges (the
``typical`` sampling range where a range is unbounded), ``sum(W)``, inputs, neighbour
spike trains, stimuli and small grids; three checks compare the theory derived from
the declaration with simulated traces:

* :func:`check_closed_forms`: every unit's general closed form (Theorems 1-3 of [1]_ for
  ND-CNP) against the NumPy reference on random neighbour spike trains;
* :func:`check_bound`: a continuous-firing bound in the direction it is stated, on single
  neurons and, for uniform neighbours, on a periodic grid;
* :func:`find_counterexample`: the smallest case (shrunk by Hypothesis) where a
  predicate on ``(params, sum_W, I)`` holds, with its simulated trace.

``docs/testing.md`` shows a complete test file. Hypothesis is a dependency of ndcnp for
this module and for ``ndcnp audit``, which shrinks its counterexamples with it.

This module sits above :mod:`ndtheory` and :mod:`simulate` (it checks one against the
other); no library module imports it.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from hypothesis.extra import numpy as hnp

from ndtheory.bound import continuous_firing_bound, finite_horizon_supremum
from ndtheory.closed_forms import general_closed_forms
from ndtheory.model import SUM_W as SUM_W_SYMBOL
from ndtheory.model import NeuronModel, Parameter
from ndtheory.recurrence import K_SEQ, P_SEQ, t
from ndtheory.spec import ND_CNP
from simulate.grid import simulate_grid
from simulate.neuron import NeuronResult, simulate_neuron

SEMANTICS = ("decay", "decay-on-fire")
DECAY = st.floats(0.05, 0.95)
"""alpha, beta or gamma: a multiplier in (0, 1) (Eq. 7), away from both ends."""
LAM = st.floats(0.1, 100.0)
"""Threshold weight lambda > 0."""
SUM_W = st.floats(0.0, 5.0)
"""sum(W) >= 0 (0 is a neuron without coupling)."""
WEIGHT = st.floats(0.0, 1.0)
"""One non-negative coupling weight."""
PAPER_PARAMS = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
"""The paper's example (Eq. 18): with sum(W) = 1.2 the bound is exactly 6/5."""
PAPER_SUM_W = 1.2
LASTING_STEPS = (120, 20)
"""Fewest steps run, and the last ones that must all fire, for *lasting continuous firing*."""
SLOWEST_DECAY = 0.95
"""Bound checks skip cases whose slowest unit keeps more than this share per step: a run
long enough to show their limit (:func:`horizon`) would cost more than the check."""


# ---------------------------------------------------------------- strategies, any model


def parameter_values(parameter: Parameter) -> st.SearchStrategy[float]:
    """Values inside ``parameter``'s valid range, drawn from its sampling range.

    An open end is kept off by ``1e-3`` of the span, so that no draw sits where the
    theory's horizons diverge (a decay of ``1 - 1e-12``).
    """
    low, high = parameter.sampling_range
    pad = 1e-3 * (high - low)
    lo = low + pad if parameter.low_open or low != parameter.low else low
    hi = high - pad if parameter.high_open or high != parameter.high else high
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def parameters(model: NeuronModel = ND_CNP) -> st.SearchStrategy[dict[str, float]]:
    """Full parameter sets of ``model``, each value inside its declared range.

    For ND-CNP with no argument this is ``{"alpha", "beta", "gamma", "lam"}`` from the
    declared ranges; :func:`model_params` keeps them away from the ends.
    """
    return st.fixed_dictionaries({p.name: parameter_values(p) for p in model.parameters})


def round_parameters(model: NeuronModel = ND_CNP) -> st.SearchStrategy[dict[str, float]]:
    """Parameter sets at 10%, 50% or 90% of each sampling range: the corners a search tries
    first, and what Hypothesis shrinks a counterexample towards."""

    def at(parameter: Parameter) -> st.SearchStrategy[float]:
        low, high = parameter.sampling_range
        return st.sampled_from([round(low + share * (high - low), 6) for share in (0.5, 0.1, 0.9)])

    return st.fixed_dictionaries({p.name: at(p) for p in model.parameters})


def inputs(model: NeuronModel = ND_CNP) -> st.SearchStrategy[float]:
    """External inputs ``I`` from the model's input sampling range."""
    return parameter_values(model.input_parameter)


def sums_of_w(high: float = 2.0) -> st.SearchStrategy[float]:
    """``sum(W)`` in ``[0, high]``."""
    return st.floats(0.0, high)


def neighbour_trains(n_steps: int, high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """Coupling inputs ``K(1..n_steps)``: a spike train of the neighbours times weights.

    Each step's ``K`` is ``sum(W)`` times the fraction of neighbours firing, so any
    non-negative value up to ``high``.
    """
    return hnp.arrays(np.float64, n_steps, elements=st.floats(0.0, high))


def small_grids(model: NeuronModel = ND_CNP, max_side: int = 5) -> st.SearchStrategy[np.ndarray]:
    """Stimulus grids of up to ``max_side x max_side`` with inputs in the sampling range."""
    low, high = model.input_parameter.sampling_range
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shapes.flatmap(lambda shape: stimuli(shape, high, low))


# ---------------------------------------------------- strategies of the ND-CNP analysis
# Ranges bounded so that float rounding stays far below the effects under test: decays in
# [0.05, 0.95] keep every horizon derived from max(alpha, beta, gamma)**m short (m <= ~700
# for a 1e-16 factor), lam and sum(W) stay within three orders of magnitude of each other,
# and no state exceeds ~1e4.


def model_params() -> st.SearchStrategy[dict[str, float]]:
    """ND-CNP's ``{"alpha", "beta", "gamma", "lam"}`` away from the ends of their ranges."""
    return st.fixed_dictionaries({"alpha": DECAY, "beta": DECAY, "gamma": DECAY, "lam": LAM})


def bound_of(params: dict[str, float], sum_W: float) -> float:
    """Theorem 4's bound (Eq. 17) for ND-CNP ``params`` and ``sum(W)``."""
    return continuous_firing_bound(**params, sum_W=sum_W)


@st.composite
def bound_cases(draw, factor: st.SearchStrategy[float], min_bound: float = 0.01):
    """``(params, sum_W, I)`` with ``I = factor * bound`` and a bound of at least ``min_bound``.

    A bound at or below 0 has no input below it, and a tiny one makes ``I``
    indistinguishable from rounding noise, so both are filtered out.
    """
    params, sum_W = draw(
        st.tuples(model_params(), SUM_W).filter(lambda c: bound_of(*c) >= min_bound)
    )
    return params, sum_W, draw(factor) * bound_of(params, sum_W)


@st.composite
def supremum_cases(draw, factor: st.SearchStrategy[float]):
    """``(params, sum_W, I)`` with ``I = factor * sup_t I_t`` (the finite-horizon supremum)."""
    params, sum_W = draw(
        st.tuples(model_params(), SUM_W).filter(
            lambda c: finite_horizon_supremum(**c[0], sum_W=c[1]).supremum >= 0.01
        )
    )
    supremum = finite_horizon_supremum(**params, sum_W=sum_W).supremum
    return params, sum_W, draw(factor) * supremum


def kernels(max_radius: int = 2, zero_centre: bool = True) -> st.SearchStrategy[np.ndarray]:
    """Non-negative coupling kernels with odd sides up to ``2*max_radius + 1``.

    ``zero_centre`` gives the paper's model (K sums over *neighbours*, Eq. 1).
    """

    @st.composite
    def draw_kernel(draw):
        rows = 2 * draw(st.integers(0, max_radius)) + 1
        cols = 2 * draw(st.integers(0, max_radius)) + 1
        kernel = draw(hnp.arrays(np.float64, (rows, cols), elements=WEIGHT))
        if zero_centre:
            kernel[rows // 2, cols // 2] = 0.0
        return kernel

    return draw_kernel()


def spike_trains(n_steps: int, n_neighbours: int) -> st.SearchStrategy[np.ndarray]:
    """``(n_steps, n_neighbours)`` 0/1 arrays: the neighbours' spikes ``P_kl(n)``, n = 0.."""
    return hnp.arrays(np.int8, (n_steps, n_neighbours), elements=st.integers(0, 1))


def stimuli(shape: tuple[int, int], high: float, low: float = 0.0) -> st.SearchStrategy[np.ndarray]:
    """Stimulus images with values in ``[low, high]``."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


# ------------------------------------------------------------------------------ checks


@dataclass(frozen=True)
class Counterexample:
    """A case that breaks a claim: its values and the simulated trace that shows it.

    Attributes
    ----------
    params : dict of str to float
        The model's parameters.
    sum_W : float
        ``sum(W)``.
    I : float
        The input.
    neighbours : str
        The neighbour setting simulated.
    spikes : str
        ``P(1..n)`` as a 0/1 string.
    trace : dict of str to list of float
        Each unit, ``lhs`` and ``rhs`` of the firing condition at ``t = 0..n``.
    why : str
        What the trace shows, in one line.
    grid : str
        ``P(1..n)`` of the same case on a grid (:func:`grid_spikes`), when one realises it.
    """

    params: dict[str, float]
    sum_W: float
    I: float  # noqa: E741 - the paper's symbol
    neighbours: str
    spikes: str
    trace: dict[str, list[float]]
    why: str
    grid: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "params": self.params,
            "sum_W": self.sum_W,
            "I": self.I,
            "neighbours": self.neighbours,
            "spikes": self.spikes,
            "trace": self.trace,
            "why": self.why,
            **({"grid": self.grid} if self.grid else {}),
        }


def _uniform_kernel(sum_W: float) -> np.ndarray:
    kernel = np.full((3, 3), sum_W / 8.0)
    kernel[1, 1] = 0.0
    return kernel


def simulate_case(
    model: NeuronModel,
    params: Mapping[str, float],
    sum_W: float,
    I: float,  # noqa: E741 - the paper's symbol
    neighbours: str,
    semantics: str = "decay",
    n_steps: int = LASTING_STEPS[0],
) -> NeuronResult:
    """One neuron; for ``"uniform"`` neighbours its ``sum(W)`` is summed as the 3x3 grid
    kernel of :func:`grid_spikes` sums it, so the two runs are bit-identical."""
    coupling = {"W": _uniform_kernel(sum_W)} if neighbours == "uniform" else {"sum_W": sum_W}
    return simulate_neuron(
        I, dict(params), n_steps, neighbours=neighbours, semantics=semantics, model=model,
        **coupling,
    )  # fmt: skip


def grid_spikes(
    model: NeuronModel,
    params: Mapping[str, float],
    sum_W: float,
    I: float,  # noqa: E741 - the paper's symbol
    semantics: str = "decay",
    n_steps: int = LASTING_STEPS[0],
    neighbours: str = "uniform",
) -> np.ndarray | None:
    """``P(1..n_steps)`` of one neuron of a grid that realises ``neighbours``.

    ``"uniform"``: the centre of a 5x5 periodic grid with uniform stimulus ``I`` (the 3x3
    kernel of :func:`simulate_case`, so the runs are bit-identical). ``"always"``: the
    middle of a 1x3 grid (zero border, kernel ``[S/2, 0, S/2]``) whose two outer neurons get
    an input so large that they fire at every step; ``None`` if, for this model, they do not.
    """
    if neighbours == "uniform":
        stimulus, kernel, border = np.full((5, 5), float(I)), _uniform_kernel(sum_W), "periodic"
        record = [(2, 2)]
    else:
        big = 1e3 * (1.0 + float(I))
        stimulus, border = np.array([[big, float(I), big]]), "zero"
        kernel, record = np.array([[sum_W / 2, 0.0, sum_W / 2]]), [(0, 1), (0, 0), (0, 2)]
    result = simulate_grid(
        stimulus,
        dict(params),
        kernel,
        n_steps,
        model=model,
        semantics=semantics,
        border=border,
        engine="reference",
        record=record,
    )
    spikes = result.traces["P"][1:].astype(np.int8)
    if neighbours != "uniform" and not np.all(spikes[:, 1:] == 1):
        return None
    return spikes[:, 0]


@functools.cache
def _decay_functions(model: NeuronModel):
    names = [p.symbol for p in model.parameters]
    updates = model.updates("decay")
    slopes = [sp.diff(updates[u.name], u.symbol) for u in model.units]
    return sp.lambdify(names, slopes, modules="math")


def horizon(model: NeuronModel, params: Mapping[str, float]) -> int | None:
    """Steps after which every unit has kept less than ``1e-6`` of a disturbance.

    From each unit's own coefficient ``a`` (``U(t) = a U(t-1) + ...``): at least
    ``LASTING_STEPS[0]``, ``None`` when some ``|a|`` is in ``(SLOWEST_DECAY, 1)`` (too slow
    to settle in a short run), and the minimum when no unit decays (``|a| >= 1``).
    """
    try:
        slopes = _decay_functions(model)(*(params[p.name] for p in model.parameters))
        rates = [abs(float(a)) for a in slopes]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return LASTING_STEPS[0]
    decaying = [a for a in rates if a < 1]
    if any(SLOWEST_DECAY < a < 1 for a in rates):
        return None
    slowest = max(decaying, default=0.0)
    if slowest <= 0:
        return LASTING_STEPS[0]
    return max(LASTING_STEPS[0], LASTING_STEPS[1] + math.ceil(math.log(1e-6) / math.log(slowest)))


def lasting(spikes: np.ndarray, margin: np.ndarray | None = None) -> bool:
    """Whether a run ends in continuous firing: its last :data:`LASTING_STEPS` steps all fire
    (and, given the firing margin, clearly: above rounding noise)."""
    tail = LASTING_STEPS[1]
    if not bool(np.all(spikes[-tail:] == 1)):
        return False
    return margin is None or bool(np.all(margin[-tail:] > 1e-9))


def _margin(model: NeuronModel, result: NeuronResult) -> np.ndarray:
    """How far each step is inside its firing condition, relative to the threshold side."""
    lhs, rhs = result.traces["lhs"][1:], result.traces["rhs"][1:]
    above = isinstance(model.fires, sp.StrictGreaterThan | sp.GreaterThan)
    return (lhs - rhs if above else rhs - lhs) / np.maximum(1.0, np.abs(rhs))


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )


def cases(
    model: NeuronModel, around: Callable[[dict[str, float], float], list[float]] | None = None
) -> st.SearchStrategy[tuple[dict[str, float], float, float]]:
    """``(params, sum_W, I)``: ``I`` from the input range or, given ``around``, at or near
    one of the inputs ``around(params, sum_W)`` returns (e.g. a claimed bound)."""

    @st.composite
    def draw_case(draw):
        params = draw(st.one_of(round_parameters(model), parameters(model)))
        sum_W = draw(st.one_of(st.sampled_from([1.0, 0.0, 2.0]), sums_of_w()))
        anchors = [a for a in (around(params, sum_W) if around else []) if math.isfinite(a)]
        if anchors and draw(st.booleans()):
            anchor = anchors[draw(st.integers(0, len(anchors) - 1))]
            if len(anchors) == 2 and draw(st.booleans()):
                share = draw(st.floats(0.0, 1.0))
                return params, sum_W, max(0.0, anchors[0] + share * (anchors[1] - anchors[0]))
            offset = draw(st.sampled_from([0.0, 1e-3, -1e-3, 0.1, -0.1]))
            return params, sum_W, max(0.0, anchor + offset * max(1.0, abs(anchor)))
        return params, sum_W, draw(inputs(model))

    return draw_case()


def find_counterexample(
    model: NeuronModel,
    breaks: Callable[[dict[str, float], float, float], str | None],
    *,
    neighbours: str = "always",
    semantics: str = "decay",
    around: Callable[[dict[str, float], float], list[float]] | None = None,
    max_examples: int = 200,
) -> tuple[Counterexample | None, int]:
    """The simplest ``(params, sum_W, I)`` for which ``breaks`` returns a reason.

    Parameters
    ----------
    model : NeuronModel
        The model simulated.
    breaks : callable
        ``breaks(params, sum_W, I)`` returns ``None`` when the case agrees with the claim,
        else one line saying why not (it may call :func:`simulate_case`).
    neighbours, semantics : str
        Recorded with the counterexample, and used for its trace.
    around : callable, optional
        Inputs to search near (see :func:`cases`).
    max_examples : int
        Cases tried before giving up.

    Returns
    -------
    (Counterexample or None, int)
        The shrunk counterexample (``None`` if none was found) and how many cases were tried.
    """
    tried = [0]

    def condition(case) -> bool:
        tried[0] += 1
        try:
            return breaks(*case) is not None
        except (ValueError, ArithmeticError, OverflowError):
            return False

    try:
        params, sum_W, I = find(  # noqa: E741
            cases(model, around), condition, settings=_settings(max_examples)
        )
    except NoSuchExample:
        return None, tried[0]
    why = breaks(params, sum_W, I) or ""
    n_steps = horizon(model, params) or LASTING_STEPS[0]
    result = simulate_case(model, params, sum_W, I, neighbours, semantics, n_steps)
    shown = min(result.n_steps, 60)
    trace = {k: [float(x) for x in v[: shown + 1]] for k, v in result.traces.items() if k != "K"}
    grid = ""
    if neighbours in ("uniform", "always"):
        spikes = grid_spikes(model, params, sum_W, I, semantics, result.n_steps, neighbours)
        grid = "" if spikes is None else "".join(map(str, spikes))
    example = Counterexample(
        params=dict(params),
        sum_W=float(sum_W),
        I=float(I),
        neighbours=neighbours,
        spikes="".join(map(str, result.spikes)),
        trace=trace,
        why=why,
        grid=grid,
    )
    return example, tried[0]


def bound_breaker(
    model: NeuronModel,
    bound: Callable[[dict[str, float], float], float],
    direction: str,
    neighbours: str = "always",
    relation: str = ">",
    semantics: str = "decay",
) -> Callable[[dict[str, float], float, float], str | None]:
    """The ``breaks`` function of a bound claim ``I relation B`` stated in ``direction``.

    Lasting continuous firing (:func:`lasting`) is read from a single neuron, and a case that
    breaks the claim is confirmed on a grid that realises the same neighbours
    (:func:`grid_spikes`).
    """

    def breaks(params: dict[str, float], sum_W: float, I: float) -> str | None:  # noqa: E741
        b = bound(params, sum_W)
        n_steps = horizon(model, params)
        if not math.isfinite(b) or n_steps is None:
            return None
        # within rounding of B counts as on B: the boundary is where > and >= differ
        tol = 1e-9 * max(1.0, abs(b))
        above = I > b + tol if relation == ">" else I >= b - tol
        result = simulate_case(model, params, sum_W, I, neighbours, semantics, n_steps)
        margin = _margin(model, result)
        # a run that fires at every step from rest, clearly above rounding, fires continuously;
        # a run that misses a step of its settled tail does not
        fires = bool(np.all(result.spikes == 1) and np.all(margin > 1e-9))
        stalls = not lasting(result.spikes)
        if direction in ("necessary", "both") and fires and not above:
            reason = (
                f"fires at every step 1-{n_steps} with I = {I:.12g}, not I {relation} B = {b:.12g}"
            )
        elif direction in ("sufficient", "both") and above and stalls:
            reason = (
                f"I = {I:.12g} {relation} B = {b:.12g} but misses steps among "
                f"{n_steps - LASTING_STEPS[1] + 1}-{n_steps}"
            )
        else:
            return None
        # the same case on a grid whose neighbours are real neurons
        on_grid = grid_spikes(model, params, sum_W, I, semantics, n_steps, neighbours)
        if on_grid is None:
            return reason
        if (bool(np.all(on_grid == 1)) if fires else not lasting(on_grid)) is False:
            return None
        return reason + ", on a single neuron and on a grid"

    return breaks


def bound_function(model: NeuronModel, expr: sp.Expr) -> Callable[[dict, float], float]:
    """``expr`` (in parameters and ``sum_W``) as a float function of ``(params, sum_W)``."""
    names = [p.symbol for p in model.parameters]
    function = sp.lambdify([*names, SUM_W_SYMBOL], expr, modules="math")

    def value(params: dict[str, float], sum_W: float) -> float:
        try:
            return float(function(*(params[p.name] for p in model.parameters), sum_W))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return math.nan

    return value


def check_bound(
    model: NeuronModel,
    expr: sp.Expr | str,
    direction: str = "both",
    neighbours: str = "always",
    *,
    relation: str = ">",
    semantics: str = "decay",
    max_examples: int = 100,
) -> int:
    """Assert a continuous-firing bound ``I relation expr`` in ``direction``.

    Parameters
    ----------
    model : NeuronModel
        The model.
    expr : sympy.Expr or str
        The bound ``B`` in the model's parameters and ``S`` (``sum(W)``).
    direction : {"necessary", "sufficient", "both"}
        Lasting continuous firing implies ``I relation B``, the converse, or both.
    neighbours : {"always", "uniform"}
        Neighbours that fire at every step, or that behave like the neuron (then the
        case is also run on a 5x5 periodic grid).
    relation : {">", ">="}
        The inequality on ``I``.
    semantics : {"decay", "decay-on-fire"}
        When the units decay.
    max_examples : int
        Cases to try (inputs at, near and between the bounds are favoured).

    Returns
    -------
    int
        How many cases were tried.

    Raises
    ------
    AssertionError
        With the shrunk counterexample, when one is found.
    """
    if isinstance(expr, str):
        from ndtheory.auditfile import claim_names
        from ndtheory.modelfile import parse_expression

        expr = parse_expression(expr, claim_names(model), "expr")
    bound = bound_function(model, expr)
    breaks = bound_breaker(model, bound, direction, neighbours, relation, semantics)
    example, tried = find_counterexample(
        model,
        breaks,
        neighbours=neighbours,
        semantics=semantics,
        around=lambda params, sum_W: [bound(params, sum_W)],
        max_examples=max_examples,
    )
    assert example is None, f"{example.why}: {example.as_dict()}"
    return tried


def evaluate_general(
    expr: sp.Expr,
    model: NeuronModel,
    params: Mapping[str, float],
    step: int,
    K: np.ndarray,
    P: np.ndarray,
    I: float,  # noqa: E741 - the paper's symbol
) -> float:
    """A closed form in ``t``, ``K(n)`` and ``P(n)`` at step ``step`` of a run.

    ``K[n]`` and ``P[n]`` are the paper's sequences: ``K(n)`` is the spec's ``K`` at step
    ``n + 1``, ``P(n)`` the spike at step ``n``.
    """
    values = {model.symbols[name]: sp.Float(v) for name, v in params.items()}
    values[model.symbols["I"]] = sp.Float(I)
    at = expr.xreplace({**values, t: sp.Integer(step)}).doit()
    at = at.replace(K_SEQ, lambda k: sp.Float(K[int(k)]))
    at = at.replace(P_SEQ, lambda p: sp.Float(P[int(p)]))
    return float(at.doit())


def check_closed_forms(
    model: NeuronModel = ND_CNP, *, n_steps: int = 8, max_examples: int = 20
) -> int:
    """Assert every unit's general closed form against the simulator.

    For random parameters, inputs and neighbour trains ``K(1..n_steps)``, the NumPy
    reference runs the neuron (``"decay"`` semantics, the one the closed forms are
    derived for), and each unit's closed form of
    :func:`ndtheory.closed_forms.general_closed_forms`, evaluated with that ``K`` and the
    neuron's own simulated spikes, must match its trace at every step.

    Returns
    -------
    int
        How many runs were checked.

    Raises
    ------
    AssertionError
        With the first mismatch (shrunk), naming unit, step and values.
    NotDerivableError
        If the model has no general closed form.
    """
    forms = general_closed_forms(model)
    checked = [0]

    def mismatch(case) -> bool:
        params, I, K = case  # noqa: E741
        checked[0] += 1
        result = simulate_neuron(I, params, n_steps, neighbours=K, model=model)
        paper_K = np.asarray(K, dtype=np.float64)  # K(n) = spec K at step n + 1
        P = result.traces["P"]
        for name, form in forms.items():
            for step in range(n_steps + 1):
                got = evaluate_general(form, model, params, step, paper_K, P, I)
                want = float(result.traces[name][step])
                if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
                    return True
        return False

    strategy = st.tuples(parameters(model), inputs(model), neighbour_trains(n_steps))
    try:
        params, I, K = find(strategy, mismatch, settings=_settings(max_examples))  # noqa: E741
    except NoSuchExample:
        return checked[0]
    raise AssertionError(
        f"{model.name}: a closed form disagrees with the simulator at params={params}, "
        f"I={I}, K={list(K)}"
    )
