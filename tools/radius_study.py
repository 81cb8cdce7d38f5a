"""The coupling radius on MF-VOC (ground truth) and Lytro (published fusions), as markdown.

Usage::

    PYTHONPATH=. python tools/radius_study.py [--data DIR] [--json FILE]

MF-VOC: mean PSNR, SSIM and decision accuracy against the all-in-focus image for ND-CNPFuse at
r = 16 (the paper's), ``auto`` (2 % of the shorter side) and a sweep, the 7x7 and 33x33 box
baselines and the oracle, over all pairs and over each half: the pairs at even positions
(0, 2, ... in name order, where the automatic radius's fraction was read off) and the held-out
odd positions. Lytro: Qabf, QCB and agreement with the authors' maps at r = 16 and ``auto``.
The tables in ``docs/reproduction.md`` ("A scale-aware radius") are this command's output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial

from tqdm import tqdm

from fusion.study import column_means, dataset_pairs, ground_truth_study, reference_study

SWEEP = (16, "auto", 2, 3, 4, 5, 6, 8, 10)


def _gt_table(table: dict[str, list[dict]]) -> list[str]:
    lines = [
        "| method | PSNR (all 200) | SSIM | accuracy | PSNR even (tuning half) "
        "| PSNR odd (held out) | accuracy even | accuracy odd |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for method, rows in table.items():
        every, even, odd = column_means(rows), column_means(rows[0::2]), column_means(rows[1::2])
        lines.append(
            f"| {method} | {every['PSNR_gt']:.2f} dB | {every['SSIM_gt']:.4f} | "
            f"{100 * every['accuracy_gt']:.2f} % | {even['PSNR_gt']:.2f} dB | "
            f"{odd['PSNR_gt']:.2f} dB | {100 * even['accuracy_gt']:.2f} % | "
            f"{100 * odd['accuracy_gt']:.2f} % |"
        )
    return lines


def _reference_table(table: dict[str, list[dict]]) -> list[str]:
    lines = [
        "| radius | Qabf | QCB | agreement (mean) | agreement (worst) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for method, rows in table.items():
        mean = column_means(rows)
        worst = min(row["agreement"] for row in rows)
        lines.append(
            f"| {method} (r = {rows[0]['radius']}) | {mean['Qabf']:.4f} | {mean['QCB']:.4f} | "
            f"{100 * mean['agreement']:.2f} % | {100 * worst:.2f} % |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("NDCNP_DATA"), help="datasets folder")
    parser.add_argument("--json", help="also write every per-pair number here")
    args = parser.parse_args(argv)
    if not args.data:
        print("radius_study: error: give --data or set NDCNP_DATA", file=sys.stderr)
        return 2
    bar = partial(tqdm, disable=None, file=sys.stderr)
    voc = ground_truth_study(dataset_pairs(args.data, "mf-voc"), SWEEP, progress=bar)
    lytro = reference_study(dataset_pairs(args.data, "lytro"), (16, "auto"), progress=bar)
    print("MF-VOC, against the all-in-focus ground truth:\n")
    print("\n".join(_gt_table(voc)))
    print("\nLytro, against the authors' published fusions:\n")
    print("\n".join(_reference_table(lytro)))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"mf-voc": voc, "lytro": lytro}, handle, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
