"""Benchmark the CNP grid engines: per Lytro pair, scaling, a 24-megapixel pair, Brian2.

Run from the repository root::

    python benchmarks/bench_fusion.py [--out benchmarks/out] [--quick]

It prints medians over ``--repeats`` runs and ratios taken within the same run
(absolute times drift on shared machines), the peak resident memory of each
measurement (each runs in its own process), and writes ``scaling.png`` (log-log)
and ``results.json`` to ``--out``. It is a command, not a test.

Engines are named callables (:data:`ENGINES`): each runs the two CNP systems of
a pair and returns their spike counts. The NumPy reference is the oracle; every
other engine's counts are compared with it and the number of differing neurons
is printed. Brian2 runs the same model in its own environment
(``benchmarks/.venv-brian2``, made on first use from
``benchmarks/requirements-brian2.txt``) through ``benchmarks/brian2_grid.py``.

A pair's inputs are the fusion pipeline's: the modified Laplacian of each grey
source as ``I`` (:func:`fusion.pipeline.fusion_inputs`) and the parameters and W
of :data:`fusion.rule.DEFAULT_RULE` (:func:`fusion.configure.configure`). The
engine ``pair+dm`` is the fusion hot path end to end, from those inputs to the
decision map (Eqs. (21)-(22)).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The project and this folder's helpers, also when the script is loaded from a file path.
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from process_stats import cpu_seconds, peak_rss_kb  # noqa: E402

from fusion.configure import configure, model_parameters, system_kernel  # noqa: E402
from fusion.decision import decision_map, window_sums  # noqa: E402
from fusion.images import read_image  # noqa: E402
from fusion.pipeline import DEFAULT_RADIUS, DEFAULT_WINDOW, fusion_inputs  # noqa: E402
from fusion.radius import resolve_radius  # noqa: E402
from fusion.rule import DEFAULT_RULE  # noqa: E402
from ndtheory.spec import ND_CNP  # noqa: E402
from simulate.grid import simulate_grid  # noqa: E402

BENCH = ROOT / "benchmarks"
BRIAN2_ENV = BENCH / ".venv-brian2"
BRIAN2_REQUIREMENTS = BENCH / "requirements-brian2.txt"
BRIAN2_TARGET = "cython"
"""Brian2's fastest CPU target here; ``--only brian2-targets`` measures all three."""

N_STEPS = 110
"""Iterations per system, as in the authors' code."""


@dataclass(frozen=True)
class Pair:
    """The two CNP systems of one image pair."""

    name: str
    I_a: np.ndarray
    I_b: np.ndarray
    params_a: dict[str, float]
    params_b: dict[str, float]
    W: np.ndarray
    n_steps: int


def _pair(name: str, I_a: np.ndarray, I_b: np.ndarray, n_steps: int) -> Pair:
    config_a, config_b = configure([I_a, I_b], DEFAULT_RULE)
    params_a, params_b = (model_parameters(DEFAULT_RULE, c) for c in (config_a, config_b))
    # The default rule solves beta per system; both systems keep the rule's W.
    W = system_kernel(DEFAULT_RULE, config_a)
    return Pair(name, I_a, I_b, params_a, params_b, W, n_steps)


def lytro_pair(name: str, far: Path, near: Path, n_steps: int) -> Pair:
    """A Lytro pair as the fusion pipeline sees it (modified Laplacian, default rule)."""
    I_a, I_b = fusion_inputs([read_image(far), read_image(near)])
    return _pair(name, I_a, I_b, n_steps)


def random_pair(shape: tuple[int, int], n_steps: int, seed: int = 0) -> Pair:
    """Uniform random inputs in [0, 0.2), the range of a modified Laplacian (deterministic)."""
    rng = np.random.default_rng(seed)
    inputs = rng.random((2, *shape))
    inputs *= 0.2  # in place: a 24-megapixel pair's inputs are 384 MB already
    I_a, I_b = inputs
    return _pair(f"random{shape[0]}x{shape[1]}", I_a, I_b, n_steps)


# Engines -------------------------------------------------------------------------------


Counts = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class PairRun:
    """One engine on one pair: counts, and median wall and CPU seconds over the repeats.

    CPU seconds add up every thread and child process, so they measure cost and
    drift less than wall time on a shared machine.
    """

    counts: Counts
    wall: float
    cpu: float


