"""The default parameter rule of ND-CNPFuse (chosen in ``docs/reproduction.md``)."""

from __future__ import annotations

from fusion.configure import ParameterRule

INVERSE_DISTANCE_W = ((0.5, 1.0, 0.5), (1.0, 0.0, 1.0), (0.5, 1.0, 0.5))
"""3x3 inverse-distance coupling with zero centre, the authors' habit (PA-PCNN style)."""

DEFAULT_RULE = ParameterRule(
    W=tuple(tuple(0.02 * w for w in row) for row in INVERSE_DISTANCE_W),
    alpha=0.8,
    beta=0.2,
    gamma=0.5,
    lam_scope="shared",
)
"""Provisional; replaced by the rule chosen by the search."""
