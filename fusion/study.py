"""Measuring fusions over the datasets of ``NDCNP_DATA``: pairs, radius sweeps, ground-truth scores.

The layout is ``DATA/SET/far`` and ``DATA/SET/near`` (MF-VOC: ``a``, ``b`` and ``gt``), with the
authors' published Lytro fusions in ``DATA/lytro/reference`` (``../shared/data/README.md``).
Spike counts do not depend on the coupling radius, so a sweep over ``r`` simulates each pair
once (:func:`fusion.pipeline.fuse` at ``r = 0``) and sums the counts over every window.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from fusion import metrics
from fusion.baselines import box_choice, oracle_choice
from fusion.decision import blend, choose_sources, window_sums
from fusion.images import read_image
from fusion.pipeline import DEFAULT_WINDOW, fuse
from fusion.radius import PAPER_RADIUS, auto_radius
from fusion.reproduce import find_source, image_stems, reference_decision
from ndtheory.errors import NdcnpInputError

SOURCE_FOLDERS = {"lytro": ("far", "near"), "mffw": ("far", "near"), "mfi-whu": ("far", "near")}
SOURCE_FOLDERS["mf-voc"] = ("a", "b")
"""The two source folders of each set under ``NDCNP_DATA``."""


@dataclass(frozen=True)
class Pair:
    """One source pair of a set, with its ground truth or published fusion when there is one."""

    name: str
    a: Path
    b: Path
    gt: Path | None = None
    reference: Path | None = None

    def read(self) -> tuple[NDArray, NDArray]:
        """The two sources."""
        return read_image(self.a), read_image(self.b)


def _natural(stem: str) -> tuple:
    return (0, int(stem), "") if stem.isdigit() else (1, 0, stem)


def dataset_pairs(data: str | os.PathLike, name: str) -> list[Pair]:
    """Every pair of set ``name`` under ``data``, in natural name order."""
    if name not in SOURCE_FOLDERS:
        raise NdcnpInputError(f"unknown set {name!r}; known: {', '.join(SOURCE_FOLDERS)}")
    root = Path(data) / name
    first, second = SOURCE_FOLDERS[name]
    if not (root / first).is_dir() or not (root / second).is_dir():
        raise NdcnpInputError(f"{root} has no {first}/ and {second}/ folders")
    gt_dir, ref_dir = root / "gt", root / "reference"
    pairs = []
    for stem in sorted(image_stems(root / first), key=_natural):
        pairs.append(
            Pair(
                stem,
                find_source(root / first, stem),
                find_source(root / second, stem),
                find_source(gt_dir, stem) if gt_dir.is_dir() else None,
                find_source(ref_dir, stem) if ref_dir.is_dir() else None,
            )
        )
    return pairs


def choice_at_radius(
    counts: NDArray, radius: int, *, window: str = DEFAULT_WINDOW
) -> NDArray[np.intp]:
    """Eqs. (21)-(22) on given spike counts: the window sums at ``radius``, then the winner."""
    return choose_sources(list(window_sums(counts, radius, window=window)))


def ground_truth_scores(a: NDArray, b: NDArray, fused: NDArray, gt: NDArray) -> dict[str, float]:
    """PSNR and SSIM (grey, as MATLAB ``ssim``) against the ground truth, and the accuracy."""
    return {
        "PSNR_gt": metrics.psnr_reference(fused, gt),
        "SSIM_gt": metrics.ssim_reference(fused, gt, variant="grey"),
        "accuracy_gt": metrics.accuracy_against_gt(a, b, fused, gt),
    }


def ground_truth_study(
    pairs: Sequence[Pair],
    radii: Iterable[int | str] = (PAPER_RADIUS, "auto"),
    *,
    boxes: Iterable[int] = (7, 33),
    progress: Callable = lambda it, **_: it,
) -> dict[str, list[dict]]:
    """Score ND-CNPFuse at each radius, the box baselines and the oracle against the ground truth.

    Returns
    -------
    dict
        ``{method: [row per pair]}``, each row ``{"image", "radius", "PSNR_gt", "SSIM_gt",
        "accuracy_gt"}``; methods ``"r=R"`` (``"r=auto"`` for the automatic radius),
        ``"box K"`` and ``"oracle"``.
    """
    radii, boxes = list(radii), list(boxes)
    table: dict[str, list[dict]] = {}
    for pair in progress(pairs, total=len(pairs), desc="ground truth", unit="pair"):
        if pair.gt is None:
            raise NdcnpInputError(f"pair {pair.name} has no ground truth")
        a, b = pair.read()
        gt = read_image(pair.gt)
        counts = fuse([a, b], radius=0).counts
        choices = {}
        for r in radii:
            resolved = auto_radius(a.shape) if r == "auto" else int(r)
            choices[f"r={r}"] = (resolved, choice_at_radius(counts, resolved))
        for k in boxes:
            choices[f"box {k}"] = (None, box_choice([a, b], k))
        choices["oracle"] = (None, oracle_choice(a, b, gt))
        for method, (radius, choice) in choices.items():
            scores = ground_truth_scores(a, b, blend([a, b], choice), gt)
            table.setdefault(method, []).append({"image": pair.name, "radius": radius, **scores})
    return table


def reference_study(
    pairs: Sequence[Pair],
    radii: Iterable[int | str] = (PAPER_RADIUS, "auto"),
    *,
    progress: Callable = lambda it, **_: it,
) -> dict[str, list[dict]]:
    """Qabf, QCB and decision-map agreement with a published fusion, at each radius.

    Agreement is over the pixels where the sources differ in any channel
    (:func:`fusion.reproduce.agreement`'s measure).
    """
    radii = list(radii)
    table: dict[str, list[dict]] = {}
    for pair in progress(pairs, total=len(pairs), desc="reference", unit="pair"):
        if pair.reference is None:
            raise NdcnpInputError(f"pair {pair.name} has no published fusion")
        a, b = pair.read()
        ref = reference_decision(a, b, read_image(pair.reference))
        differ = ~np.all(a == b, axis=2) if a.ndim == 3 else a != b
        counts = fuse([a, b], radius=0).counts
        for r in radii:
            resolved = auto_radius(a.shape) if r == "auto" else int(r)
            choice = choice_at_radius(counts, resolved)
            fused = blend([a, b], choice)
            table.setdefault(f"r={r}", []).append(
                {
                    "image": pair.name,
                    "radius": resolved,
                    "Qabf": metrics.qabf(a, b, fused),
                    "QCB": metrics.qcb(a, b, fused),
                    "agreement": float(np.mean((choice == 0)[differ] == ref[differ])),
                }
            )
    return table


def column_means(rows: Sequence[dict]) -> dict[str, float]:
    """Mean of every numeric column over the rows (NaNs left out)."""
    keys = [k for k, v in rows[0].items() if isinstance(v, float)]
    return {k: float(np.nanmean([row[k] for row in rows])) for k in keys}
