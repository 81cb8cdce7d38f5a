"""Symbolic neurodynamics of coupled neural P systems, derived from :mod:`ndtheory.spec`."""

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel, Parameter, Unit

__all__ = ["ND_CNP", "NdcnpInputError", "NeuronModel", "Parameter", "Unit"]
