"""How ``ndcnp simulate neuron`` scales with ``--steps``: the simulation and ``classify()``.

    PYTHONPATH=. python benchmarks/bench_neuron_steps.py [--steps 10000 100000 1000000]

For each length it prints wall and CPU seconds of :func:`simulate.neuron.simulate_neuron`
(the paper's example, uniform neighbours, I = 1) and of :func:`simulate.analysis.classify`
on its train, and, up to ``--old-max`` steps, of the former classify (one full-array
comparison per period, quadratic), whose result it checks against the new one. Then the
whole command, ``python -m fusion simulate neuron --steps N`` (imports included), in a
child process, with its CPU time (user + sys of the child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ndtheory.spec import PAPER_EXAMPLE  # noqa: E402
from simulate.analysis import FiringPattern, _train, classify  # noqa: E402
from simulate.neuron import simulate_neuron  # noqa: E402


def classify_quadratic(spikes, *, min_repeats: int = 3, min_tail: int = 10) -> FiringPattern:
    """The former classify(), kept here as the baseline it is timed and checked against."""
    train = _train(spikes)
    n = train.size
    best = None
    for period in range(1, n // min_repeats + 1):
        mismatch = np.nonzero(train[:-period] != train[period:])[0]
        transient = int(mismatch[-1]) + 1 if mismatch.size else 0
        enough = n - transient >= max(min_repeats * period, min_tail)
        if enough and (best is None or transient < best[0]):
            best = (transient, period)
    if best is None:
        tail = train[n // 2 :]
        return FiringPattern("irregular", None, None, "", float(tail.mean()) if tail.size else 0.0)
    transient, period = best
    pattern = "".join(map(str, train[transient : transient + period]))
    ones = pattern.count("1")
    regime = "silent" if ones == 0 else "continuous" if ones == period else "periodic"
    return FiringPattern(regime, transient, period, pattern, ones / period)


def timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def command(steps: int) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "fusion", "simulate", "neuron", "--I", "1", "--steps", str(steps)]
    argv += ["--neighbours", "uniform"]
    before = os.times()
    wall = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - wall
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--old-max", type=int, default=100_000, help="longest train for the old")
    args = parser.parse_args()
    header = ("steps", "simulate s (cpu)", "classify s (cpu)", "old classify s (cpu)")
    print(f"{header[0]:>9} {header[1]:>17} {header[2]:>17} {header[3]:>21}")
    for n in args.steps:
        result, sim_wall, sim_cpu = timed(
            simulate_neuron, 1.0, PAPER_EXAMPLE, n, neighbours="uniform", sum_W=1.2
        )
        new, cls_wall, cls_cpu = timed(classify, result.spikes)
        old_text = "skipped"
        if n <= args.old_max:
            old, old_wall, old_cpu = timed(classify_quadratic, result.spikes)
            assert old == new, (old, new)
            old_text = f"{old_wall:.2f} ({old_cpu:.2f})"
        print(
            f"{n:>9} {f'{sim_wall:.2f} ({sim_cpu:.2f})':>17} "
            f"{f'{cls_wall:.3f} ({cls_cpu:.3f})':>17} {old_text:>21}"
        )
    print(f"\n{'steps':>9} {'ndcnp simulate neuron: wall s':>30} {'cpu s':>7}")
    for n in args.steps:
        wall, cpu = command(n)
        print(f"{n:>9} {wall:>30.2f} {cpu:>7.2f}")


if __name__ == "__main__":
    main()
