"""Print the paper's Table 1 row for ND-CNPFuse on Lytro beside our evaluations, as markdown.

Usage::

    PYTHONPATH=. python tools/table1.py [--data DIR] [--fused LABEL=DIR ...] [--jobs N]

Always evaluates the authors' published fusions (``DATA/lytro/reference``); each ``--fused``
adds a row for another folder of fused ``NAME.png`` (e.g. ndcnp's own fusions). The table in
``docs/metrics.md`` is this command's output.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fusion.evaluate import evaluate_folder
from ndtheory.errors import NdcnpInputError

PAPER_LYTRO = {
    "Qabf": 0.7621,
    "FMIw": 0.5967,
    "SSIM": 0.8541,
    "PSNR": 26.9904,
    "QP": 0.8466,
    "QCB": 0.8092,
}
"""Table 1 of the paper, ND-CNPFuse on Lytro (20 pairs)."""
COLUMNS = ("Qabf", "FMIw", "SSIM", "PSNR", "QP", "QCB")


def _row(label: str, mean: dict) -> str:
    cells = [f"{mean['SSIM_Y' if c == 'SSIM' else c]:.4f}" for c in COLUMNS]
    return f"| {label} | " + " | ".join(cells) + f" | {mean['SSIM']:.4f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("NDCNP_DATA"), help="datasets folder")
    parser.add_argument("--fused", action="append", default=[], metavar="LABEL=DIR")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.data:
        print("table1: error: give --data or set NDCNP_DATA", file=sys.stderr)
        return 2
    lytro = Path(args.data) / "lytro"
    runs = [("ours, on the authors' published fusions", lytro / "reference")]
    for item in args.fused:
        label, sep, folder = item.partition("=")
        if not sep:
            print(f"table1: error: --fused wants LABEL=DIR; got {item}", file=sys.stderr)
            return 2
        runs.append((f"ours, on {label}", Path(folder)))
    lines = [
        "| Lytro, ND-CNPFuse | " + " | ".join(COLUMNS) + " | SSIM (authors' script) |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS) + " | ---: |",
        "| paper, Table 1 | "
        + " | ".join(f"{PAPER_LYTRO[c]:.4f}" for c in COLUMNS)
        + " | (not printed) |",
    ]
    for label, folder in runs:
        try:
            rows, mean = evaluate_folder(lytro, folder, jobs=args.jobs)
        except NdcnpInputError as error:
            print(f"table1: error: {error}", file=sys.stderr)
            return 2
        lines.append(_row(f"{label} ({len(rows)} pairs)", mean))
    print("\n".join(lines))
    print(
        "\nSSIM is the luma variant (`SSIM_Y`), the reconstruction that reproduces the paper; "
        "the last column is what the authors' `analysis_ssim.m` computes. Means over the "
        "pairs; an infinite PSNR would be left out."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
