"""The default parameter rule of ND-CNPFuse.

Chosen by decision-map agreement with the authors' published Lytro fusions among
every candidate in ``docs/reproduction.md`` (``tools/search_rule.py`` reruns the
search). It is the rule ``ndcnp fuse`` uses on every image.

* ``alpha, beta, gamma`` = 0.8, 0.2, 0.5: the paper's own worked example (Eq. (18)).
* ``W``: the 3x3 inverse-distance kernel with zero centre (the authors' habit in
  their readable PCNN/CNP code), scaled to ``sum(W) = 0.12``. The modified
  Laplacian of a [0, 1] grey image is mostly below 0.1, so coupling of this
  size nudges a neuron by its neighbours' spikes without drowning its own input;
  ``sum(W)`` of 0.03-0.4 all agreed within 0.2 points, the paper's 1.2 lost 1 point.
* ``lam`` from Corollary 1 (Eq. (19)) through :func:`ndtheory.bound.solve_for`:
  the largest input of *all* sources sits exactly on the continuous-firing bound,
  and every system shares that lambda, so equal inputs give equal spike counts
  and the comparison of Eq. (22) is fair. (A lambda per source, from its own
  maximum, lost 10-30 points.)
"""

from __future__ import annotations

from fusion.configure import ParameterRule

INVERSE_DISTANCE_W = ((0.5, 1.0, 0.5), (1.0, 0.0, 1.0), (0.5, 1.0, 0.5))
"""3x3 inverse-distance coupling shape with zero centre (sum 6)."""

COUPLING_SUM = 0.12
"""``sum(W)`` of the default rule, in units of the [0, 1]-grey modified Laplacian."""

DEFAULT_RULE = ParameterRule(
    W=tuple(tuple(COUPLING_SUM / 6.0 * w for w in row) for row in INVERSE_DISTANCE_W),
    alpha=0.8,
    beta=0.2,
    gamma=0.5,
    lam_scope="shared",
    semantics="decay",
    fires_at_equality=False,
)
"""The default rule (see the module docstring)."""