Engine = Callable[[Sequence[Pair], int], list[PairRun]]


def _grid_engine(engine: str) -> Callable[[Pair], Counts]:
    def run_pair(pair: Pair) -> Counts:
        kwargs = {"engine": engine, "semantics": "decay", "border": "zero"}
        a = simulate_grid(pair.I_a, pair.params_a, pair.W, pair.n_steps, **kwargs).counts
        b = simulate_grid(pair.I_b, pair.params_b, pair.W, pair.n_steps, **kwargs).counts
        return a, b

    return run_pair


def _pair_engine(threads: int) -> Callable[[Pair], Counts]:
    def run_pair(pair: Pair) -> Counts:
        from simulate.pair import simulate_pair

        return simulate_pair(
            pair.I_a, pair.I_b, pair.params_a, pair.params_b, pair.W, pair.n_steps, threads=threads
        )

    return run_pair


def _fusion_hot_path(pair: Pair) -> Counts:
    """Inputs to decision map: both systems on two threads, Eq. (21) sums, Eq. (22)."""
    from simulate.pair import simulate_pair

    a, b = simulate_pair(pair.I_a, pair.I_b, pair.params_a, pair.params_b, pair.W, pair.n_steps)
    radius = resolve_radius(DEFAULT_RADIUS, a.shape)  # as ndcnp fuse: 2 % of the shorter side
    decision_map(window_sums([a, b], radius, window=DEFAULT_WINDOW))
    return a, b


def _in_process(run_pair: Callable[[Pair], Counts]) -> Engine:
    """An engine timing ``run_pair`` ``repeats`` times per pair, compiled beforehand."""
    warm: list[bool] = []

    def run(pairs: Sequence[Pair], repeats: int) -> list[PairRun]:
        if not warm:
            run_pair(random_pair((16, 16), 3))  # compile outside the timing
            warm.append(True)
        out = []
        for pair in pairs:
            walls, cpus = [], []
            for _ in range(repeats):
                w0, c0 = time.perf_counter(), cpu_seconds()
                counts = run_pair(pair)
                walls.append(time.perf_counter() - w0)
                cpus.append(cpu_seconds() - c0)
            out.append(PairRun(counts, statistics.median(walls), statistics.median(cpus)))
        return out

    return run


def brian2_python() -> Path:
    """The Brian2 environment's interpreter, made from the requirements file if needed."""
    python = BRIAN2_ENV / "bin" / "python"
    stamp = BRIAN2_ENV / "ndcnp-requirements.txt"
    wanted = BRIAN2_REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"making the Brian2 environment {BRIAN2_ENV.relative_to(ROOT)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(BRIAN2_ENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-r", str(BRIAN2_REQUIREMENTS)], check=True
    )
    stamp.write_text(wanted)
    return python


