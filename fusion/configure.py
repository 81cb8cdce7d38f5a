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
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ndtheory.errors import NdcnpInputError

if TYPE_CHECKING:
    from ndtheory.spec import NeuronModel


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
    own_parameter : {None, "alpha", "beta", "gamma", "sum_W"}
        When set, each system then re-solves this parameter from Corollary 1
        (:func:`ndtheory.bound.solve_for`) so that its *own* input's
        ``own_percentile``-th percentile sits on the bound, with the lambda above.
    own_percentile : float
        The percentile (0-100) of each system's input used by ``own_parameter``.
    """

    W: tuple[tuple[float, ...], ...]
    alpha: float
    beta: float
    gamma: float
    lam_scope: str = "shared"
    semantics: str = "decay"
    fires_at_equality: bool = False
    own_parameter: str | None = None
    own_percentile: float = 99.9

    @property
    def kernel(self) -> NDArray[np.float64]:
        """``W`` as an array."""
        return np.asarray(self.W, dtype=np.float64)

    @property
    def model(self) -> NeuronModel:
        """The neuron model: ND-CNP, with ``>=`` when ``fires_at_equality``."""
        # sympy and the spec load here, not when the command line registers its options.
        import sympy as sp

        from ndtheory.spec import ND_CNP

        if not self.fires_at_equality:
            return ND_CNP
        lhs, rhs = ND_CNP.firing.lhs, ND_CNP.firing.rhs
        return dataclasses.replace(ND_CNP, name="nd-cnp-ge", firing=sp.GreaterThan(lhs, rhs))

    @property
    def engine_model(self) -> NeuronModel | str:
        """What the engines run: ND-CNP by its shipped name, whose stored print needs no
        SymPy (:func:`simulate.printed.printed_model`), or :attr:`model` for ``>=``."""
        return self.model if self.fires_at_equality else "nd-cnp"


def corollary1_lam(i_max: float, rule: ParameterRule) -> float:
    """The threshold weight that puts ``i_max`` exactly on the Corollary-1 bound (Eq. 19).

    With this lambda every input ``I <= i_max`` satisfies Corollary 1, and the
    largest one sits on the bound: the neurons use the whole range below
    continuous firing.
    """
    if not np.isfinite(i_max) or i_max < 0:
        raise NdcnpInputError(f"the largest input must be a finite number >= 0; got {i_max}")
    from ndtheory.corollary1 import solve_for  # printed closed forms, no SymPy

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
        ``{"alpha", "beta", "gamma", "lam", "sum_W"}`` per system.
    """
    if rule.lam_scope == "shared":
        peak = max(float(np.max(s)) for s in stimuli)
        peaks = [peak] * len(stimuli)
    elif rule.lam_scope == "own":
        peaks = [float(np.max(s)) for s in stimuli]
    else:
        raise NdcnpInputError(f"lam_scope must be 'shared' or 'own'; got {rule.lam_scope!r}")
    base = {
        "alpha": rule.alpha,
        "beta": rule.beta,
        "gamma": rule.gamma,
        "sum_W": float(rule.kernel.sum()),
    }
    params = [{**base, "lam": corollary1_lam(p, rule)} for p in peaks]
    if rule.own_parameter is None:
        return params
    if rule.own_parameter not in base:
        raise NdcnpInputError(
            f"own_parameter must be one of {', '.join(base)} or None; got {rule.own_parameter!r}"
        )
    if not 0 <= rule.own_percentile <= 100:
        raise NdcnpInputError(f"own_percentile must be in [0, 100]; got {rule.own_percentile}")
    from fusion.percentile import percentile
    from ndtheory.corollary1 import solve_for

    for s, p in zip(stimuli, params, strict=True):
        known = {k: v for k, v in p.items() if k != rule.own_parameter}
        own_level = percentile(s, rule.own_percentile)  # np.percentile's value, faster
        p[rule.own_parameter] = solve_for(rule.own_parameter, I=own_level, **known)
    return params


def model_parameters(rule: ParameterRule, params: dict[str, float]) -> dict[str, float]:
    """The parameters of ``rule.model`` among a system's configuration (without ``sum_W``)."""
    from simulate.printed import printed_model

    declared = printed_model(rule.engine_model, rule.semantics).declared
    return {p.name: params[p.name] for p in declared}


def system_kernel(rule: ParameterRule, params: dict[str, float]) -> NDArray[np.float64]:
    """The coupling weights one system runs with: ``W`` rescaled to ``params["sum_W"]``.

    Equal to :attr:`ParameterRule.kernel` unless ``sum_W`` is the rule's own parameter.
    """
    w = rule.kernel
    total = float(w.sum())
    if params["sum_W"] == total or total == 0:
        return w
    return w * (params["sum_W"] / total)
