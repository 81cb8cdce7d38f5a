"""Whole-process timings of the ``ndcnp`` command line: what a user runs, start-up included.

Usage::

    NDCNP_DATA=../shared/data PYTHONPATH=. python benchmarks/bench_cli.py [--repeats 5]
        [--only help error bound fuse fuse-dir evaluate big] [--jobs 2] [--work DIR]
        [--tree DIR]

Each command runs once untimed (numba's cache, the page cache: warm caches), then
``--repeats`` times as a fresh ``python -m fusion`` process. Printed per command, as medians:
wall time, CPU time (user + system of the process and the worker processes it waited for,
from ``os.wait4``) and peak RSS. On a loaded machine wall time drifts with the load and CPU time
is the steadier measure; the figures in ``benchmarks/README.md`` say which machine they are from.

``big`` fuses a 4000x6000 RGB PNG pair (made once in ``--work`` from Lytro pair 1, upscaled,
with +-2 grey-level noise so the PNGs are not trivially compressible), then reruns it with
``--spikes`` (which keeps the image-sized counts and sums, the untiled computation) and checks
that both decision maps are the same bytes.

``--tree DIR`` runs the commands of another checkout (e.g. ``git worktree add /tmp/before
COMMIT``), so that a before/after ratio comes from two runs of this script back to back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("help", "error", "bound", "fuse", "fuse-dir", "evaluate", "big")


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """``(wall s, cpu s, peak RSS KiB, exit code)`` of ``python -m fusion ARGV``."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "fusion", *argv],
        cwd=env["PYTHONPATH"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, child.returncode


def measure(name: str, argv: list[str], env, repeats: int, expect: int = 0, fresh=None) -> dict:
    """Medians over ``repeats`` runs after one warm-up; ``fresh()`` clears outputs before each."""
    rows = []
    for k in range(repeats + 1):
        if fresh is not None:
            fresh()
        wall, cpu, rss, code = run(argv, env)
        if code != expect:
            raise SystemExit(f"{name}: exit code {code}, expected {expect}: ndcnp {' '.join(argv)}")
        if k:  # the first run warms the caches
            rows.append((wall, cpu, rss))
    if not rows:  # repeats=0: run only to make the outputs (fuse-dir before evaluate)
        return {"name": name}
    result = {
        "name": name,
        "wall": statistics.median(r[0] for r in rows),
        "cpu": statistics.median(r[1] for r in rows),
        "rss_mb": max(r[2] for r in rows) / 1024,
    }
    print(
        f"| {name} | {result['wall']:.2f} s | {result['cpu']:.2f} s | {result['rss_mb']:.0f} MB |",
        flush=True,
    )
    return result


def make_big_pair(folder: Path, data: Path) -> tuple[Path, Path]:
    """A 4000x6000 RGB PNG pair from Lytro pair 1 (made once, kept in ``folder``)."""
    import numpy as np
    from PIL import Image

    paths = folder / "far.png", folder / "near.png"
    if all(p.is_file() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for sub, path in zip(("far", "near"), paths, strict=True):
        image = Image.open(data / "lytro" / sub / "1.jpg").resize((6000, 4000), Image.BICUBIC)
        noisy = np.asarray(image).astype(np.int16) + rng.integers(-2, 3, (4000, 6000, 3))
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path, compress_level=1)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("NDCNP_DATA"), help="datasets folder")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for fuse-dir, evaluate")
    parser.add_argument("--work", default=None, help="folder for outputs and the 24-MP pair")
    parser.add_argument("--tree", default=str(ROOT), help="checkout whose ndcnp runs")
    args = parser.parse_args()
    if args.data is None:
        parser.error("give --data or set NDCNP_DATA")
    data = Path(args.data)
    lytro = data / "lytro"
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_cli_"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(args.tree).resolve())}
    jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
    print(
        f"ndcnp of {env['PYTHONPATH']}: whole processes, median of {args.repeats} after a "
        f"warm-up; {len(os.sched_getaffinity(0))} CPUs; load {os.getloadavg()[0]:.1f}"
    )
    print("| command | wall | CPU (user+sys) | peak RSS |\n|---|---|---|---|")
    results = []
    if "help" in args.only:
        results.append(measure("ndcnp --help", ["--help"], env, args.repeats))
    if "error" in args.only:
        argv = ["fuse", "only-one.png", "-o", str(work / "x.png")]
        results.append(measure("ndcnp fuse (argument error)", argv, env, args.repeats, 2))
    if "bound" in args.only:
        argv = ["theory", "bound", "--alpha", "0.8", "--beta", "0.2", "--gamma", "0.5"]
        exact = [*argv, "--lam", "15", "--sum-w", "1.2"]  # issue 14's command: exact rationals
        results.append(measure("ndcnp theory bound --lam 15 --sum-w 1.2", exact, env, args.repeats))
        argv += ["--sum-w", "1.2", "--input-max", "1.2", "--solve-for", "lam"]
        results.append(measure("ndcnp theory bound --solve-for lam", argv, env, args.repeats))
    pair = [str(lytro / "far" / "1.jpg"), str(lytro / "near" / "1.jpg")]
    if "fuse" in args.only:
        out = work / "fused.png"
        results.append(
            measure(
                "ndcnp fuse (one Lytro pair)",
                ["fuse", *pair, "-o", str(out)],
                env,
                args.repeats,
                fresh=lambda: out.unlink(missing_ok=True),
            )
        )
    fused_dir = work / "lytro_fused"
    if "fuse-dir" in args.only or "evaluate" in args.only:

        def clear() -> None:
            for p in fused_dir.glob("*"):
                p.unlink()

        name = "ndcnp fuse-dir (20 Lytro pairs)" + (f" --jobs {args.jobs}" if jobs else "")
        argv = ["fuse-dir", str(lytro), "-o", str(fused_dir), *jobs]
        repeats = args.repeats if "fuse-dir" in args.only else 0
        results.append(measure(name, argv, env, repeats, fresh=clear))
    if "evaluate" in args.only:
        csv = work / "scores.csv"
        name = "ndcnp evaluate (20 Lytro pairs)" + (f" --jobs {args.jobs}" if jobs else "")
        argv = ["evaluate", "--sources", str(lytro), "--fused", str(fused_dir), "-o", str(csv)]

        def clear_scores() -> None:
            csv.unlink(missing_ok=True)
            csv.with_suffix(".json").unlink(missing_ok=True)

        results.append(measure(name, [*argv, *jobs], env, args.repeats, fresh=clear_scores))
    if "big" in args.only:
        far, near = make_big_pair(work / "big", data)
        outputs = {k: work / "big" / f"{k}.png" for k in ("fused", "dm", "dm_full")}
        spikes = work / "big" / "spikes.npz"

        def clear_big() -> None:
            for p in (*outputs.values(), spikes):
                p.unlink(missing_ok=True)

        argv = ["fuse", str(far), str(near), "-o", str(outputs["fused"])]
        argv += ["--decision-map", str(outputs["dm"])]
        results.append(
            measure("ndcnp fuse (4000x6000 RGB PNG pair)", argv, env, 1, fresh=clear_big)
        )
        lean = outputs["dm"].read_bytes()
        full = ["fuse", str(far), str(near), "-o", str(outputs["fused"])]
        full += ["--decision-map", str(outputs["dm_full"]), "--spikes", str(spikes)]
        outputs["fused"].unlink()
        wall, cpu, rss, code = run(full, env)
        same = code == 0 and outputs["dm_full"].read_bytes() == lean
        print(
            f"| ... with --spikes (image-sized counts and sums) | {wall:.2f} s | {cpu:.2f} s | "
            f"{rss / 1024:.0f} MB |\n\ndecision maps of the two runs identical: {same}"
        )
        if not same:
            return 1
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
