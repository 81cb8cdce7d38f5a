"""What a fresh machine pays for compilation: W as data, the pair cost, the property tests.

Run from the repository root::

    NDCNP_DATA=../shared/data PYTHONPATH=. python benchmarks/bench_compile.py
        [--trees . /path/to/other/checkout] [--only grid pair props]
        [--n-w 20] [--pairs 20] [--repeats 3]

Every measurement runs in a fresh subprocess of the checkout named in
``--trees`` (default: this one), so one call compares two versions under the
same load, interleaved. Wall and CPU seconds (user + sys of the subprocess and
its children) are both printed: on a shared machine CPU time is the steadier
measure of cost.

- ``grid``: ``simulate_grid`` (64x64, t = 110, zero border) on one random 3x3 W,
  then in another process on ``--n-w`` different random 3x3 W, each process
  with empty caches (``XDG_CACHE_HOME`` and ``NUMBA_CACHE_DIR`` pointed at new
  folders). Issue 14's target: ``--n-w 20`` takes at most 1.5x one W.
- ``pair``: CPU nanoseconds per neuron update of ``simulate.pair.simulate_pair``
  (the ``pair`` engine of ``bench_fusion.py``) on the Lytro pairs (needs
  ``NDCNP_DATA``), compilation excluded, ``--repeats`` runs per pair (median),
  the median over pairs; the trees alternate ``--rounds`` times.
- ``props``: the property tests (``tests/ndtheory/test_properties*.py`` and
  ``test_variants_properties.py``, ``HYPOTHESIS_PROFILE=ci``) from empty
  caches, then again with the caches they left (warm).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROPERTY_TESTS = (
    "tests/ndtheory/test_properties_bound.py",
    "tests/ndtheory/test_properties_closed_forms.py",
    "tests/ndtheory/test_variants_properties.py",
)
"""The property tests issue 14 times from empty caches."""

_GRID_CHILD = """
import json, sys, time
import numpy as np
t0, c0 = time.perf_counter(), time.process_time()
from ndtheory.spec import PAPER_EXAMPLE
from simulate.grid import simulate_grid
rng = np.random.default_rng(14)
stimulus = rng.random((64, 64)) * 1.6
kernels = [rng.random((3, 3)) * 0.1 * (rng.random((3, 3)) < 0.8) for _ in range(int(sys.argv[1]))]
t1, c1 = time.perf_counter(), time.process_time()
counts = [int(simulate_grid(stimulus, PAPER_EXAMPLE, W, 110).counts.sum()) for W in kernels]
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "runs": t2 - t1, "runs_cpu": c2 - c1,
                  "distinct": len(set(counts))}))
"""

_PAIR_CHILD = """
import json, os, statistics, sys
from pathlib import Path
import bench_fusion as bench
root = Path(os.environ["NDCNP_DATA"]) / "lytro"
names = sorted((p.name for p in (root / "far").iterdir()), key=lambda n: int(Path(n).stem))
pairs = [bench.lytro_pair(n, root / "far" / n, root / "near" / n, bench.N_STEPS)
         for n in names[: int(sys.argv[1])]]
