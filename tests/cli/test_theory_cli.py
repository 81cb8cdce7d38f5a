"""``ndcnp theory`` in-process: output, exit codes, one-line errors."""

import json

import pytest

from fusion.cli import main

PAPER_ARGS = ["--alpha", "0.8", "--beta", "0.2", "--gamma", "0.5", "--lam", "15", "--sum-w", "1.2"]


def test_theory_alone_prints_the_audit(capsys):
    assert main(["theory"]) == 0
    out = capsys.readouterr().out
    for eq in ("8", "10", "12", "14", "16", "17", "18", "19"):
        assert f"Eq.                {eq}\n" in out
    assert "equal in the limit" in out


def test_theory_json_is_parseable(capsys):
    assert main(["theory", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["equation"]: r["verdict"] for r in rows}["16"] == "equal in the limit"


def test_bound_prints_the_paper_example_and_its_supremum(capsys):
    assert main(["theory", "bound", *PAPER_ARGS]) == 0
    out = capsys.readouterr().out
    assert "I > 1.2\n" in out
    assert "3.12121212121" in out  # 103/33, by hand in test_theory_bound
    assert "t = 2" in out


def test_bound_json(capsys):
    assert main(["theory", "bound", *PAPER_ARGS, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["bound"] == pytest.approx(1.2)
    assert result["supremum"] == pytest.approx(103 / 33)
    assert result["supremum_step"] == 2


def test_solve_for_lam(capsys):
    args = ["--alpha", "0.8", "--beta", "0.2", "--gamma", "0.5", "--sum-w", "1.2"]
    assert main(["theory", "bound", *args, "--solve-for", "lam", "--input-max", "1.2"]) == 0
    assert capsys.readouterr().out.startswith("lam = 15\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "1.2"], "alpha must be in (0, 1); got 1.2"),
        (["--gamma", "1"], "gamma must be in (0, 1); got 1"),
        (["--lam", "-1"], "lam must be in (0, inf); got -1"),
        (["--sum-w", "-0.5"], "sum_W must be in [0, inf); got -0.5"),
        (["--input-max", "2"], "--input-max is only used with --solve-for"),
        (["--solve-for", "lam"], "--lam is what --solve-for computes; drop it"),
        (["--solve-for", "alpha", "--input-max", "100"], "--alpha is what --solve-for computes"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    given = dict(zip(PAPER_ARGS[::2], PAPER_ARGS[1::2], strict=True))
    extra = dict(zip(args[::2], args[1::2], strict=True))
    merged = [item for pair in {**given, **extra}.items() for item in pair]
    assert main(["theory", "bound", *merged]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ndcnp: error: ")
    assert message in lines[0]


def test_missing_parameter_and_no_solution(capsys):
    assert main(["theory", "bound", "--alpha", "0.8"]) == 2
    assert capsys.readouterr().err == "ndcnp: error: bound needs --beta; got none\n"
    args = ["--beta", "0.2", "--gamma", "0.5", "--lam", "15", "--sum-w", "1.2"]
    assert main(["theory", "bound", *args, "--solve-for", "alpha", "--input-max", "100"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ndcnp: error: no alpha in (0, 1) puts the bound")
    assert err.count("\n") == 1


@pytest.mark.parametrize("doc_path", ["docs/theory.md", "README.md"])
def test_docs_show_the_audit_table_as_the_tool_prints_it(capsys, doc_path):
    from pathlib import Path

    doc = (Path(__file__).parents[2] / doc_path).read_text()
    table = doc.split("<!-- audit-table -->\n")[1].split("\n<!-- /audit-table -->")[0]
    assert main(["theory", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == table
