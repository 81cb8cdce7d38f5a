"""``ndcnp simulate`` in-process: exit codes, one-line errors, whole output files."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image

from fusion.cli import main
from ndtheory.spec import PAPER_EXAMPLE
from simulate.cli import read_stimulus
from simulate.grid import simulate_grid


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_neuron_prints_train_rate_and_regime(tmp_path, capsys):
    csv_path, png_path = tmp_path / "trace.csv", tmp_path / "trace.png"
    code = main(
        [
            "simulate",
            "neuron",
            "--I",
            "0.5",
            "--neighbours",
            "always",
            "--steps",
            "12",
            "--csv",
            str(csv_path),
            "--plot",
            str(png_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    # Worked by hand in test_simulate_neuron: 1, 0, 1, 0, ...
    assert "spikes (t=1..12): 1010" in out
    assert "rate: " in out and "regime: " in out
    rows = csv_path.read_text().splitlines()
    assert rows[0] == "t,U,V,T,lhs=U*(V + 1),rhs=T,P,K"
    assert rows[2].startswith("1,0.5,0.0,0.0,0.5,0.0,1.0,0.0")
    assert len(rows) == 14
    assert png_path.stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--alpha", "1.5"], "ndcnp: error: alpha must be in (0, 1); got 1.5"),
        (["--I", "-1"], "ndcnp: error: I must be in [0, inf); got -1"),
        (["--neighbours", "most"], "ndcnp: error: --neighbours must be none, always, uniform"),
        (["--steps", "-3"], "ndcnp: error: --steps must be in [1, 2000000]; got -3"),
    ],
)
def test_neuron_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    csv_path = tmp_path / "trace.csv"
    args = {"--I": "1.0", "--csv": str(csv_path)}
    argv = list(argv)
    for key, value in args.items():
        if key not in argv:
            argv += [key, value]
    assert main(["simulate", "neuron", *argv]) == 2
    assert _error_line(capsys).startswith(message)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def stimulus_png(tmp_path):
    rng = np.random.default_rng(4)
    pixels = (rng.random((9, 11)) * 255).astype(np.uint8)
    path = tmp_path / "stimulus.png"
    Image.fromarray(pixels).save(path)
    return path, pixels


def test_read_stimulus_scales_8_bit_grey_to_unit_range(stimulus_png, tmp_path):
    path, pixels = stimulus_png
    assert_array_equal(read_stimulus(path), pixels / 255.0)
    rgb = tmp_path / "rgb.png"
    Image.fromarray(np.stack([pixels] * 3, axis=-1)).save(rgb)
    assert_array_equal(read_stimulus(rgb), pixels / 255.0)
    sixteen = tmp_path / "sixteen.png"
    Image.fromarray(pixels.astype(np.uint16) * 257).save(sixteen)
    np.testing.assert_allclose(read_stimulus(sixteen), pixels / 255.0, rtol=1e-15)


def test_grid_writes_counts_equal_to_the_library(stimulus_png, tmp_path, capsys):
    path, pixels = stimulus_png
    out, png = tmp_path / "counts.npz", tmp_path / "counts.png"
    kernel = "0.05,0.1,0.05;0.1,0,0.1;0.05,0.1,0.05"
    code = main(
        [
            "simulate",
            "grid",
            "--stimulus",
            str(path),
            "--kernel",
            kernel,
            "--steps",
            "30",
            "-o",
            str(out),
            "--png",
            str(png),
            "--border",
            "reflect",
        ]
    )
    assert code == 0, capsys.readouterr().err
    W = np.array([[0.05, 0.1, 0.05], [0.1, 0, 0.1], [0.05, 0.1, 0.05]])
    expected = simulate_grid(pixels / 255.0, PAPER_EXAMPLE, W, 30, border="reflect").counts
    with np.load(out) as saved:
        assert_array_equal(saved["counts"], expected)
        assert_array_equal(saved["W"], W)
        assert float(saved["lam"]) == 15.0
    assert "9x11 neurons, 30 steps" in capsys.readouterr().out
    assert png.stat().st_size > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--kernel", "0.1,0.1"], "ndcnp: error: W must have odd sides; got shape (1, 2)"),
        (["--kernel", "a;b"], "ndcnp: error: --kernel must be rows of comma-separated numbers"),
        (["--kernel", "missing.npy"], "ndcnp: error: --kernel file missing.npy does not exist"),
        (["--gamma", "0"], "ndcnp: error: gamma must be in (0, 1); got 0"),
    ],
)
def test_grid_bad_input_writes_nothing(stimulus_png, tmp_path, capsys, extra, message):
    path, _ = stimulus_png
    out = tmp_path / "counts.npz"
    assert main(["simulate", "grid", "--stimulus", str(path), "-o", str(out), *extra]) == 2
    assert _error_line(capsys).startswith(message)
    assert not out.exists()


def test_grid_refuses_to_overwrite_its_input(stimulus_png, capsys):
    path, _ = stimulus_png
    before = path.read_bytes()
    assert main(["simulate", "grid", "--stimulus", str(path), "-o", str(path)]) == 2
    assert "is also an input" in _error_line(capsys)
    assert path.read_bytes() == before


def test_grid_missing_or_unreadable_stimulus(tmp_path, capsys):
    out = tmp_path / "counts.npz"
    assert main(["simulate", "grid", "--stimulus", str(tmp_path / "no.png"), "-o", str(out)]) == 2
    assert _error_line(capsys).endswith("does not exist")
    text = tmp_path / "text.png"
    text.write_text("not an image")
    assert main(["simulate", "grid", "--stimulus", str(text), "-o", str(out)]) == 2
    assert _error_line(capsys).endswith("is not an image Pillow can read")
    assert not out.exists()


def test_fig2_writes_figure_and_table_and_names_the_matching_setup(tmp_path, capsys):
    fig, table = tmp_path / "fig2.png", tmp_path / "fig2.md"
    assert main(["simulate", "fig2", "-o", str(fig), "--table", str(table)]) == 0
    out = capsys.readouterr().out
    assert "Reproduced by: always, decay, steps 91-100." in out
    assert "No setup gives 60 and 70 as rates over steps 51-100" in out
    lines = table.read_text().splitlines()
    assert lines[0].startswith("| setup | semantics | steps 1-100")
    assert any(line.startswith("| always | decay | 59 / 73 / 98 / 99 |") for line in lines)
    assert fig.stat().st_size > 0


def test_regime_prints_the_bound_and_writes_the_map(tmp_path, capsys):
    fig = tmp_path / "regime.png"
    argv = ["simulate", "regime", "-o", str(fig), "--points", "31", "--steps", "200"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Theorem 4 bound (Eq. 17): I > 1.2" in out
    assert fig.stat().st_size > 0
    assert main([*argv[:4], "--I-min", "2", "--I-max", "1"]) == 2
    assert _error_line(capsys) == (
        "ndcnp: error: need 0 <= --I-min < --I-max < inf; got --I-min 2 --I-max 1"
    )