runs = bench.ENGINES["pair"](pairs, int(sys.argv[2]))
updates = [2 * p.I_a.size * p.n_steps for p in pairs]
print(json.dumps({
    "pairs": len(pairs),
    "cpu_ns": statistics.median(1e9 * r.cpu / u for r, u in zip(runs, updates)),
    "wall_ns": statistics.median(1e9 * r.wall / u for r, u in zip(runs, updates)),
    "cpu_ms_per_pair": 1e3 * statistics.median(r.cpu for r in runs),
    "wall_ms_per_pair": 1e3 * statistics.median(r.wall for r in runs),
}))
"""


def _run(tree: Path, command: list[str], cache: Path, **env: str) -> tuple[str, float, float]:
    """``command`` in ``tree`` with its caches under ``cache``: stdout, wall and CPU seconds."""
    environ = {k: v for k, v in os.environ.items() if k != "NDCNP_KERNEL_CACHE"}
    environ.update(
        PYTHONPATH=f"{tree}{os.pathsep}{tree / 'benchmarks'}",
        XDG_CACHE_HOME=str(cache / "xdg"),
        NUMBA_CACHE_DIR=str(cache / "numba"),
        MPLBACKEND="Agg",
        **env,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=environ, capture_output=True, text=True)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0 and "passed" not in done.stdout:
        raise RuntimeError(
            f"{command} in {tree} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout, wall, cpu


def section_grid(trees: list[Path], n_w: int, report: dict) -> None:
    print(f"\n== simulate_grid from empty caches: 1 W vs {n_w} random 3x3 W (64x64, t = 110) ==")
    for tree in trees:
        rows = {}
        for count in (1, n_w):
            with tempfile.TemporaryDirectory(prefix="ndcnp-bench-cache-") as cache:
                out, wall, cpu = _run(
                    tree, [sys.executable, "-c", _GRID_CHILD, str(count)], Path(cache)
                )
            result = json.loads(out.strip().splitlines()[-1])
            rows[count] = {"process_wall": wall, "process_cpu": cpu, **result}
            print(
                f"  {tree}: {count:3d} W  process wall {wall:6.2f} s  CPU {cpu:6.2f} s;"
                f"  simulate_grid calls wall {result['runs']:6.2f} s"
                f"  CPU {result['runs_cpu']:6.2f} s"
                f"  ({result['distinct']} distinct spike totals)"
            )
        ratio = rows[n_w]["runs"] / rows[1]["runs"]
        ratio_cpu = rows[n_w]["runs_cpu"] / rows[1]["runs_cpu"]
        print(f"  {tree}: {n_w} W / 1 W: {ratio:.2f}x wall, {ratio_cpu:.2f}x CPU (target <= 1.5x)")
        report.setdefault("grid", {})[str(tree)] = rows


def section_pair(trees: list[Path], pairs: int, repeats: int, rounds: int, report: dict) -> None:
    if not os.environ.get("NDCNP_DATA"):
        print("\n== Lytro pair cost: skipped (set NDCNP_DATA) ==")
        return
    print(f"\n== simulate_pair per neuron update on {pairs} Lytro pairs (t = 110, warm) ==")
    caches = {tree: tempfile.mkdtemp(prefix="ndcnp-bench-cache-") for tree in trees}
    results: dict[Path, list[dict]] = {tree: [] for tree in trees}
    for _ in range(rounds):
        for tree in trees:
            command = [sys.executable, "-c", _PAIR_CHILD, str(pairs), str(repeats)]
            out, _, _ = _run(tree, command, Path(caches[tree]))
            results[tree].append(json.loads(out.strip().splitlines()[-1]))
    for tree in trees:
        runs = results[tree]
        cpu = statistics.median(r["cpu_ns"] for r in runs)
        wall = statistics.median(r["wall_ns"] for r in runs)
        per_pair = statistics.median(r["cpu_ms_per_pair"] for r in runs)
        each = ", ".join(f"{r['cpu_ns']:.2f}" for r in runs)
        print(
            f"  {tree}: {cpu:.2f} CPU-ns per update ({per_pair:.1f} CPU-ms per pair), "
            f"{wall:.2f} wall-ns; rounds: {each} CPU-ns"
        )
        report.setdefault("pair", {})[str(tree)] = runs


def section_props(trees: list[Path], report: dict) -> None:
    print("\n== Property tests (HYPOTHESIS_PROFILE=ci): empty caches, then warm ==")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *PROPERTY_TESTS]
    for tree in trees:
        with tempfile.TemporaryDirectory(prefix="ndcnp-bench-cache-") as cache:
            for state in ("cold", "warm"):
                out, wall, cpu = _run(tree, command, Path(cache), HYPOTHESIS_PROFILE="ci")
                summary = re.findall(r"\d+ (?:passed|failed)[^\n]*", out)
                print(
                    f"  {tree}: {state} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                    f"({summary[-1] if summary else 'no summary'})"
                )
                report.setdefault("props", {}).setdefault(str(tree), {})[state] = {
                    "wall": wall,
                    "cpu": cpu,
                }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=Path, nargs="+", default=[Path.cwd()])
    parser.add_argument("--only", nargs="+", choices=["grid", "pair", "props"])
    parser.add_argument("--n-w", type=int, default=20, help="random 3x3 W in the many-W run")
    parser.add_argument("--pairs", type=int, default=20, help="Lytro pairs to time")
    parser.add_argument("--repeats", type=int, default=3, help="runs per pair (median)")
    parser.add_argument("--rounds", type=int, default=2, help="times each tree runs the pairs")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    sections = args.only or ["grid", "pair", "props"]
    trees = [tree.resolve() for tree in args.trees]
    report: dict = {"load_before": os.getloadavg()}
    if "grid" in sections:
        section_grid(trees, args.n_w, report)
    if "pair" in sections:
        section_pair(trees, args.pairs, args.repeats, args.rounds, report)
    if "props" in sections:
        section_props(trees, report)
    report["load_after"] = os.getloadavg()
    print(f"\nload average before {report['load_before']}, after {report['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
