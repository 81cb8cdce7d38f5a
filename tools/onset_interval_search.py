"""Is the onset set always an interval? A Hypothesis search for a certified counterexample.

Draws rational ND-CNP parameters (alpha, beta, gamma in {1/20, ..., 19/20}, lam in
{1, ..., 40}, sum(W) in {3/10, 1, 5/2}; uniform neighbours, ``decay``), computes the onset
set (:func:`ndtheory.onset.onset_set`, 200 steps per cell) and stops at the first set in
which a certified periodic piece (never continuous) lies between two certified continuous
pieces. Run from the repository root::

    PYTHONPATH=. python tools/onset_interval_search.py
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)
    start = time.process_time()
    found = find(
        CASES,
        lambda case: split_onset(case) is not None,
        settings=settings(
            max_examples=args.examples, phases=[Phase.generate], derandomize=True, database=None
        ),
    )
    text = ", ".join(f"{k} = {v}" for k, v in found.items())
    print(f"counterexample ({time.process_time() - start:.0f} s CPU): {text}")
    print(f"certified pieces in order: {' '.join(split_onset(found))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
