"""Exact rational simulation of single neurons and small grids.

Floats decide boundary cases by rounding: at ``I = 62/19`` typed as the double
``3.263157894736842`` (7e-17 below it) a float neuron fires at every step, the
exact neuron with that double's value does not. Here every state is an exact
rational (:class:`fractions.Fraction`, or python-flint's ``fmpq`` when asked),
the update is the model's own declaration compiled by
:func:`ndtheory.exact.exact_step`, and :func:`first_difference` reports where a
float run parts from the exact one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ndtheory.errors import NdcnpInputError
from ndtheory.exact import _constructor, exact_parameters, exact_step, exact_value
from ndtheory.spec import ND_CNP, NeuronModel
from simulate.checks import check_n_steps
from simulate.neuron import NEIGHBOURS

NUMBERS: tuple[str, ...] = ("auto", "fraction", "flint")
"""Exact number types: :class:`fractions.Fraction`, python-flint's ``fmpq`` (2.7-3.8
times faster, ``benchmarks/bench_exact.py``), or ``"auto"``: ``fmpq`` when
python-flint is installed (the ``exact`` extra), else ``Fraction``."""


def resolve_number(number: str) -> str:
    """``"auto"`` as ``"flint"`` when python-flint imports, else ``"fraction"``."""
    if number != "auto":
        return number
    try:
        import flint  # noqa: F401
    except ImportError:
        return "fraction"
    return "flint"


@dataclass(frozen=True)
class ExactRun:
    """What :func:`simulate_neuron_exact` returns.

    Attributes
    ----------
    spikes : tuple of int
        ``P(t)`` for ``t = 1..n_steps``.
    margins : tuple
        The firing margin (``U(1+V) - T`` for ND-CNP) at ``t = 1..n_steps``, exact.
    final_state : tuple
        The units at ``t = n_steps``.
    """

    spikes: tuple[int, ...]
    margins: tuple[Any, ...]
    final_state: tuple[Any, ...]

    @property
    def train(self) -> str:
        """The spikes as a 0/1 string."""
        return "".join(map(str, self.spikes))

    @property
    def first_miss(self) -> int | None:
        """The first step without a spike, or ``None``."""
        index = self.train.find("0")
        return None if index < 0 else index + 1


def simulate_neuron_exact(
    I: Any,  # noqa: E741 - the paper's symbol
    params: Mapping[str, Any],
    n_steps: int,
    *,
    neighbours: str = "none",
    sum_W: Any = 0,
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
    number: str = "auto",
) -> ExactRun:
    """Run one neuron in exact rational arithmetic.

    Same model, neighbour settings and conventions as
    :func:`simulate.neuron.simulate_neuron` (``K(1) = 0`` for ``"always"``,
    ``K(t) = sum(W) P(t-1)`` for ``"uniform"``).

    Parameters
    ----------
    I : str, int, Fraction or float
        External input; ``"62/19"`` and ``"0.1"`` are exact, a float is its
        binary value (:func:`ndtheory.exact.parse_exact`).
    params : mapping of str to number
        The model's parameters, read the same way.
    n_steps : int
        Steps to run.
    neighbours : {"none", "always", "uniform"}
    sum_W : number
        ``sum(W)``.
    semantics : {"decay", "decay-on-fire"}
    model : NeuronModel
        A model with rational constants (not PCNN).
    number : {"auto", "fraction", "flint"}
        The exact number type (:data:`NUMBERS`); spikes do not depend on it.

    Returns
    -------
    ExactRun

    Raises
    ------
    NdcnpInputError
        For invalid values. ``NotDerivableError`` for a model with an irrational
        constant.

    Examples
    --------
    >>> p = {"alpha": "1/10", "beta": "1/10", "gamma": "9/10", "lam": 1}
    >>> run = simulate_neuron_exact("62/19", p, 3000, neighbours="uniform", sum_W=1)
    >>> run.train.count("1")
    3000
    """
    if neighbours not in NEIGHBOURS:
        raise NdcnpInputError(
            f"neighbours must be one of {', '.join(NEIGHBOURS)}; got {neighbours!r}"
        )
    steps = check_n_steps(n_steps)
    number = resolve_number(number)
    step = exact_step(model, semantics, number)
    Q = _constructor(number)
    values = exact_parameters(model, params, number)
    i_value, w_value = exact_value(I, "I"), exact_value(sum_W, "sum_W")
    if i_value < 0 or w_value < 0:
        raise NdcnpInputError("I and sum_W must be >= 0")
    i_exact = Q(i_value.numerator, i_value.denominator)
    total = Q(w_value.numerator, w_value.denominator)
    zero, one = Q(0), Q(1)
    state = step.initial(values)
    P = zero
    spikes, margins = [], []
    for t in range(1, steps + 1):
        if neighbours == "none":
            K = zero
        elif neighbours == "always":
            K = zero if t == 1 else total
        else:
            K = total * P
        state = step.update(state, P, K, i_exact, values)
        margin = step.margin(state, values)
        fired = step.fires(margin)
        P = one if fired else zero
        spikes.append(int(fired))
        margins.append(margin)
    return ExactRun(tuple(spikes), tuple(margins), tuple(state))


@dataclass(frozen=True)
class ExactGridRun:
    """What :func:`simulate_grid_exact` returns.

    Attributes
    ----------
    spikes : tuple
        ``spikes[t-1][i][j]`` for ``t = 1..n_steps``.
    closest : number or None
        The smallest ``|margin|`` met (how near rounding could have decided a float run).
    """

    spikes: tuple[tuple[tuple[int, ...], ...], ...]
    closest: Any


def first_difference(float_spikes: Sequence[int], exact: ExactRun) -> int | None:
    """The first step (from 1) where a float run's spikes differ from the exact run's."""
    for t, (a, b) in enumerate(zip(float_spikes, exact.spikes, strict=True), start=1):
        if int(a) != b:
            return t
    return None


def simulate_grid_exact(
    stimulus: Sequence[Sequence[Any]],
    params: Mapping[str, Any],
    kernel: Sequence[Sequence[Any]],
    n_steps: int,
    *,
    semantics: str = "decay",
    border: str = "zero",
    model: NeuronModel = ND_CNP,
    number: str = "auto",
) -> ExactGridRun:
    """Run a small grid in exact rational arithmetic.

    ``K_ij(t) = sum_kl W_kl P_{i+k, j+l}(t-1)`` with the kernel centred (odd
    sizes), as :func:`simulate.grid.simulate_grid` computes it; outside the image
    ``P = 0`` (``border="zero"``) or the image wraps (``"periodic"``).

    Returns
    -------
    ExactGridRun
    """
    if border not in ("zero", "periodic"):
        raise NdcnpInputError(f"border must be zero or periodic; got {border!r}")
    steps = check_n_steps(n_steps)
    number = resolve_number(number)
    step = exact_step(model, semantics, number)
    Q = _constructor(number)
    values = exact_parameters(model, params, number)

    def exact(v: Any, name: str) -> Any:
        f = exact_value(v, name)
        return Q(f.numerator, f.denominator)

    inputs = [[exact(v, "stimulus") for v in row] for row in stimulus]
    weights = [[exact(v, "W") for v in row] for row in kernel]
    M, N = len(inputs), len(inputs[0])
    kr, kc = len(weights), len(weights[0])
    if kr % 2 == 0 or kc % 2 == 0:
        raise NdcnpInputError(f"the kernel needs odd sizes; got {kr}x{kc}")
    taps = [
        (a - kr // 2, b - kc // 2, weights[a][b])
        for a in range(kr)
        for b in range(kc)
        if weights[a][b] != 0
    ]
    zero, one = Q(0), Q(1)
    state = [[step.initial(values) for _ in range(N)] for _ in range(M)]
    P = [[zero] * N for _ in range(M)]
    out = []
    closest = None
    for _ in range(steps):
        K = [[zero] * N for _ in range(M)]
        for i in range(M):
            for j in range(N):
                total = zero
                for di, dj, w in taps:
                    r, c = i + di, j + dj
                    if border == "periodic":
                        r, c = r % M, c % N
                    elif not (0 <= r < M and 0 <= c < N):
                        continue
                    total += w * P[r][c]
                K[i][j] = total
        new_P = [[zero] * N for _ in range(M)]
        for i in range(M):
            for j in range(N):
                state[i][j] = step.update(state[i][j], P[i][j], K[i][j], inputs[i][j], values)
                margin = step.margin(state[i][j], values)
                closest = abs(margin) if closest is None else min(closest, abs(margin))
                if step.fires(margin):
                    new_P[i][j] = one
        P = new_P
        out.append(tuple(tuple(int(p == one) for p in row) for row in P))
    return ExactGridRun(tuple(out), closest)