def _brian2_engine(target: str) -> Engine:
    """Brian2 with ``target``: all systems of the call in one Brian2 process.

    A pair's time is the sum of its two systems' median run times; Brian2's
    set-up (building the synapses, compiling) is left out, as compiling is for
    the other engines. For ``cpp_standalone`` a run is one execution of the
    compiled program, with its start and its file I/O.
    """

    def run(pairs: Sequence[Pair], repeats: int) -> list[PairRun]:
        from simulate.codegen import print_model

        printed = print_model(ND_CNP, "decay")
        shared = {(p.I_a.shape, p.I_b.shape, p.W.tobytes(), p.n_steps) for p in pairs}
        if len(shared) != 1 or pairs[0].I_a.shape != pairs[0].I_b.shape:
            raise ValueError("one Brian2 job needs one grid shape, one W and one n_steps")
        stimuli = np.stack([x for p in pairs for x in (p.I_a, p.I_b)])
        scalars = [*printed.parameters, *printed.constants]
        values = []
        for p in pairs:
            for params in (p.params_a, p.params_b):
                constants = printed.constant_values(params)
                values.append([params[n] if n in params else float(constants[n]) for n in scalars])
        job = {
            "units": list(printed.units),
            "updates": dict(printed.updates),
            "fire_lhs": printed.fire_lhs,
            "fire_op": printed.fire_op,
            "fire_rhs": printed.fire_rhs,
            "parameters": list(printed.parameters),
            "constants": list(printed.constants),
            "n_steps": pairs[0].n_steps,
            "target": target,
            "repeats": repeats,
        }
        with tempfile.TemporaryDirectory(prefix="ndcnp-bench-") as tmp:
            job_path, result_path = Path(tmp) / "job.npz", Path(tmp) / "result.npz"
            np.savez(job_path, job=json.dumps(job), stimuli=stimuli, W=pairs[0].W, values=values)
            command = [str(brian2_python()), str(BENCH / "brian2_grid.py")]
            subprocess.run([*command, str(job_path), str(result_path)], check=True)
            result = np.load(result_path)
            counts = result["counts"].astype(np.int64)
            wall = np.median(result["seconds"], axis=1)
            cpu = np.median(result["cpu_seconds"], axis=1)
            _CHILD_EXTRA["brian2_peak_rss_kb"] = max(
                int(result["peak_rss_kb"]), _CHILD_EXTRA.get("brian2_peak_rss_kb", 0)
            )
            _CHILD_EXTRA["brian2_setup_seconds"] = float(result["setup_seconds"])
        return [
            PairRun(
                (counts[2 * k], counts[2 * k + 1]),
                float(wall[2 * k] + wall[2 * k + 1]),
                float(cpu[2 * k] + cpu[2 * k + 1]),
            )
            for k in range(len(pairs))
        ]

    return run


GPU_BATCH = 100
"""Pairs per GPU batch at least: the GPU path is for batches of 100 pairs or more."""


def _cuda_engine(pairs: Sequence[Pair], repeats: int) -> list[PairRun]:
    """The pairs, repeated up to :data:`GPU_BATCH` pairs, in one GPU batch.

    Per pair: the batch's median time divided by the pairs in it, transfers included.
    """
    from simulate.gpu import simulate_grids_cuda

    batch = list(pairs) * -(-GPU_BATCH // len(pairs))
    stimuli = np.stack([x for p in batch for x in (p.I_a, p.I_b)])
    params = {
        name: np.array([q[name] for p in batch for q in (p.params_a, p.params_b)])
        for name in pairs[0].params_a
    }
    W, n_steps = pairs[0].W, pairs[0].n_steps
    simulate_grids_cuda(stimuli[:2, :16, :16], {k: v[:2] for k, v in params.items()}, W, 2)
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), cpu_seconds()
        counts = simulate_grids_cuda(stimuli, params, W, n_steps)
        walls.append(time.perf_counter() - w0)
        cpus.append(cpu_seconds() - c0)
    wall, cpu = statistics.median(walls) / len(batch), statistics.median(cpus) / len(batch)
    return [PairRun((counts[2 * k], counts[2 * k + 1]), wall, cpu) for k in range(len(pairs))]


ENGINES: dict[str, Engine] = {
    "reference": _in_process(_grid_engine("reference")),
    "numba": _in_process(_grid_engine("numba")),
    "pair-1thread": _in_process(_pair_engine(1)),
    "pair": _in_process(_pair_engine(2)),
    "pair+dm": _in_process(_fusion_hot_path),
    "brian2": _brian2_engine(BRIAN2_TARGET),
    "brian2-numpy": _brian2_engine("numpy"),
    "brian2-cpp_standalone": _brian2_engine("cpp_standalone"),
    "cuda": _cuda_engine,
}
"""Every engine by name. Plug the fusion hot path in here as another entry."""

ENGINE_NOTES = {
    "reference": "simulate_grid(engine='reference'): NumPy, float64",
    "numba": "simulate_grid(engine='numba'), one system after the other",
    "pair-1thread": "simulate.pair.simulate_pair(threads=1): the same kernel, one thread",
    "pair": "simulate.pair.simulate_pair: the systems on two threads",
    "pair+dm": "pair, then Eq. (21) window sums (r = 16, disk) and the decision map of Eq. (22)",
    "brian2": f"Brian2 {BRIAN2_TARGET} runtime target, float64, run time only",
    "brian2-numpy": "Brian2 numpy runtime target",
    "brian2-cpp_standalone": "Brian2 cpp_standalone, one program run per system",
    "cuda": f"simulate.gpu.simulate_grids_cuda, >= {GPU_BATCH} pairs a batch, with transfers",
}

