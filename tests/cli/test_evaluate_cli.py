"""``ndcnp evaluate``: files written, mean row, errors, and no partial output."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fusion import metrics
from fusion.cli import main
from fusion.evaluate import TABLE1_COLUMNS, finite_mean


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """Three tiny RGB pairs with fused images and ground truths (PNG, lossless)."""
    rng = np.random.default_rng(7)
    root = tmp_path / "set"
    for name in ("1", "2", "10"):
        sharp = rng.integers(0, 256, (24, 28, 3), dtype=np.uint8)
        soft = (sharp // 2 + 40).astype(np.uint8)
        fused = np.where(rng.random((24, 28, 1)) < 0.5, sharp, soft)
        _save(root / "far" / f"{name}.png", sharp)
        _save(root / "near" / f"{name}.png", soft)
        _save(root / "fused" / f"{name}.png", fused)
        _save(root / "gt" / f"{name}.png", sharp)
    return {"sources": root, "fused": root / "fused", "gt": root / "gt", "out": tmp_path}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _evaluate(folders: dict[str, Path], out: Path, *extra: str, jobs: int = 1) -> int:
    """``ndcnp evaluate`` on the fixture's folders, in-process; the exit code."""
    args = ["--sources", str(folders["sources"]), "--fused", str(folders["fused"]), *extra]
    return main(["evaluate", *args, "-o", str(out), "--jobs", str(jobs)])


def test_writes_rows_mean_json_and_line(folders, capsys):
    out = folders["out"] / "metrics.csv"
    code = _evaluate(folders, out)
    assert code == 0
    rows = _read_csv(out)
    assert [r["image"] for r in rows] == ["1", "2", "10", "mean"]  # natural order
    assert list(rows[0]) == ["image", *TABLE1_COLUMNS]
    sources = folders["sources"]
    a, b, f = (np.asarray(Image.open(sources / d / "2.png")) for d in ("far", "near", "fused"))
    assert float(rows[1]["Qabf"]) == pytest.approx(metrics.qabf(a, b, f), rel=1e-9)
    assert float(rows[1]["SSIM_Y"]) == pytest.approx(
        metrics.ssim(a, b, f, variant="luma"), rel=1e-9
    )
    for column in TABLE1_COLUMNS:
        values = [float(r[column]) for r in rows[:3]]
        assert float(rows[3][column]) == pytest.approx(np.mean(values), rel=1e-9)
    document = json.loads(out.with_suffix(".json").read_text())
    assert document["columns"] == list(TABLE1_COLUMNS)
    assert [r["image"] for r in document["images"]] == ["1", "2", "10"]
    line = capsys.readouterr().out.strip()
    assert line.startswith("3 images | Qabf ") and "QCB" in line


def test_ground_truth_columns_in_two_processes(folders):
    out = folders["out"] / "gt.csv"
    code = _evaluate(folders, out, "--gt", str(folders["gt"]), jobs=2)
    assert code == 0
    rows = _read_csv(out)
    assert list(rows[0])[-4:] == ["PSNR_gt", "SSIM_gt", "SSIM_Y_gt", "accuracy_gt"]
    gt = np.asarray(Image.open(folders["gt"] / "1.png"))
    fused = np.asarray(Image.open(folders["fused"] / "1.png"))
    assert float(rows[0]["PSNR_gt"]) == pytest.approx(metrics.psnr_reference(fused, gt))
    a, b = (np.asarray(Image.open(folders["sources"] / s / "1.png")) for s in ("far", "near"))
    # gt is the far source: the right choice is far wherever near differs from it by > 6 levels.
    clear = np.abs(a.astype(int) - b).sum(axis=2) > 6
    assert float(rows[0]["accuracy_gt"]) == pytest.approx(np.all(fused == a, axis=2)[clear].mean())


