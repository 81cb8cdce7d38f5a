"""Whole or nothing, Ctrl-C, write-time errors, progress and the one-line summaries (#16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import fusion.cli_fuse as cli_fuse
from fusion.cli import main
from fusion.images import read_image, write_png
from simulate import outputs

FAST = ["--radius", "2", "--steps", "3"]
ROOT = Path(__file__).resolve().parents[2]


def _image(seed: int, size: int = 16) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def _set(root: Path, layout=("far", "near"), stems=("1", "2"), size: int = 16) -> Path:
    for k, sub in enumerate(layout):
        (root / sub).mkdir(parents=True)
        for stem in stems:
            write_png(root / sub / f"{stem}.png", _image(10 * int(stem) + k, size))
    return root


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_fuse_dir_takes_the_a_b_layout_and_says_what_it_wrote(tmp_path, capsys):
    _set(tmp_path / "set", layout=("a", "b"))
    out = tmp_path / "out"
    assert main(["fuse-dir", str(tmp_path / "set"), "-o", str(out), *FAST]) == 0
    assert capsys.readouterr().out == f"wrote 2 fused images to {out}/\n"
    assert _files(out) == ["1.png", "2.png"]
    fused, a, b = (read_image(p) for p in (out / "1.png", *(tmp_path / "set").glob("?/1.png")))
    assert ((fused == a).all(axis=2) | (fused == b).all(axis=2)).all()


def test_fuse_dir_skips_unmatched_names_only_when_asked_and_warns(tmp_path, capsys):
    root = _set(tmp_path / "set")
    write_png(root / "far" / "3.png", _image(3))
    out = tmp_path / "out"
    assert main(["fuse-dir", str(root), "-o", str(out), *FAST]) == 2
    assert "far/3 has no partner" in capsys.readouterr().err
    assert not out.exists()
    assert main(["fuse-dir", str(root), "-o", str(out), *FAST, "--skip-unmatched"]) == 0
    assert capsys.readouterr().err == "ndcnp: warning: skipping far/3 (no partner)\n"
    assert _files(out) == ["1.png", "2.png"]


def test_fuse_dir_into_an_existing_folder_keeps_its_other_files(tmp_path):
    root = _set(tmp_path / "set")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "1.png").write_text("an older result")
    assert main(["fuse-dir", str(root), "-o", str(out), *FAST]) == 0
    assert _files(out) == ["1.png", "2.png", "notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"
    assert read_image(out / "1.png").shape == (16, 16, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_write_error_in_fuse_dir_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    root = _set(tmp_path / "set")
    calls = []

    def failing(path, image, **options):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        write_png(path, image)

    monkeypatch.setattr(cli_fuse, "write_png", failing)
    before = _files(tmp_path)
    # one job: the second write is then 2.png's
    args = ["fuse-dir", str(root), "-o", str(tmp_path / "out"), "--jobs", "1", *FAST]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("ndcnp: error: cannot write ") and err.endswith(
        "2.png: No space left on device\n"
    )
    assert _files(tmp_path) == before  # neither the folder, nor a staging folder, nor 1.png


def test_a_write_error_in_fuse_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    write_png(a, _image(1))
    write_png(b, _image(2))

    def half_written(path, image, **options):
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(cli_fuse, "write_png", half_written)
    assert main(["fuse", str(a), str(b), "-o", str(tmp_path / "f.png"), *FAST]) == 2
    assert capsys.readouterr().err.endswith("f.png: Input/output error\n")
    assert _files(tmp_path) == ["a.png", "b.png"]


def test_fuse_prints_what_it_wrote(tmp_path, capsys):
    a, b, out, dm = (tmp_path / n for n in ("a.png", "b.png", "f.png", "dm.png"))
    write_png(a, _image(1))
    write_png(b, _image(2))
    argv = ["fuse", str(a), str(b), "-o", str(out), "--decision-map", str(dm), *FAST]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"wrote {out}, {dm} (16x16, 8-bit, 2 sources)\n"


def test_reproduce_prints_the_legend_of_its_difference_pictures(tmp_path, capsys):
    root = _set(tmp_path / "set")
    ref = tmp_path / "ref"
    ref.mkdir()
    for stem in ("1", "2"):
        write_png(ref / f"{stem}.png", read_image(root / "far" / f"{stem}.png"))
    diff = tmp_path / "diff"
    argv = ["reproduce", "--sources", str(root), "--reference", str(ref), "--diff", str(diff)]
    assert main([*argv, *FAST]) == 0
    out = capsys.readouterr().out
    assert "red = we pick far and the reference near" in out.splitlines()[-1]
    assert _files(diff) == ["1.png", "2.png"]
    assert _files(ref) == ["1.png", "2.png"]


def test_staged_folder_removes_the_staging_on_any_exception(tmp_path):
    target = tmp_path / "new" / "out"
    with pytest.raises(KeyboardInterrupt):
        with outputs.staged_folder(target) as staging:
            (staging / "1.png").write_bytes(b"x")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_progress_is_off_unless_stderr_is_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert outputs.progress(range(3), desc="x", unit="y").disable
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert not outputs.progress(range(3), desc="x", unit="y").disable
    assert outputs.progress(range(3), desc="x", unit="y", quiet=True).disable


def test_theory_bound_prints_exact_values_exactly(capsys):
    argv = ["--alpha", "0.1", "--beta", "0.1", "--gamma", "0.9", "--lam", "1", "--sum-w", "1"]
    assert main(["theory", "bound", *argv]) == 0
    # B = lam (1 - a)(1 - b) / ((1 - g)(1 + sum_W - b)) - sum_W = 0.81 / 0.19 - 1 = 62/19.
    assert "I > 62/19 = 3.26315789474\n" in capsys.readouterr().out


def test_theory_derive_prints_the_pcnn_bound_once_and_short(capsys):
    assert main(["theory", "derive", "--model", "pcnn"]) == 0
    out = capsys.readouterr().out
    bound = next(line for line in out.splitlines() if line.startswith("bound: "))
    assert bound.startswith("bound: I >= I*, I* = ") and len(bound) < 200
    assert out.count("V_L*beta") == 1  # the bound, printed once (not again in the explanation)


def _start(argv: list[str], tmp_path: Path) -> subprocess.Popen:
    """``ndcnp ARGV`` as a user runs it: a process of its own, in ``tmp_path``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "fusion", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt(argv: list[str], tmp_path: Path, wait_for: Path) -> subprocess.CompletedProcess:
    process = _start(argv, tmp_path)
    deadline = time.monotonic() + 60
    while not any(wait_for.glob(".*staging*/*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


@pytest.mark.parametrize("command", ["fuse-dir", "reproduce"])
def test_ctrl_c_mid_batch_exits_130_and_leaves_nothing(tmp_path, command):
    # Many large-ish pairs, so that the signal lands after the first file is staged.
    root = _set(tmp_path / "set", stems=tuple(str(k) for k in range(1, 41)), size=96)
    before = _files(tmp_path)
    out = tmp_path / "out"
    if command == "fuse-dir":
        argv = ["fuse-dir", str(root), "-o", str(out), "--radius", "2", "--steps", "200"]
    else:
        argv = ["reproduce", "--sources", str(root), "--reference", str(root / "far")]
        argv += ["--diff", str(out), "--radius", "2", "--steps", "200"]
    result = _interrupt(argv, tmp_path, tmp_path)
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "ndcnp: interrupted"
    assert "Traceback" not in result.stderr
    assert _files(tmp_path) == before


def test_ctrl_c_during_evaluate_exits_130_and_leaves_nothing(tmp_path):
    # 40 triplets of 256 x 256 keep the two workers busy for seconds; the signal goes to the
    # parent once it has forked them (the workers ignore SIGINT and stop with the pool).
    stems = tuple(str(k) for k in range(1, 41))
    root = _set(tmp_path / "set", layout=("far", "near", "fused"), stems=stems, size=256)
    before = _files(tmp_path)
    argv = ["evaluate", "--sources", str(root), "--fused", str(root / "fused"), "-o"]
    argv += [str(tmp_path / "scores.csv"), "--jobs", "2", "-q"]
    process = _start(argv, tmp_path)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if children.exists() and len(children.read_text().split()) >= 2:
            break
        time.sleep(0.02)
    workers = children.read_text().split() if children.exists() else []
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert len(workers) >= 2, "the workers were not seen"
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "ndcnp: interrupted" and "Traceback" not in err
    assert _files(tmp_path) == before
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # no worker left behind