_CHILD_EXTRA: dict[str, float] = {}


# Measurements in child processes ---------------------------------------------------------


def _workload_pairs(point: dict) -> list[Pair]:
    if point["workload"] == "lytro":
        root = Path(point["data"]) / "lytro"
        return [
            lytro_pair(n, root / "far" / n, root / "near" / n, point["n_steps"])
            for n in point["names"]
        ]
    return [random_pair(tuple(point["shape"]), point["n_steps"], seed=point.get("seed", 0))]


def child_main(spec_path: str) -> None:
    """Run one measurement (``--child``); write times, memory and counts beside the spec.

    Each point lists its engines; on each pair they run one after the other,
    so their times are taken under the same load.
    """
    spec = json.loads(Path(spec_path).read_text())
    baseline = peak_rss_kb()
    out: dict = {"points": []}
    kept = {}
    for k, point in enumerate(spec["points"]):
        pairs = _workload_pairs(point)
        runs: dict[str, list[PairRun]] = {e: [] for e in point["engines"]}
        if point.get("batched"):
            for engine in point["engines"]:
                runs[engine] = ENGINES[engine](pairs, spec["repeats"])
        else:
            for pair in pairs:
                for engine in point["engines"]:
                    runs[engine] += ENGINES[engine]([pair], spec["repeats"])
        result = {"wall": {}, "cpu": {}}
        for engine, engine_runs in runs.items():
            result["wall"][engine] = [r.wall for r in engine_runs]
            result["cpu"][engine] = [r.cpu for r in engine_runs]
            if spec.get("keep_counts"):
                for q, r in enumerate(engine_runs):
                    kept[f"{engine}|{k}|{q}|a"], kept[f"{engine}|{k}|{q}|b"] = r.counts
        out["points"].append({**point, **result, "names": [p.name for p in pairs]})
    out["baseline_rss_kb"] = baseline
    out["peak_rss_kb"] = peak_rss_kb()
    out.update(_CHILD_EXTRA)
    Path(spec["result"]).write_text(json.dumps(out))
    if kept:
        np.savez(spec["counts"], **kept)


@dataclass
class Measured:
    """What a child reported."""

    points: list[dict]
    peak_rss_mb: float
    baseline_rss_mb: float
    counts: dict[str, np.ndarray]
    extra: dict

    def counts_of(self, engine: str) -> dict[str, np.ndarray]:
        """Counts of one engine, keyed by point, pair and system."""
        return {k.split("|", 1)[1]: v for k, v in self.counts.items() if k.split("|")[0] == engine}

    def peak_rss_of(self, engine: str) -> float:
        """Peak RSS in MB of the process that ran ``engine`` (Brian2 runs in its own)."""
        if engine.startswith("brian2"):
            return self.extra.get("brian2_peak_rss_kb", float("nan")) / 1024
        return self.peak_rss_mb


