"""Largest per-image difference from the Octave reference, per column, over the 20 Lytro images.

Usage::

    PYTHONPATH=. python tools/metrics_agreement.py [--data DIR] [--jobs N]

Compares ``ndcnp``'s values on ``DATA/lytro`` (authors' fusions) with
``tests/fusion/data/octave_metrics_lytro.csv`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

from fusion.evaluate import TABLE1_COLUMNS, evaluate_folder

REFERENCE = Path(__file__).resolve().parent.parent / "tests" / "data" / "octave_metrics_lytro.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("NDCNP_DATA"))
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("give --data or set NDCNP_DATA")
    lytro = Path(args.data) / "lytro"
    with open(REFERENCE, newline="") as handle:
        reference = {row["image"]: row for row in csv.DictReader(handle)}
    rows, mean = evaluate_folder(lytro, lytro / "reference", jobs=args.jobs)
    print("| column | max abs difference, 20 images | our mean | Octave mean |")
    print("| --- | ---: | ---: | ---: |")
    for column in TABLE1_COLUMNS:
        worst = max(abs(row[column] - float(reference[row["image"]][column])) for row in rows)
        octave_mean = sum(float(r[column]) for r in reference.values()) / len(reference)
        print(f"| {column} | {worst:.1e} | {mean[column]:.6f} | {octave_mean:.6f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
