"""Time each Table 1 metric per Lytro pair on one core: medians, the total, before vs after.

Usage::

    NDCNP_DATA=../shared/data PYTHONPATH=. python benchmarks/bench_metrics.py
        [--images 1 2 3] [--repeats 5] [--before OTHER_CHECKOUT]

Reads ``$NDCNP_DATA/lytro/{far,near}/N.jpg`` and ``lytro/reference/N.png`` (520 x 520). Each
checkout is measured in a fresh process with one thread everywhere (``NUMBA_NUM_THREADS``,
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` = 1, as an ``ndcnp evaluate`` worker runs): each
metric is called as ``evaluate_pair`` calls it, once untimed per image (numba's cache load, the
per-size filter banks), then ``--repeats`` times. Printed per metric: the median CPU time
(``time.process_time``; steadier than wall on a shared machine) and the median wall time over
all images and repeats; ``evaluate_pair`` is the whole row as ``ndcnp evaluate`` computes it
(grey conversion shared). ``--before`` runs the same in another checkout (e.g.
``git archive COMMIT | tar -x -C /tmp/before``) in the same run, and prints the ratio.

``--first`` adds what a user pays once: the first ``evaluate_pair`` of a fresh process (imports
excluded) with an empty numba cache (``NUMBA_CACHE_DIR`` pointed at a new folder: compilation),
then in a second fresh process with the cache the first one wrote (loading it).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("Qabf", "FMIw", "SSIM", "SSIM_Y", "PSNR", "QP", "QCB", "evaluate_pair")


def measure(images: list[str], repeats: int) -> dict[str, tuple[float, float]]:
    """``{metric: (median cpu s, median wall s)}`` in this process (its own ``fusion``)."""
    from fusion import evaluate, metrics
    from fusion.images import read_image

    grey_once = getattr(evaluate, "_grey_once", lambda *images: images)
    lytro = Path(os.environ.get("NDCNP_DATA", "../shared/data")) / "lytro"
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in NAMES}
    for image in images:
        a, b, f = (
            read_image(lytro / sub / f"{image}.{ext}")
            for sub, ext in (("far", "jpg"), ("near", "jpg"), ("reference", "png"))
        )
        rgb, grey = (a, b, f), grey_once(a, b, f)
        calls = {
            "Qabf": (metrics.qabf, grey, {}),
            "FMIw": (metrics.fmi, grey, {"feature": "wavelet"}),
            "SSIM": (metrics.ssim, grey, {"variant": "grey"}),
            "SSIM_Y": (metrics.ssim, rgb, {"variant": "luma"}),
            "PSNR": (metrics.psnr, rgb, {}),
            "QP": (metrics.qp, grey, {}),
            "QCB": (metrics.qcb, grey, {}),
            "evaluate_pair": (evaluate.evaluate_pair, rgb, {}),
        }
        for name, (call, inputs, options) in calls.items():
            call(*inputs, **options)
            for _ in range(repeats):
                start, start_cpu = time.perf_counter(), time.process_time()
                call(*inputs, **options)
                samples[name].append((time.process_time() - start_cpu, time.perf_counter() - start))
    return {
        name: (statistics.median(c for c, _ in s), statistics.median(w for _, w in s))
        for name, s in samples.items()
    }


def measure_first(image: str) -> dict[str, tuple[float, float]]:
    """``{"first evaluate_pair": (cpu s, wall s)}`` of this process's first call."""
    from fusion import evaluate
    from fusion.images import read_image

    lytro = Path(os.environ.get("NDCNP_DATA", "../shared/data")) / "lytro"
    a, b, f = (
        read_image(lytro / sub / f"{image}.{ext}")
        for sub, ext in (("far", "jpg"), ("near", "jpg"), ("reference", "png"))
    )
    start, start_cpu = time.perf_counter(), time.process_time()
    evaluate.evaluate_pair(a, b, f)
    return {"first evaluate_pair": (time.process_time() - start_cpu, time.perf_counter() - start)}


def run_tree(
    tree: Path, images: list[str], repeats: int, first: bool = False, cache: str | None = None
) -> dict[str, tuple[float, float]]:
    """:func:`measure` (or :func:`measure_first`) in a fresh one-thread process of ``tree``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "NUMBA_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        **({"NUMBA_CACHE_DIR": cache} if cache else {}),
    }
    argv = [sys.executable, __file__, "--worker", "--repeats", str(repeats), "--images", *images]
    argv += ["--first"] if first else []
    out = subprocess.run(argv, env=env, cwd=tree, check=True, capture_output=True, text=True)
    return {k: tuple(v) for k, v in json.loads(out.stdout.splitlines()[-1]).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", nargs="+", default=["1", "2", "3"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("--first", action="store_true", help="also time the first call")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        found = measure_first(args.images[0]) if args.first else measure(args.images, args.repeats)
        print(json.dumps(found))
        return
    trees = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
    results = {label: run_tree(tree, args.images, args.repeats) for label, tree in trees}
    print(
        f"Lytro pairs {' '.join(args.images)}, {args.repeats} repeats each, one thread; "
        "medians per pair, seconds"
    )
    header = "".join(f"  {label:>6s} cpu  {label:>6s} wall" for label, _ in trees)
    print(f"{'metric':14s}{header}" + ("   cpu ratio" if args.before else ""))
    for name in NAMES:
        cells = "".join(
            f"  {results[label][name][0]:10.4f}  {results[label][name][1]:11.4f}"
            for label, _ in trees
        )
        ratio = (
            f"   {results['before'][name][0] / results['after'][name][0]:8.2f}x"
            if args.before
            else ""
        )
        print(f"{name:14s}{cells}{ratio}")
    total = {label: sum(results[label][n][0] for n in NAMES[:-1]) for label, _ in trees}
    print(
        "sum of the seven metrics' CPU medians: "
        + ", ".join(f"{k} {v:.4f} s" for k, v in total.items())
    )
    if args.first:
        for label, tree in trees:
            with tempfile.TemporaryDirectory() as cache:
                for state in ("empty numba cache", "numba cache filled"):
                    cpu, wall = run_tree(tree, args.images, 1, first=True, cache=cache)[
                        "first evaluate_pair"
                    ]
                    print(
                        f"{label}: first evaluate_pair, {state}: {cpu:.2f} s cpu, {wall:.2f} s wall"
                    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
