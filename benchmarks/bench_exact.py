"""Exact simulation: Fraction against python-flint's fmpq (same spikes), CPU and wall time.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_exact.py
"""

from __future__ import annotations

import time

from simulate.exact import simulate_neuron_exact

CASES = {
    "Corollary 1, I = 62/19, uniform, 3000 steps": (
        "62/19",
        {"alpha": "1/10", "beta": "1/10", "gamma": "9/10", "lam": 1},
        1,
    ),
    "paper's example, I = 1.32764, uniform, 3000 steps": (
        "1.32764",
        {"alpha": "0.8", "beta": "0.2", "gamma": "0.5", "lam": 15},
        "1.2",
    ),
}


def main() -> int:
    for label, (I, params, sum_W) in CASES.items():  # noqa: E741
        timings, trains = {}, {}
        for number in ("fraction", "flint"):
            wall, cpu = time.perf_counter(), time.process_time()
            run = simulate_neuron_exact(
                I, params, 3000, neighbours="uniform", sum_W=sum_W, number=number
            )
            timings[number] = (time.perf_counter() - wall, time.process_time() - cpu)
            trains[number] = run.train
        assert trains["fraction"] == trains["flint"]
        f, q = timings["fraction"], timings["flint"]
        print(
            f"{label}: Fraction {f[1]:.2f} s CPU ({f[0]:.2f} s wall), fmpq {q[1]:.2f} s CPU "
            f"({q[0]:.2f} s wall), fmpq {f[1] / q[1]:.1f}x faster (CPU)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
