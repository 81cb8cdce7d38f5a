"""The default parameter rule of ND-CNPFuse.

Chosen by decision-map agreement with the authors' published Lytro fusions among
every candidate in ``docs/reproduction.md`` (``tools/search_rule.py`` reruns the
search). It is the rule ``ndcnp fuse`` uses on every image.

* ``alpha, beta, gamma`` = 0.8, 0.2, 0.5: the paper's own worked example (Eq. (18)).
* ``W``: the 3x3 inverse-distance kernel with zero centre (the authors' habit in
  their readable PCNN/CNP code), scaled to ``sum(W) = 0.06``. The modified
  Laplacian of a [0, 1] grey image is mostly below 0.1, so coupling of this
  size nudges a neuron by its neighbours' spikes without drowning its own input.
* ``lam`` from Corollary 1 (Eq. (19)) through :func:`ndtheory.bound.solve_for`:
  the largest input of *all* sources sits exactly on the continuous-firing bound,
  and every system shares that lambda.
* ``beta`` per system, again from Corollary 1: with that lambda, each system
  solves for the ``beta`` that puts the 99.99th percentile of its *own* input
  (a maximum robust to a few outlier pixels) on the bound. A source whose strong
  responses are weaker keeps its linking channel ``V`` longer (``beta`` nearer 1),
  so its coupled regions gain more; this per-source gain is what the authors' maps
  show (docs/reproduction.md, "Round 2": 98.41 % mean agreement on Lytro, worst
  96.02 %, against 97.69 % / 92.86 % with the paper's beta for both systems; with
  Eq. (21) summed over the disk of radius r, 98.63 % / 96.74 %, and over the
  pixels within city-block distance r, the pipeline's default window,
  98.75 % / 97.15 %).
  Of the equally good Lytro variants, ``sum(W) = 0.06`` with the 99.99th
  percentile is the one that keeps the decision maps closest to the ground truth
  of MF-VOC.
"""

from __future__ import annotations

from fusion.configure import ParameterRule

INVERSE_DISTANCE_W = ((0.5, 1.0, 0.5), (1.0, 0.0, 1.0), (0.5, 1.0, 0.5))
"""3x3 inverse-distance coupling shape with zero centre (sum 6)."""

COUPLING_SUM = 0.06
"""``sum(W)`` of the default rule, in units of the [0, 1]-grey modified Laplacian."""

OWN_PERCENTILE = 99.99
"""Percentile of each system's own input that its ``beta`` puts on the Corollary-1 bound."""

DEFAULT_RULE = ParameterRule(
    W=tuple(tuple(COUPLING_SUM / 6.0 * w for w in row) for row in INVERSE_DISTANCE_W),
    alpha=0.8,
    beta=0.2,
    gamma=0.5,
    lam_scope="shared",
    semantics="decay",
    fires_at_equality=False,
    own_parameter="beta",
    own_percentile=OWN_PERCENTILE,
)
"""The default rule (see the module docstring)."""