def measure(points: list[dict], repeats: int, keep_counts: bool = False) -> Measured | str:
    """Run ``points`` in a fresh process; a string says why it failed."""
    with tempfile.TemporaryDirectory(prefix="ndcnp-bench-") as tmp:
        spec = {
            "points": points,
            "repeats": repeats,
            "keep_counts": keep_counts,
            "result": str(Path(tmp) / "result.json"),
            "counts": str(Path(tmp) / "counts.npz"),
        }
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(spec_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            return lines[-1] if lines else f"exit code {done.returncode}"
        result = json.loads(Path(spec["result"]).read_text())
        counts = dict(np.load(spec["counts"])) if keep_counts else {}
    extra = {k: v for k, v in result.items() if k.startswith("brian2_")}
    return Measured(
        result["points"],
        result["peak_rss_kb"] / 1024,
        result["baseline_rss_kb"] / 1024,
        counts,
        extra,
    )


# Sections ---------------------------------------------------------------------------------


def _fmt_seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def _differing(counts: dict[str, np.ndarray], oracle: dict[str, np.ndarray]) -> tuple[int, int]:
    """Neurons whose counts differ from the oracle's, and neurons compared."""
    if set(counts) != set(oracle):
        return -1, 0
    diff = sum(int(np.count_nonzero(counts[k] != oracle[k])) for k in oracle)
    return diff, sum(v.size for v in oracle.values())


def _engines(args: argparse.Namespace, *names: str) -> list[str]:
    engines = list(names)
    engines += ["brian2"] if args.brian2 else []
    return engines + (["cuda"] if args.cuda else [])


def section_equality(args: argparse.Namespace, report: dict) -> None:
    """Every engine against the reference on a small random grid."""
    print(f"\n== Same spike counts? (64x64 pair, t = {N_STEPS}, uniform random I, float64) ==")
    engines = _engines(args, "reference", "numba", "pair")
    point = {
        "workload": "random",
        "shape": [64, 64],
        "n_steps": N_STEPS,
        "seed": 1,
        "engines": engines,
    }
    got = measure([point], 1, keep_counts=True)
    if isinstance(got, str):
        print(f"  could not run: {got}")
        return
    oracle = got.counts_of("reference")
    spikes = int(sum(v.sum() for v in oracle.values()))
    for engine in engines[1:]:
        diff, total = _differing(got.counts_of(engine), oracle)
        verdict = "identical" if diff == 0 else f"{diff} neurons DIFFER"
        print(f"  {engine:<10} vs reference: {verdict} ({total} neurons, {spikes} spikes)")
        report.setdefault("equality", {})[engine] = {"differing": diff, "neurons": total}


def section_lytro(args: argparse.Namespace, report: dict) -> None:
    """Per-pair time on the Lytro pairs, engines interleaved pair by pair."""
    data = os.environ.get("NDCNP_DATA")
    root = Path(data) / "lytro" if data else None
    if root is None or not (root / "far").is_dir():
        print("\n== Lytro pairs: skipped (set NDCNP_DATA to the datasets folder) ==")
        return
    names = sorted((p.name for p in (root / "far").iterdir()), key=lambda n: int(Path(n).stem))
    names = names[: args.pairs]
    print(f"\n== Per Lytro pair ({len(names)} pairs, t = {N_STEPS}, two systems each) ==")
    print("   input: modified Laplacian of the grey sources, fusion.rule.DEFAULT_RULE")
    engines = _engines(args, "reference", "numba", "pair-1thread", "pair", "pair+dm")
    point = {"workload": "lytro", "data": data, "names": names, "n_steps": N_STEPS}
    in_process = [e for e in engines if e != "cuda"]
    points = [{**point, "engines": in_process}]
    if args.cuda:
        points.append({**point, "engines": ["cuda"], "batched": True})
    got = measure(points, args.repeats, keep_counts=True)
    if isinstance(got, str):
        print(f"  could not run: {got}")
        return
    wall = {**got.points[0]["wall"], **(got.points[1]["wall"] if args.cuda else {})}
    cpu = {**got.points[0]["cpu"], **(got.points[1]["cpu"] if args.cuda else {})}
    oracle = got.counts_of("reference")
    print(
        f"  {'engine':<13} {'wall/pair':>10} {'x ref':>6} {'CPU/pair':>10} {'x ref':>6} "
        f"{'peak RSS':>9}  counts vs reference"
    )
    for engine in engines:
        if engine not in wall:
            continue
        memory = measure([{**point, "names": names[:1], "engines": [engine]}], 1)
        rss = memory.peak_rss_of(engine) if isinstance(memory, Measured) else float("nan")
        w_ratio = statistics.median(
            r / e for r, e in zip(wall["reference"], wall[engine], strict=True)
        )
        c_ratio = statistics.median(
            r / e for r, e in zip(cpu["reference"], cpu[engine], strict=True)
        )
        counts = got.counts_of(engine)
        if engine == "cuda":
            counts = {k.replace("1|", "0|", 1): v for k, v in counts.items()}
        diff, total = _differing(counts, oracle)
        verdict = "identical" if diff == 0 else f"{diff} of {total} neurons differ"
        print(
            f"  {engine:<13} {_fmt_seconds(statistics.median(wall[engine])):>10} {w_ratio:>5.1f}x"
            f" {_fmt_seconds(statistics.median(cpu[engine])):>10} {c_ratio:>5.1f}x"
            f" {rss:>6.0f} MB  {verdict}"
        )
        report.setdefault("lytro", {})[engine] = {
            "median_wall_seconds": statistics.median(wall[engine]),
            "median_cpu_seconds": statistics.median(cpu[engine]),
            "wall_speedup_vs_reference": w_ratio,
            "cpu_speedup_vs_reference": c_ratio,
            "peak_rss_mb_one_pair": rss,
            "differing_neurons": diff,
            "note": ENGINE_NOTES[engine],
        }
    print("  (medians over pairs of each pair's median over repeats; x ref: median over pairs")
    print("   of reference/engine, same pair, back to back; CPU: all threads and processes;")
    print("   peak RSS: a fresh process running one pair, imports included)")


def section_scaling(args: argparse.Namespace, report: dict) -> None:
    """Cost against image size and iterations, log-log."""
    print("\n== Scaling (uniform random I, one pair) ==")
    caps = {"reference": args.reference_max, "brian2": args.brian2_max, "numba": args.numba_max}
    engines = _engines(args, "reference", "numba", "pair")
    points = []
    for side in args.sizes:
        chosen = [e for e in engines if side <= caps.get(e, side)]
        shape = [side, side]
        points.append({"workload": "random", "shape": shape, "n_steps": N_STEPS, "engines": chosen})
        points[-1]["axis"] = "size"
    for t in args.steps:
        chosen = [e for e in engines if args.steps_size <= caps.get(e, args.steps_size)]
        shape = [args.steps_size] * 2
        points.append({"workload": "random", "shape": shape, "n_steps": t, "engines": chosen})
        points[-1]["axis"] = "steps"
    got = measure(points, args.repeats)
    if isinstance(got, str):
        print(f"  could not run: {got}")
        return
    for p in got.points:
        pixels = p["shape"][0] * p["shape"][1]
        for engine in p["engines"]:
            wall, cpu = p["wall"][engine][0], p["cpu"][engine][0]
            row = {
                "axis": p["axis"],
                "pixels": pixels,
                "n_steps": p["n_steps"],
                "wall_seconds": wall,
                "cpu_seconds": cpu,
                "cpu_ns_per_neuron_step": cpu / (2 * pixels * p["n_steps"]) * 1e9,
            }
            report.setdefault("scaling", {}).setdefault(engine, []).append(row)
            print(
                f"  {engine:<10} {p['shape'][0]:>5}x{p['shape'][1]:<5} t={p['n_steps']:<4}"
                f" wall {_fmt_seconds(wall):>9}  CPU {_fmt_seconds(cpu):>9}"
                f"  {row['cpu_ns_per_neuron_step']:6.2f} CPU-ns/neuron-step"
            )


def section_big(args: argparse.Namespace, report: dict) -> None:
    """One 6000x4000 (24-megapixel) pair: time and peak memory."""
    print(f"\n== 24-megapixel pair (4000x6000, t = {N_STEPS}, uniform random I) ==")
    for engine in ["pair+dm"] + (["cuda"] if args.cuda else []):
        point = {
            "workload": "random",
            "shape": [4000, 6000],
            "n_steps": N_STEPS,
            "seed": 2,
            "engines": [engine],
            "batched": engine == "cuda",
        }
        got = measure([point], 1)
        if isinstance(got, str):
            print(f"  {engine:<10} could not run: {got}")
            continue
        wall, cpu = got.points[0]["wall"][engine][0], got.points[0]["cpu"][engine][0]
        print(
            f"  {engine:<10} wall {_fmt_seconds(wall)}, CPU {_fmt_seconds(cpu)}, peak RSS "
            f"{got.peak_rss_mb:.0f} MB (after imports {got.baseline_rss_mb:.0f} MB)"
        )
        report.setdefault("megapixel24", {})[engine] = {
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "peak_rss_mb": got.peak_rss_mb,
            "baseline_rss_mb": got.baseline_rss_mb,
        }


def section_brian2_targets(args: argparse.Namespace, report: dict) -> None:
    """Brian2's CPU code generation targets on one pair, to pick the fastest."""
    print(f"\n== Brian2 targets (one 512x512 random pair, t = {N_STEPS}) ==")
    engines = ["brian2", "brian2-numpy", "brian2-cpp_standalone"]
    for engine in engines:
        point = {
            "workload": "random",
            "shape": [512, 512],
            "n_steps": N_STEPS,
            "seed": 3,
            "engines": [engine],
        }
        got = measure([point], args.repeats)
        if isinstance(got, str):
            print(f"  {engine:<22} could not run: {got}")
            continue
        wall, cpu = got.points[0]["wall"][engine][0], got.points[0]["cpu"][engine][0]
        setup = got.extra.get("brian2_setup_seconds", float("nan"))
        print(
            f"  {engine:<22} wall {_fmt_seconds(wall):>9}  CPU {_fmt_seconds(cpu):>9} per pair"
            f" (set-up {setup:.1f} s)"
        )
        report.setdefault("brian2_targets", {})[engine] = {
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "setup_seconds": setup,
        }


def plot_scaling(report: dict, out: Path) -> Path | None:
    """Log-log CPU time against pixels and against iterations, with linear guides."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulate.outputs import atomic_write

    scaling = report.get("scaling")
    if not scaling:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, axis, key, label in [
        (axes[0], "size", "pixels", f"pixels per image (t = {N_STEPS})"),
        (axes[1], "steps", "n_steps", "iterations t"),
    ]:
        for engine, rows in scaling.items():
            pts = sorted((r[key], r["cpu_seconds"]) for r in rows if r["axis"] == axis)
            if pts:
                x, y = zip(*pts, strict=True)
                ax.loglog(x, y, "o-", label=engine)
                ax.loglog([x[0], x[-1]], [y[0], y[0] * x[-1] / x[0]], ":", color="grey", lw=0.8)
        ax.set_xlabel(label)
        ax.set_ylabel("CPU seconds per pair (all threads)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    axes[0].set_title("cost vs image size (dotted: linear)")
    axes[1].set_title("cost vs iterations (dotted: linear)")
    fig.tight_layout()
    path = atomic_write(out / "scaling.png", lambda tmp: fig.savefig(tmp, dpi=120))
    plt.close(fig)
    return path


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench_fusion.py", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="folder for PNG and JSON")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--pairs", type=int, default=20, help="Lytro pairs to time")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    parser.add_argument("--steps", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--steps-size", type=int, default=512, help="image side for the t sweep")
    parser.add_argument("--reference-max", type=int, default=1024, help="largest side, reference")
    parser.add_argument("--brian2-max", type=int, default=1024, help="largest side, Brian2")
    parser.add_argument("--numba-max", type=int, default=2048, help="largest side, numba")
    parser.add_argument("--no-brian2", dest="brian2", action="store_false", help="skip Brian2")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="add the GPU")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["equality", "lytro", "scaling", "big", "brian2-targets"],
        default=["equality", "lytro", "scaling", "big"],
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 pairs, 1 repeat, sides up to 1024: a smoke run"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0
    if args.quick:
        args.pairs, args.repeats = min(args.pairs, 2), 1
        args.sizes = [s for s in args.sizes if s <= 1024]
        args.only = [s for s in args.only if s != "big"]
    args.cuda = args.device == "cuda"
    if args.cuda:
        from simulate.gpu import CUDA_MISSING, cuda_available

        if not cuda_available():
            print(f"bench_fusion.py: error: {CUDA_MISSING}", file=sys.stderr)
            return 2
    if not args.out.is_dir():
        args.out.mkdir(parents=True)
    if args.brian2:
        try:
            brian2_python()
        except (subprocess.CalledProcessError, OSError) as error:
            print(f"Brian2: skipped, its environment could not be made ({error})")
            args.brian2 = False
    print(f"bench_fusion.py: {os.cpu_count()} CPUs, numpy {np.__version__}, {time.ctime()}")
    report: dict = {"args": {k: str(v) for k, v in vars(args).items()}}
    sections = {
        "equality": section_equality,
        "lytro": section_lytro,
        "scaling": section_scaling,
        "big": section_big,
        "brian2-targets": section_brian2_targets,
    }
    for name in args.only:
        sections[name](args, report)
    png = plot_scaling(report, args.out)
    from simulate.outputs import atomic_write

    atomic_write(
        args.out / "results.json",
        lambda tmp: tmp.write_text(json.dumps(report, indent=1, default=float)),
    )
    print(f"\nwrote {args.out / 'results.json'}" + (f" and {png}" if png else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
