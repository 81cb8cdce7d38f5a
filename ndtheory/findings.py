"""What holds and what fails of Theorem 4 and Corollary 1, as far as theory decides it.

Every number here is computed from the derived bound ``B`` (Eq. 17) and the exact
finite-horizon thresholds ``I_t`` of :mod:`ndtheory.bound`. What a neuron does *after*
it first misses a step (periodic pattern or continuous firing later) is a simulation
fact: the summary names the command that replays it and points to
``docs/findings.md``, where the simulated outcomes are stated and tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ndtheory.bound import bound_expr, finite_horizon_supremum, threshold_expr
from ndtheory.recurrence import t
from ndtheory.spec import ND_CNP, SUM_W, NeuronModel

DOC = "docs/findings.md"
"""Where the findings are written out with their simulated outcomes."""


@dataclass(frozen=True)
class Case:
    """A parameter set of the findings, in exact decimals (as typed on the command line).

    Attributes
    ----------
    name : str
        Short label.
    alpha, beta, gamma, lam, sum_W : str
        The parameters, as decimal strings.
    I : str or None
        The input the finding is about (``None``: the bound itself).
    """

    name: str
    alpha: str
    beta: str
    gamma: str
    lam: str
    sum_W: str
    I: str | None = None  # noqa: E741 - the paper's symbol

    def exact(self) -> dict[sp.Symbol, sp.Rational]:
        """The parameters as SymPy rationals, keyed by the model's symbols."""
        names = ("alpha", "beta", "gamma", "lam")
        out = {ND_CNP.symbols[n]: sp.Rational(getattr(self, n)) for n in names}
        out[SUM_W] = sp.Rational(self.sum_W)
        return out

    def floats(self) -> dict[str, float]:
        """The parameters as floats, keyed by name (``sum_W`` included)."""
        names = ("alpha", "beta", "gamma", "lam", "sum_W")
        return {n: float(getattr(self, n)) for n in names}

    def simulate_command(self, neighbours: str = "uniform", steps: int = 60) -> str:
        """The ``ndcnp simulate neuron`` command that replays this case."""
        return (
            f"ndcnp simulate neuron --I {self.I} --alpha {self.alpha} --beta {self.beta} "
            f"--gamma {self.gamma} --lam {self.lam} --sum-w {self.sum_W} "
            f"--neighbours {neighbours} --steps {steps}"
        )

    def bound_command(self) -> str:
        """The ``ndcnp theory bound`` command for this case's parameters."""
        return (
            f"ndcnp theory bound --alpha {self.alpha} --beta {self.beta} --gamma {self.gamma} "
            f"--lam {self.lam} --sum-w {self.sum_W}"
        )


PAPER = Case("paper example (Eq. 18)", "0.8", "0.2", "0.5", "15", "1.2")
PAPER_ABOVE_BOUND = Case("paper example, I = 1.25", "0.8", "0.2", "0.5", "15", "1.2", "1.25")
"""Theorem 4's example with an input just above its bound: the headline counterexample."""
BOUNDARY = Case("Corollary 1 at equality", "0.1", "0.1", "0.9", "1", "1")
"""``I = B`` fires at every step: the supremum of ``I_t`` is not reached."""


def exact_bound(case: Case, model: NeuronModel = ND_CNP) -> sp.Rational:
    """``B`` of Eq. 17 in exact rational arithmetic."""
    return sp.nsimplify(bound_expr(model).xreplace(case.exact()))


def exact_threshold(case: Case, step: int, model: NeuronModel = ND_CNP) -> sp.Rational:
    """``I_t`` at ``step`` in exact rational arithmetic."""
    return sp.nsimplify(threshold_expr(model).xreplace({**case.exact(), t: step}))


def first_missed_step(case: Case, horizon: int = 200) -> int | None:
    """First step ``t <= horizon`` with ``I <= I_t``: the first step missed from rest, exactly."""
    value = sp.Rational(case.I)
    for step in range(1, horizon + 1):
        if value <= exact_threshold(case, step):
            return step
    return None


def _fraction(value: sp.Rational) -> str:
    return str(Fraction(int(value.p), int(value.q)))


def summary_lines() -> list[str]:
    """The findings summary printed under ``ndcnp theory``'s audit (text format)."""
    paper_bound = exact_bound(PAPER)
    supremum = finite_horizon_supremum(**PAPER.floats())
    at_step = exact_threshold(PAPER, supremum.step)
    above = sp.Rational(PAPER_ABOVE_BOUND.I)
    missed = first_missed_step(PAPER_ABOVE_BOUND)
    edge_bound = exact_bound(BOUNDARY)
    edge_supremum = finite_horizon_supremum(**BOUNDARY.floats())
    edge_late = exact_threshold(BOUNDARY, 100)
    reached = "reached" if edge_supremum.step is not None else "not reached"
    edge = BOUNDARY.floats()
    return [
        f"Findings ({DOC}: simulated outcomes, property tests, replay commands)",
        "  holds  lasting continuous firing => I >= B (necessary; a limit keeps only >=)",
        "  holds  from rest: fires at every step <=> I > I_t for every t;",
        f"         paper example: B = {_fraction(paper_bound)}, sup_t I_t = "
        f"{_fraction(at_step)} = {float(at_step):.6g} at t = {supremum.step} "
        f"({float(at_step / paper_bound):.3g} x B)",
        "  fails  I > B => continuous firing (uniform neighbours, decay semantics):",
        f"         I = {PAPER_ABOVE_BOUND.I} = {float(above / paper_bound):.4g} x B misses step "
        f"{missed} from rest (I_{missed} = {_fraction(exact_threshold(PAPER, missed))}); replay:",
        f"         {PAPER_ABOVE_BOUND.simulate_command()}",
        "  fails  Corollary 1 at I = B: "
        + ", ".join(f"{k}={v:g}" for k, v in edge.items())
        + f": B = {_fraction(edge_bound)} = {float(edge_bound):.6g};",
        f"         I_t rises to B from below (I_100 = {float(edge_late):.6g}, supremum {reached}),"
        " so I = B fires at every step",
    ]
