"""``ndtheory/_solved.py`` is what the derivation prints now, and solving uses it, not sympy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import sympy

from ndtheory import bound

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location(
        "print_solved", ROOT / "tools" / "print_solved.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_printed_module_equals_a_fresh_derivation():
    tool = _tool()
    assert tool.TARGET.read_text() == tool.render(), "run tools/print_solved.py"


def test_solving_never_calls_sympy_solve(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("sympy.solve called on the hot path")

    monkeypatch.setattr(sympy, "solve", refuse)
    # 15 is the paper's lambda for I = 1.2 (Eq. 18's example; see test_theory_bound).
    assert bound.solve_for("lam", I=1.2, alpha=0.8, beta=0.2, gamma=0.5, sum_W=1.2) == (
        pytest.approx(15.0, rel=1e-12)
    )
    for name, value in [("alpha", 0.8), ("beta", 0.2), ("gamma", 0.5), ("sum_W", 1.2)]:
        known = {"I": 1.2, "alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0, "sum_W": 1.2}
        del known[name]
        assert bound.solve_for(name, **known) == pytest.approx(value, rel=1e-9)


def test_a_fusion_configures_without_sympy_solve(monkeypatch):
    from fusion.configure import configure
    from fusion.rule import DEFAULT_RULE

    def refuse(*args, **kwargs):
        raise AssertionError("sympy.solve called on the hot path")

    monkeypatch.setattr(sympy, "solve", refuse)
    rng = np.random.default_rng(0)
    stimuli = [rng.random((8, 8)), rng.random((8, 8))]
    params = configure(stimuli, DEFAULT_RULE)
    # The default rule re-solves beta so that each system's own 99.99th percentile sits
    # exactly on the bound (Eq. 17 with equality).
    for s, p in zip(stimuli, params, strict=True):
        level = float(np.percentile(s, DEFAULT_RULE.own_percentile))
        assert bound.continuous_firing_bound(**p) == pytest.approx(level, rel=1e-9)
