"""Is the onset set always an interval? A search for a certified counterexample.

Draws (seeded random, the default, or ``--hypothesis``: Hypothesis's generator) rational
ND-CNP parameters (alpha, beta, gamma in {1/20, ..., 19/20}, lam in
{1, ..., 40} (seeded: {1/2, ..., 30}), sum(W) in {3/10, 1, 5/2}; uniform neighbours,
``decay``), computes the onset
set (:func:`ndtheory.onset.onset_set`, 200 steps per cell) and stops at the first set in
which a certified periodic piece (never continuous) lies between two certified continuous
pieces. Run from the repository root::

    PYTHONPATH=. python tools/onset_interval_search.py              # seed 1: 13th draw, 245 s CPU
    PYTHONPATH=. python tools/onset_interval_search.py --hypothesis
"""

from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction

from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from ndtheory.onset import onset_set

RATIOS = st.integers(1, 19).map(lambda n: Fraction(n, 20))
CASES = st.fixed_dictionaries(
    {
        "alpha": RATIOS,
        "beta": RATIOS,
        "gamma": RATIOS,
        "lam": st.integers(1, 40).map(Fraction),
        "sum_W": st.sampled_from([Fraction(3, 10), Fraction(1), Fraction(5, 2)]),
    }
)


def split_onset(case: dict[str, Fraction], steps: int = 200) -> list[str] | None:
    """The certified kinds in order if a periodic piece separates two continuous ones."""
    params = {k: v for k, v in case.items() if k != "sum_W"}
    result = onset_set(params, case["sum_W"], max_steps=steps, max_cells=3000)
    kinds = [p.kind for p, _ in result.merged() if p.kind != "unresolved"]
    first = kinds.index("continuous") if "continuous" in kinds else len(kinds)
    tail = kinds[first:]
    if "periodic" in tail and "continuous" in tail[tail.index("periodic") :]:
        return kinds
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="parameter sets to try")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hypothesis", action="store_true", help="draw with Hypothesis")
    args = parser.parse_args(argv)
    start = time.process_time()
    if not args.hypothesis:
        rng = random.Random(args.seed)
        for draw in range(1, args.examples + 1):
            case = {k: Fraction(rng.randint(1, 19), 20) for k in ("alpha", "beta", "gamma")}
            case["lam"] = Fraction(rng.randint(1, 60), 2)
            case["sum_W"] = Fraction(rng.choice([3, 10, 25]), 10)
            kinds = split_onset(case)
            if kinds is not None:
                text = ", ".join(f"{k} = {v}" for k, v in case.items())
                print(
                    f"counterexample at draw {draw} "
                    f"({time.process_time() - start:.0f} s CPU): {text}"
                )
                print(f"certified pieces in order: {' '.join(kinds)}")
                return 0
        print(f"no counterexample in {args.examples} draws")
        return 1
    found = find(
        CASES,
        lambda case: split_onset(case) is not None,
        settings=settings(
            max_examples=args.examples,
            phases=[Phase.generate],
            derandomize=True,
            database=None,
            deadline=None,
        ),
    )
    text = ", ".join(f"{k} = {v}" for k, v in found.items())
    print(f"counterexample ({time.process_time() - start:.0f} s CPU): {text}")
    print(f"certified pieces in order: {' '.join(split_onset(found))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
