"""Golden tests: the six metrics on the authors' 20 published Lytro fusions.

``tests/fusion/data/octave_metrics_lytro.csv`` holds per-image values computed by running the
ND-CNPFuse authors' own evaluation code (``evaluation/*.m`` of github.com/MorvanLi/ND-CNPFuse)
under GNU Octave 7.3 on ``lytro/{far,near}/N.jpg`` and ``lytro/reference/N.png``; columns as
``ndcnp evaluate`` writes them (``SSIM`` = the authors' script, ``SSIM_Y`` = the luma variant
that reproduces the paper). It is an independent oracle: our code never produced it.
The issue asks for 1e-3 (PSNR 0.01 dB); we hold ourselves to 1e-6, which the code meets with a
wide margin (observed differences are about 1e-10, the CSV's own precision).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from fusion.evaluate import TABLE1_COLUMNS, evaluate_folder

pytestmark = pytest.mark.needs_data

REFERENCE_CSV = Path(__file__).parent / "data" / "octave_metrics_lytro.csv"
TOLERANCE = 1e-6
PAPER_ROW = {"Qabf": 0.7621, "FMIw": 0.5967, "SSIM_Y": 0.8541, "QP": 0.8466, "QCB": 0.8092}
"""The paper's Table 1, ND-CNPFuse on Lytro (PSNR printed as 26.9904, see below)."""


def _reference() -> dict[str, dict[str, float]]:
    with open(REFERENCE_CSV, newline="") as handle:
        return {
            row["image"]: {c: float(row[c]) for c in TABLE1_COLUMNS}
            for row in csv.DictReader(handle)
        }


REFERENCE = _reference()


@pytest.fixture(scope="module")
def lytro_scores(data_dir: Path) -> tuple[dict[str, dict], dict]:
    lytro = data_dir / "lytro"
    if not (lytro / "reference").is_dir():
        pytest.skip(f"{lytro} lacks far/, near/, reference/")
    rows, mean = evaluate_folder(lytro, lytro / "reference", jobs=2)
    return {row["image"]: row for row in rows}, mean


def test_reference_table_has_20_images() -> None:
    assert sorted(REFERENCE, key=int) == [str(i) for i in range(1, 21)]


@pytest.mark.parametrize("image", sorted(REFERENCE, key=int))
def test_each_image_matches_octave(lytro_scores, image: str) -> None:
    rows, _ = lytro_scores
    ours = rows[image]
    for column in TABLE1_COLUMNS:
        assert ours[column] == pytest.approx(REFERENCE[image][column], abs=TOLERANCE), column


def test_means_reproduce_the_paper(lytro_scores) -> None:
    _, mean = lytro_scores
    for column, printed in PAPER_ROW.items():
        assert round(mean[column], 4) == printed, column
    # The paper prints 26.9904; the definition reproduces 26.9899 (0.0005 dB apart).
    assert mean["PSNR"] == pytest.approx(26.9904, abs=6e-4)
    # The authors' own SSIM script gives 0.8404, not the paper's 0.8541.
    assert round(mean["SSIM"], 4) == 0.8404


def test_authors_fusions_are_decision_map_fusions(data_dir: Path) -> None:
    from fusion.images import read_image
    from fusion.metrics import decision_map_from_fusion

    lytro = data_dir / "lytro"
    a, b, f = (
        read_image(lytro / sub / name)
        for sub, name in (("far", "1.jpg"), ("near", "1.jpg"), ("reference", "1.png"))
    )
    dm, valid = decision_map_from_fusion(a, b, f)  # raises if a pixel equals neither source
    assert valid.mean() > 0.9 and 0.2 < dm[valid].mean() < 0.8


BASELINE = Path(__file__).parent / "data" / "metrics_regression_baseline.json"
"""Values of today's metrics code recorded before it was optimised (issue 15): a regression
baseline only, so that faster code stays within 1e-9 of it; not an oracle (see its meta)."""
REGRESSION_TOLERANCE = 1e-9


def _same(ours: dict, recorded: dict) -> None:
    assert set(recorded) <= set(ours)  # columns added since (accuracy_gt) are tested apart
    for column, value in recorded.items():
        if column == "image":
            assert ours[column] == value
        else:
            assert ours[column] == pytest.approx(value, abs=REGRESSION_TOLERANCE), column


def test_lytro_values_unchanged_since_the_baseline(lytro_scores) -> None:
    rows, _ = lytro_scores
    recorded = json.loads(BASELINE.read_text())["lytro"]
    assert [r["image"] for r in recorded] == sorted(rows, key=int)
    for row in recorded:
        _same(rows[row["image"]], row)


def test_ground_truth_values_unchanged_since_the_baseline(data_dir: Path, tmp_path: Path) -> None:
    recorded = json.loads(BASELINE.read_text())["mf-voc"]
    voc = data_dir / "mf-voc"
    if not (voc / "gt").is_dir():
        pytest.skip(f"{voc} lacks a/, b/, gt/")
    for sub in ("a", "b", "gt"):
        (tmp_path / sub).mkdir()
        for name in recorded["names"]:
            shutil.copy(voc / sub / name, tmp_path / sub / name)
    rows, _ = evaluate_folder(tmp_path, tmp_path / "a", gt=tmp_path / "gt", jobs=1)
    assert len(rows) == len(recorded["rows"])
    for ours, row in zip(rows, recorded["rows"], strict=True):
        _same(ours, row)
