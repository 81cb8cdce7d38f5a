"""The parameter rule of ND-CNPFuse: neuron parameters from the inputs via Corollary 1.

The paper configures the neurons "automatically from the input images via
Corollary 1" (Sec. 3.2; its Appendix A.2 is not public). The rule here was
chosen by agreement with the authors' published Lytro fusions; see
``docs/reproduction.md`` for every candidate tried and its numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ndtheory.bound import solve_for
from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel


@dataclass(frozen=True)
class ParameterRule:
    """How the two (or more) ND-CNP systems are configured from their inputs.

    Parameters
    ----------
    W : tuple of tuple of float
        Coupling weights (odd square, zero centre).
    alpha, beta, gamma : float
        Decay factors of U, V, T (Eq. 7).
    lam_scope : {"shared", "own"}
        ``"shared"``: one lambda for every system, from the largest input of all
        sources; ``"own"``: each system from its own input.
    semantics : {"decay", "decay-on-fire"}
        When the decay applies (:mod:`ndtheory.spec`).
    fires_at_equality : bool
        Fire on ``U(1+V) >= T`` instead of the paper's ``>``.
    """

    W: tuple[tuple[float, ...], ...]
    alpha: float
    beta: float
    gamma: float
    lam_scope: str = "shared"
    semantics: str = "decay"
    fires_at_equality: bool = False

    @property
    def kernel(self) -> NDArray[np.float64]:
        """``W`` as an array."""
        return np.asarray(self.W, dtype=np.float64)

    @property
    def model(self) -> NeuronModel:
        """The neuron model: ND-CNP, with ``>=`` when ``fires_at_equality``."""
        if not self.fires_at_equality:
            return ND_CNP
        lhs, rhs = ND_CNP.firing.lhs, ND_CNP.firing.rhs
        return dataclasses.replace(ND_CNP, name="nd-cnp-ge", firing=sp.GreaterThan(lhs, rhs))


def corollary1_lam(i_max: float, rule: ParameterRule) -> float:
    """The threshold weight that puts ``i_max`` exactly on the Corollary-1 bound (Eq. 19).

    With this lambda every input ``I <= i_max`` satisfies Corollary 1, and the
    largest one sits on the bound: the neurons use the whole range below
    continuous firing.
    """
    if not np.isfinite(i_max) or i_max < 0:
        raise NdcnpInputError(f"the largest input must be a finite number >= 0; got {i_max}")
    return solve_for(
        "lam",
        I=float(i_max),
        alpha=rule.alpha,
        beta=rule.beta,
        gamma=rule.gamma,
        sum_W=float(rule.kernel.sum()),
    )


def configure(stimuli: Sequence[NDArray], rule: ParameterRule) -> list[dict[str, float]]:
    """Neuron parameters for each source's ND-CNP system.

    Parameters
    ----------
    stimuli : sequence of (M, N) ndarray
        The external inputs (modified Laplacians) of the systems.
    rule : ParameterRule
        The rule.

    Returns
    -------
    list of dict
        ``{"alpha", "beta", "gamma", "lam"}`` per system.
    """
    if rule.lam_scope == "shared":
        peak = max(float(np.max(s)) for s in stimuli)
        peaks = [peak] * len(stimuli)
    elif rule.lam_scope == "own":
        peaks = [float(np.max(s)) for s in stimuli]
    else:
        raise NdcnpInputError(f"lam_scope must be 'shared' or 'own'; got {rule.lam_scope!r}")
    return [
        {
            "alpha": rule.alpha,
            "beta": rule.beta,
            "gamma": rule.gamma,
            "lam": corollary1_lam(p, rule),
        }
        for p in peaks
    ]
