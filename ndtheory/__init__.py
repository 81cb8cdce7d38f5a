"""Symbolic neurodynamics of coupled neural P systems, derived from :mod:`ndtheory.spec`.

The names below load on first use (PEP 562), so that ``import ndtheory.errors`` -- which
every command line needs -- does not import sympy and the derivations.
"""

import importlib

_WHERE = {
    "ND_CNP": "ndtheory.spec",
    "NdcnpInputError": "ndtheory.errors",
    "NeuronModel": "ndtheory.spec",
    "NotDerivableError": "ndtheory.errors",
    "Parameter": "ndtheory.spec",
    "Unit": "ndtheory.spec",
    "continuous_firing_bound": "ndtheory.bound",
    "derive_continuous_firing": "ndtheory.continuous_firing",
    "finite_horizon_supremum": "ndtheory.bound",
    "finite_horizon_thresholds": "ndtheory.bound",
    "solve_for": "ndtheory.bound",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'ndtheory' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
