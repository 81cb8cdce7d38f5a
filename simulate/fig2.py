# ruff: noqa: E741  (I is the paper's symbol for the external input)
"""The paper's Fig. 2 experiment and the search for the setup behind its rates.

Section 3.2 of [1]_ runs one neuron with ``alpha = 0.8, beta = 0.2,
gamma = 0.5, lambda = 15`` and ``W = [0.1, 0.5, 0, 0.5, 0.1]`` (``sum(W) = 1.2``,
so Theorem 4's bound is 1.2) at ``I = 0.5, 1.0, 1.5, 2.0`` and reports firing
rates of 60%, 70%, 100% and 100%. How the neighbours, the semantics and the
rate window were set is not stated. :func:`fig2_table` runs every setup tried
here over every window and says which reproduce the four numbers.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Fig. 2, Eq. (18).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ndtheory.spec import ND_CNP, PAPER_EXAMPLE, PAPER_W, NeuronModel
from simulate.analysis import classify, firing_rate
from simulate.checks import sequential_sum
from simulate.grid import simulate_grid
from simulate.neuron import NeuronResult, simulate_neuron

FIG2_INPUTS: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)
"""The inputs of Fig. 2 (a)-(d)."""
FIG2_RATES: tuple[int, ...] = (60, 70, 100, 100)
"""The firing rates (%) the paper reports for them."""
FIG2_STEPS = 100
"""Steps run per neuron."""
PAPER_SUM_W = 1.2
"""``sum(W)`` of the paper's example, as printed (the float sum of W is 1.2000000000000002)."""

WINDOWS: dict[str, tuple[int, int]] = {
    "1-100": (0, 100),
    "1-10": (0, 10),
    "1-20": (0, 20),
    "51-100": (50, 100),
    "91-100": (90, 100),
}
"""Rate windows tried, as step ranges (inclusive) and their slices of the spike train."""


def _ge_model() -> NeuronModel:
    fires = ND_CNP.firing
    return dataclasses.replace(
        ND_CNP, name="nd-cnp-ge", firing=sp.GreaterThan(fires.lhs, fires.rhs)
    )


ND_CNP_GE = _ge_model()
"""ND-CNP firing on ``U*(1 + V) >= T`` (the authors' other code compares with ``>=``)."""

EXP_DECAYS = {"alpha": math.exp(-0.8), "beta": math.exp(-0.2), "gamma": math.exp(-0.5), "lam": 15.0}
"""The paper's values read as PCNN-style decays ``exp(-alpha)``."""
COMPLEMENT_DECAYS = {"alpha": 0.2, "beta": 0.8, "gamma": 0.5, "lam": 15.0}
"""The paper's values read as consumed fractions (``U - u = (1 - alpha) U``)."""


@dataclass(frozen=True)
class Setup:
    """One way to run the Fig. 2 neuron.

    Attributes
    ----------
    name : str
        Short label for tables.
    semantics : str
        ``"decay"`` or ``"decay-on-fire"``.
    description : str
        What differs from the paper's analysis setting.
    run : callable
        ``run(I) -> spikes`` for steps 1..100.
    """

    name: str
    semantics: str
    description: str
    run: Callable[[float], np.ndarray]


def _neuron(neighbours, semantics, params=PAPER_EXAMPLE, model=ND_CNP):
    def run(I: float) -> np.ndarray:
        kwargs = {} if not isinstance(neighbours, str) else {"sum_W": PAPER_SUM_W}
        result = simulate_neuron(
            I, params, FIG2_STEPS, neighbours=neighbours, semantics=semantics, model=model, **kwargs
        )
        return result.spikes

    return run


