"""How often does Theorem 4's bound fail to be sufficient? A seeded census.

Draws random parameter sets (alpha, beta, gamma in [0.05, 0.95], lam in [0.5, 50],
sum(W) in {0.3, 1, 2.5}), puts each neuron at ``I = factor x B`` (Eq. 17) and runs it
from rest in the four settings (uniform / always-firing neighbours x decay /
decay-on-fire). A neuron counts as continuous when it fires at every one of the last
``tail`` steps; the others are classified (:func:`simulate.analysis.classify`).

Run from the repository root (about 20 s on one core)::

    PYTHONPATH=. python tools/sufficiency_census.py --factor 1.02
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from ndtheory import continuous_firing_bound
from simulate.analysis import classify
from simulate.neuron import run_batch

SUM_W = (0.3, 1.0, 2.5)
SETTINGS = [
    ("uniform", "decay"),
    ("uniform", "decay-on-fire"),
    ("always", "decay"),
    ("always", "decay-on-fire"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=1.02, help="I / B (default 1.02)")
    parser.add_argument("--per-sum-w", type=int, default=1000, help="draws per sum(W)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--tail", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    totals = {s: Counter() for s in SETTINGS}
    patterns = {s: Counter() for s in SETTINGS}
    drawn = 0
    for sum_w in SUM_W:
        a, b, g = rng.uniform(0.05, 0.95, (3, args.per_sum_w))
        lam = rng.uniform(0.5, 50.0, args.per_sum_w)
        bound = np.array(
            [continuous_firing_bound(*p, sum_W=sum_w) for p in zip(a, b, g, lam, strict=True)]
        )
        keep = bound > 0.01  # a bound at or near 0 leaves no input to speak of
        params = {"alpha": a[keep], "beta": b[keep], "gamma": g[keep], "lam": lam[keep]}
        inputs = args.factor * bound[keep]
        drawn += int(keep.sum())
        for setting in SETTINGS:
            neighbours, semantics = setting
            trains = run_batch(
                inputs,
                params,
                args.steps,
                neighbours=neighbours,
                sum_W=sum_w,
                semantics=semantics,
            ).spikes
            continuous = trains[-args.tail :].all(axis=0)
            totals[setting]["continuous"] += int(continuous.sum())
            for k in np.flatnonzero(~continuous):
                found = classify(trains[:, k])
                patterns[setting][found.pattern if found.period else found.regime] += 1
    print(f"{drawn} parameter sets, I = {args.factor:g} x B, {args.steps} steps from rest")
    for setting in SETTINGS:
        failed = drawn - totals[setting]["continuous"]
        common = ", ".join(f"{p} {n}" for p, n in patterns[setting].most_common(5))
        print(
            f"{setting[0]:>7} {setting[1]:<13} not continuous: {failed} "
            f"({100 * failed / drawn:.1f}%){'; ' + common if common else ''}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
