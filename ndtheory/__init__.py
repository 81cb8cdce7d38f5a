"""Symbolic neurodynamics of coupled neural P systems, derived from :mod:`ndtheory.spec`."""

from ndtheory.bound import (
    continuous_firing_bound,
    finite_horizon_supremum,
    finite_horizon_thresholds,
    solve_for,
)
from ndtheory.continuous_firing import derive_continuous_firing
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.spec import ND_CNP, NeuronModel, Parameter, Unit

__all__ = [
    "ND_CNP",
    "NdcnpInputError",
    "NeuronModel",
    "NotDerivableError",
    "Parameter",
    "Unit",
    "continuous_firing_bound",
    "derive_continuous_firing",
    "finite_horizon_supremum",
    "finite_horizon_thresholds",
    "solve_for",
]
