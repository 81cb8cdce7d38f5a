"""docs/findings.md says what its commands print; ``ndcnp theory`` prints the computed summary."""

from __future__ import annotations

import importlib.util
import re
import shlex
from fractions import Fraction
from pathlib import Path

import pytest

from fusion.cli import main
from ndtheory import findings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "findings.md"


def console_blocks(text: str) -> list[tuple[str, list[str]]]:
    """``(command, expected lines)`` for every ``$ ndcnp ...`` line of the doc's console blocks."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif out:
                out[-1][1].append(line)
    return [(command, lines) for command, lines in out if command.startswith("ndcnp ")]


COMMANDS = console_blocks(DOC.read_text())


def test_the_doc_has_commands_with_stated_outcomes():
    assert len(COMMANDS) >= 15
    assert sum(bool(lines) for _, lines in COMMANDS) == len(COMMANDS)


@pytest.mark.parametrize(("command", "expected"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_each_doc_command_prints_what_the_doc_says(capsys, command, expected):
    assert main(shlex.split(command)[1:]) == 0
    printed = capsys.readouterr().out.splitlines()
    for line in expected:
        assert line in printed


def _census():
    path = ROOT / "tools" / "sufficiency_census.py"
    spec = importlib.util.spec_from_file_location("sufficiency_census", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("factor", "failed"),
    [
        ("1.02", "959 (39.8%)"),
        pytest.param("1.1", "634 (26.3%)", marks=pytest.mark.slow),
        pytest.param("1.5", "250 (10.4%)", marks=pytest.mark.slow),
        pytest.param("2", "127 (5.3%)", marks=pytest.mark.slow),
        pytest.param("3", "55 (2.3%)", marks=pytest.mark.slow),
    ],
)
def test_census_table_row(capsys, factor, failed):
    """The doc's census table (finding 5), row by row."""
    assert _census().main(["--factor", factor]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"2412 parameter sets, I = {factor} x B")
    assert f"uniform decay         not continuous: {failed}" in out
    for setting in ("uniform decay-on-fire", " always decay        ", " always decay-on-fire"):
        assert f"{setting} not continuous: 0 (0.0%)" in out
    row = f"| {factor} | {failed.split()[0]}"
    assert row in DOC.read_text()


def test_theory_prints_the_findings_summary_under_the_audit(capsys):
    """Hand values: B = 6/5 and I_2 = 103/33 (test_theory_bound), 62/19 for the boundary."""
    assert main(["theory"]) == 0
    out = capsys.readouterr().out
    audit, summary = out.split("\nFindings (", 1)
    assert "Eq." in audit
    assert "B = 6/5, sup_t I_t = 103/33 = 3.12121 at t = 2 (2.6 x B)" in summary
    assert "I = 1.25 = 1.042 x B misses step 2 from rest (I_2 = 103/33)" in summary
    assert "B = 62/19 = 3.26316" in summary
    assert "supremum not reached" in summary
    replay = findings.PAPER_ABOVE_BOUND.simulate_command()
    assert replay in summary
    assert f"$ {replay}\n" in DOC.read_text()  # so test_each_doc_command_... replays it


def test_summary_is_not_printed_in_machine_formats(capsys):
    assert main(["theory", "--format", "json"]) == 0
    assert "Findings" not in capsys.readouterr().out


def test_exact_helpers_against_hand_values():
    # hand: U(2) = 9I/5 + 6/5, V(2) = 6/5, T(2) = 15 => I_2 = 103/33
    assert findings.exact_threshold(findings.PAPER, 2) == Fraction(103, 33)
    assert findings.exact_bound(findings.PAPER) == Fraction(6, 5)
    # hand: 1 * 0.9 * 0.9 / (0.1 * 1.9) - 1 = 81/19 - 1 = 62/19
    assert findings.exact_bound(findings.BOUNDARY) == Fraction(62, 19)
    assert findings.first_missed_step(findings.PAPER_ABOVE_BOUND) == 2
