"""docs/testing.md's complete user test file runs, as a user would run it, and passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_user_test_file_passes(tmp_path):
    doc = (ROOT / "docs" / "testing.md").read_text()
    code = doc.split("## A complete test file")[1].split("```python\n")[1].split("```")[0]
    path = tmp_path / "test_user_model.py"
    path.write_text(code)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "5 passed" in run.stdout


def test_the_documented_audit_file_gives_the_documented_verdicts(tmp_path, capsys):
    from fusion.cli import main

    doc = (ROOT / "docs" / "audit.md").read_text()
    path = tmp_path / "paper.toml"
    path.write_text(doc.split("```toml\n")[1].split("```")[0])
    assert main(["audit", str(path), "--format", "markdown"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    # by hand: A(t) = c (1 - b^(t-1))/(1 - b) from A(1) = 0, and the bound solves
    # lim Vm = (I + S - q)/(1 - a) > 1 + lim A = 1 + c/(1 - b) for I
    assert [row.split(" | ")[2] for row in rows] == ["identical", "identical"]
