"""Start-up: ``ndcnp`` imports sympy, numba and matplotlib only for the commands that use them."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fusion.cli import COMMANDS, get_parser

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sympy", "numba", "matplotlib", "scipy")


def _modules_after(argv: list[str]) -> tuple[int, set[str]]:
    """Exit code and the heavy top-level packages loaded by ``ndcnp ARGV`` in a fresh process."""
    probe = (
        "import json, sys\n"
        "from fusion.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        f"print(json.dumps([code, sorted(loaded & {set(HEAVY)!r})]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return code, set(loaded)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["no-such-command"],
        ["fuse", "--help"],
        ["fuse", "only-one.png"],
        ["fuse-dir", "--help"],
        ["evaluate", "--help"],
        ["evaluate", "--sources", "x"],
    ],
)
def test_help_and_argument_errors_import_no_heavy_package(argv):
    code, loaded = _modules_after(argv)
    assert code in (0, 2)
    assert not loaded, f"ndcnp {' '.join(argv)} imported {sorted(loaded)}"


def test_theory_bound_needs_no_symbolic_solving():
    code, loaded = _modules_after(
        [
            "theory",
            "bound",
            "--alpha",
            "0.8",
            "--beta",
            "0.2",
            "--gamma",
            "0.5",
            "--lam",
            "15",
            "--sum-w",
            "1.2",
        ]
    )
    assert code == 0 and "numba" not in loaded and "matplotlib" not in loaded


def _help_lines(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help for a in action._choices_actions}
    raise AssertionError("no subcommands")


def test_the_command_table_repeats_each_modules_own_help_line():
    # ndcnp --help shows COMMANDS' lines; the full parser shows what each register() declares.
    assert _help_lines(get_parser()) == {name: text for name, (_, text) in COMMANDS.items()}
    assert _help_lines(get_parser([])) == _help_lines(get_parser())


def test_every_command_is_in_the_table():
    full = get_parser()
    subparsers = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert list(subparsers.choices) == list(COMMANDS)


def test_fuse_runs_without_sympy_or_scipy_linalg_once_the_model_is_printed(tmp_path):
    """``ndcnp fuse`` reads ND-CNP's stored print and Corollary 1's printed roots (no SymPy),
    loads numba without its BLAS probe (no scipy.linalg) and freezes what it imported.

    The first run prints the model into the (fresh) cache with SymPy; the second, in a
    fresh process, must not import it at all.
    """
    from PIL import Image

    rng = np.random.default_rng(3)
    sources = []
    for name in ("a.png", "b.png"):
        Image.fromarray(rng.integers(0, 256, (24, 32), dtype=np.uint8)).save(tmp_path / name)
        sources.append(str(tmp_path / name))
    argv = ["fuse", *sources, "-o", str(tmp_path / "f.png"), "--radius", "2"]
    probe = (
        "import gc, json, sys\n"
        "from fusion.cli import main\n"
        f"code = main({argv!r})\n"
        "names = ('sympy', 'scipy.linalg', 'numba')\n"
        "print(json.dumps([code, [n for n in names if n in sys.modules], gc.get_freeze_count()]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NDCNP_KERNEL_CACHE": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        assert (tmp_path / "f.png").is_file()
        (tmp_path / "f.png").unlink()
    (first_code, first, _), (code, loaded, frozen) = runs
    assert first_code == code == 0
    assert "sympy" in first  # the print was made here, so the cache was really empty
    assert loaded == ["numba"] and frozen > 10_000


def test_evaluate_loads_its_metrics_without_scipy_fft_where_ducc0_is_installed():
    # scipy.fft takes 0.1 s to import, all of it before ndcnp evaluate forks its workers;
    # with ducc0 the metrics never call it (FMI's "dct" feature and the fallback import it).
    pytest.importorskip("ducc0")
    probe = (
        "import sys\n"
        "from fusion import cli_evaluate\n"
        "cli_evaluate._load_metrics()\n"
        "print('scipy.fft' in sys.modules, 'fusion.metrics.qp' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert done.stdout.split() == ["False", "True"]