def _chain(n: int, semantics: str):
    def run(I: float) -> np.ndarray:
        result = simulate_grid(
            np.full((1, n), I),
            PAPER_EXAMPLE,
            [list(PAPER_W)],
            FIG2_STEPS,
            semantics=semantics,
            border="zero",
            engine="reference",
            record=[(0, n // 2)],
        )
        return result.traces["P"][1:, 0].astype(np.int8)

    return run


def fig2_setups() -> list[Setup]:
    """Every setup tried for Fig. 2, the issue's six first."""
    setups = []
    for semantics in ("decay", "decay-on-fire"):
        setups += [
            Setup("none", semantics, "no neighbours, K = 0", _neuron("none", semantics)),
            Setup(
                "always",
                semantics,
                "neighbours fire at every step from t = 1: K(1) = 0, K(t >= 2) = 1.2",
                _neuron("always", semantics),
            ),
            Setup(
                "uniform",
                semantics,
                "neighbours behave like the neuron: K(t) = 1.2 P(t-1)",
                _neuron("uniform", semantics),
            ),
        ]
    for semantics in ("decay", "decay-on-fire"):
        setups += [
            Setup(
                "always, K from t=1",
                semantics,
                "neighbours already fired at t = 0: K(t) = 1.2 for t >= 1",
                _neuron([PAPER_SUM_W] * FIG2_STEPS, semantics),
            ),
            Setup(
                "always, >=",
                semantics,
                "fires on U(1+V) >= T",
                _neuron("always", semantics, model=ND_CNP_GE),
            ),
            Setup(
                "always, exp(-a) decays",
                semantics,
                "multipliers exp(-0.8), exp(-0.2), exp(-0.5)",
                _neuron("always", semantics, params=EXP_DECAYS),
            ),
            Setup(
                "always, 1-a decays",
                semantics,
                "multipliers 0.2, 0.8, 0.5 (alpha as the consumed fraction)",
                _neuron("always", semantics, params=COMPLEMENT_DECAYS),
            ),
            Setup(
                "uniform, exp(-a) decays",
                semantics,
                "multipliers exp(-0.8), exp(-0.2), exp(-0.5)",
                _neuron("uniform", semantics, params=EXP_DECAYS),
            ),
            Setup(
                "chain of 21, W as given",
                semantics,
                "centre of a 1x21 grid, W = [0.1 0.5 0 0.5 0.1], zero border",
                _chain(21, semantics),
            ),
        ]
    return setups


@dataclass(frozen=True)
class Fig2Row:
    """Rates of one setup.

    Attributes
    ----------
    setup : Setup
        The setup.
    rates : dict of str to tuple of float
        Per window name, the rate (%) at each Fig. 2 input.
    patterns : tuple of str
        Long-run pattern per input (``classify``), e.g. ``10110``.
    windows_matching : int
        How many of the 91 ten-step windows ``[a, a + 10)`` give exactly
        60/70/100/100%.
    """

    setup: Setup
    rates: dict[str, tuple[float, ...]]
    patterns: tuple[str, ...]
    windows_matching: int

    def matches(self, window: str) -> bool:
        """Whether the rates over ``window``, rounded to whole percent, are the paper's."""
        return tuple(round(r) for r in self.rates[window]) == FIG2_RATES


def fig2_row(setup: Setup) -> Fig2Row:
    """Run one setup at the four inputs and measure every window."""
    trains = [setup.run(I) for I in FIG2_INPUTS]
    rates = {
        name: tuple(100 * firing_rate(s, a, b) for s in trains) for name, (a, b) in WINDOWS.items()
    }
    matching = sum(
        all(
            round(100 * firing_rate(s, a, a + 10)) == target
            for s, target in zip(trains, FIG2_RATES, strict=True)
        )
        for a in range(FIG2_STEPS - 10 + 1)
    )
    patterns = tuple(classify(s).pattern or "irregular" for s in trains)
    return Fig2Row(setup, rates, patterns, matching)


def fig2_table() -> list[Fig2Row]:
    """:func:`fig2_row` for every setup of :func:`fig2_setups`."""
    return [fig2_row(setup) for setup in fig2_setups()]


def format_table(rows: list[Fig2Row]) -> str:
    """The rows as a Markdown table (rates in %, one decimal)."""
    head = [
        "setup",
        "semantics",
        *[f"steps {w}" for w in WINDOWS],
        "long-run pattern",
        "10-step windows = paper",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row.setup.name, row.setup.semantics]
        for window in WINDOWS:
            text = " / ".join(f"{r:g}" for r in row.rates[window])
            cells.append(f"**{text}**" if row.matches(window) else text)
        cells.append(" / ".join(row.patterns))
        cells.append(f"{row.windows_matching} of {FIG2_STEPS - 9}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sum_W_of_paper_W() -> float:
    """``sum(W)`` of the paper's W as the simulators add it (for the record)."""
    return sequential_sum(np.array(PAPER_W))


def fig2_traces(neighbours: str = "always", semantics: str = "decay") -> list[NeuronResult]:
    """Traces of the Fig. 2 neuron at each input, for plotting."""
    return [
        simulate_neuron(
            I,
            PAPER_EXAMPLE,
            FIG2_STEPS,
            neighbours=neighbours,
            sum_W=PAPER_SUM_W,
            semantics=semantics,
        )
        for I in FIG2_INPUTS
    ]
