"""Time each Table 1 metric on one image pair: median over repeats, and the total.

Usage::

    PYTHONPATH=. python benchmarks/bench_metrics.py [--image 1] [--repeats 5] [--threads N]

Reads ``$NDCNP_DATA/lytro/{far,near}/N.jpg`` and ``lytro/reference/N.png`` (520 x 520). The first
call of each metric (numba compilation or cache load, per-size filter banks) is reported apart
as ``first``; the medians are for later calls, as in a run over a dataset. ``cpu`` is the
process CPU time (all threads); on a shared machine it is steadier than the wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from fusion import metrics
from fusion.images import read_image

METRICS = {
    "Qabf": metrics.qabf,
    "FMIw": lambda a, b, f: metrics.fmi(a, b, f, feature="wavelet"),
    "SSIM": lambda a, b, f: metrics.ssim(a, b, f, variant="grey"),
    "SSIM_Y": lambda a, b, f: metrics.ssim(a, b, f, variant="luma"),
    "PSNR": metrics.psnr,
    "QP": metrics.qp,
    "QCB": metrics.qcb,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="1")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (FMI kernel)")
    args = parser.parse_args()
    if args.threads:
        import numba

        numba.set_num_threads(args.threads)
    lytro = Path(os.environ.get("NDCNP_DATA", "../shared/data")) / "lytro"
    a = read_image(lytro / "far" / f"{args.image}.jpg")
    b = read_image(lytro / "near" / f"{args.image}.jpg")
    f = read_image(lytro / "reference" / f"{args.image}.png")
    print(f"image {args.image}: {a.shape}, {args.repeats} repeats, cpus {os.cpu_count()}")
    total = total_cpu = 0.0
    for name, metric in METRICS.items():
        start = time.perf_counter()
        metric(a, b, f)
        first = time.perf_counter() - start
        times, cpu = [], []
        for _ in range(args.repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            metric(a, b, f)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        median = statistics.median(times)
        total += median
        total_cpu += statistics.median(cpu)
        print(
            f"{name:7s} median {median:7.3f} s   cpu {statistics.median(cpu):7.3f} s"
            f"   first {first:7.3f} s"
        )
    print(f"{'total':7s} median {total:7.3f} s   cpu {total_cpu:7.3f} s   (sums of the medians)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
