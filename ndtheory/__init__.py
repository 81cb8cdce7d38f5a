"""Symbolic neurodynamics of coupled neural P systems, derived from :mod:`ndtheory.spec`.

The names below are loaded on first use (PEP 562), so ``import ndtheory.spec`` (what the
simulators read) does not import the derivations.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "ND_CNP": "ndtheory.spec",
    "NeuronModel": "ndtheory.model",
    "Parameter": "ndtheory.model",
    "Unit": "ndtheory.model",
    "NdcnpInputError": "ndtheory.errors",
    "NotDerivableError": "ndtheory.errors",
    "continuous_firing_bound": "ndtheory.bound",
    "finite_horizon_supremum": "ndtheory.bound",
    "finite_horizon_thresholds": "ndtheory.bound",
    "solve_for": "ndtheory.corollary1",
    "derive_continuous_firing": "ndtheory.continuous_firing",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'ndtheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