def test_infinite_psnr_is_left_out_of_the_mean():
    assert finite_mean([20.0, math.inf, 30.0]) == 25.0
    assert math.isnan(finite_mean([math.inf]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f["fused"] / "2.png").unlink(), "no fused image named 2"),
        (lambda f: (f["sources"] / "near" / "10.png").unlink(), "no partner named 10"),
        (lambda f: _save(f["fused"] / "1.png", np.zeros((5, 5, 3), np.uint8)), "same shape"),
    ],
)
def test_bad_folders_exit_2_without_output(folders, capsys, change, message):
    change(folders)
    out = folders["out"] / "metrics.csv"
    code = _evaluate(folders, out)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ndcnp: error: ") and message in err and "\n" not in err
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert not list(folders["out"].glob(".metrics*"))


def test_missing_layout_and_bad_output(folders, capsys):
    code = main(
        ["evaluate", "--sources", str(folders["fused"]), "--fused", str(folders["fused"]), "-o",
         str(folders["out"] / "m.csv")]
    )  # fmt: skip
    assert code == 2
    assert "far/ and near/" in capsys.readouterr().err
    code = main(
        ["evaluate", "--sources", str(folders["sources"]), "--fused", str(folders["fused"]),
         "-o", str(folders["out"] / "missing" / "m.csv")]
    )  # fmt: skip
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.needs_data
def test_ground_truth_scores_on_mf_voc(data_dir, tmp_path, capsys):
    # Three MF-VOC pairs, "fused" = the all-in-focus image itself: PSNR_gt is infinite (left
    # out of the mean, which is then NaN) and both SSIMs against the ground truth are 1.
    voc = data_dir / "mf-voc"
    if not (voc / "gt").is_dir():
        pytest.skip(f"{voc} lacks a/, b/, gt/")
    names = sorted(p.name for p in (voc / "gt").iterdir())[:3]
    for sub in ("a", "b", "gt"):
        (tmp_path / "src" / sub).mkdir(parents=True)
        for name in names:
            (tmp_path / "src" / sub / name).write_bytes((voc / sub / name).read_bytes())
    out = tmp_path / "voc.csv"
    src = tmp_path / "src"
    code = main(
        ["evaluate", "--sources", str(src), "--fused", str(src / "gt"), "--gt", str(src / "gt"),
         "-o", str(out), "--jobs", "1"]
    )  # fmt: skip
    assert code == 0
    rows = _read_csv(out)
    assert [r["PSNR_gt"] for r in rows] == ["inf", "inf", "inf", "nan"]
    assert all(float(r["SSIM_gt"]) == pytest.approx(1.0, abs=1e-12) for r in rows)
    assert all(float(r["SSIM_Y_gt"]) == pytest.approx(1.0, abs=1e-12) for r in rows)
    assert 0 < float(rows[3]["Qabf"]) < 1


def test_forked_workers_give_the_rows_of_one_process(folders, tmp_path):
    # As a user runs it: a fresh process imports the metrics and forks its workers, which
    # write the CSV of one process byte for byte.
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"scores{jobs}.csv"
        args = ["--sources", str(folders["sources"]), "--fused", str(folders["fused"])]
        done = subprocess.run(
            [sys.executable, "-m", "fusion", "evaluate", *args, "-o", str(out), "--jobs", jobs],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(("layer", "after"), [("omp", False), ("workqueue", True)])
def test_workers_are_forked_only_while_that_is_safe(layer, after):
    # In a fresh process: before any parallel kernel has run a fork is safe; afterwards only
    # under numba's workqueue layer (a forked child of GNU OpenMP threads deadlocks).
    import subprocess
    import sys

    script = (
        "import numba, numpy as np\n"
        f"numba.config.THREADING_LAYER = {layer!r}\n"
        "from fusion.evaluate import fork_safe_numba\n"
        "assert fork_safe_numba()\n"
        "@numba.njit(parallel=True)\n"
        "def total(x):\n"
        "    s = 0.0\n"
        "    for i in numba.prange(x.size):\n"
        "        s += x[i]\n"
        "    return s\n"
        "assert total(np.ones(1000)) == 1000.0\n"
        f"assert numba.threading_layer() == {layer!r}\n"
        f"assert fork_safe_numba() is {after}\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
