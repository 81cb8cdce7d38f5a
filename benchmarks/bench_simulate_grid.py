"""Time the grid engines on the fusion-sized case: 520x520 neurons, 110 steps, 3x3 W.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_simulate_grid.py [--runs 5] [--size 520]
        [--no-coupling] [--block 16]

Prints the median wall-clock and CPU time of each engine (after one warm-up
call, so numba's compilation is excluded and reported separately) and checks
that both engines give the same counts. ``--no-coupling`` runs an all-zero W
(the update loop alone, K = 0); ``--block`` sets the kernel's wavefront block
(``simulate.grid.BLOCK_STEPS``; 1 = step by step; default: chosen from the cache size).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import simulate.grid
from ndtheory.spec import PAPER_EXAMPLE
from simulate.grid import simulate_grid

W_3X3 = np.array([[0.5, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.5]]) / 6


def _time(run, runs: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=520)
    parser.add_argument("--steps", type=int, default=110)
    parser.add_argument("--no-coupling", action="store_true", help="W = 0: time the updates alone")
    parser.add_argument("--block", type=int, default=simulate.grid.BLOCK_STEPS)
    args = parser.parse_args()
    simulate.grid.BLOCK_STEPS = args.block
    W = np.zeros((3, 3)) if args.no_coupling else W_3X3
    stimulus = np.random.default_rng(0).random((args.size, args.size))
    updates = args.size * args.size * args.steps

    def run(engine: str) -> np.ndarray:
        return simulate_grid(stimulus, PAPER_EXAMPLE, W, args.steps, engine=engine).counts

    t0 = time.perf_counter()
    fast = run("numba")
    print(f"numba first call (compiles): {time.perf_counter() - t0:.2f} s")
    slow = run("reference")
    assert np.array_equal(fast, slow), "engines differ"
    print(
        f"{args.size}x{args.size}, {args.steps} steps, {'zero' if args.no_coupling else '3x3'} W, "
        f"block {args.block}; counts identical; "
        f"median of {args.runs} runs:"
    )
    for engine, runs in (("numba", args.runs), ("reference", max(1, args.runs // 2))):
        wall, cpu = _time(lambda e=engine: run(e), runs)
        print(
            f"  {engine:9s} wall {wall:.4f} s  cpu {cpu:.4f} s  "
            f"({1e9 * wall / updates:.2f} ns per neuron update)"
        )


if __name__ == "__main__":
    main()
