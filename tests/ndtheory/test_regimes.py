"""Derived periodic regimes against hand derivation and against the simulator."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fusion.cli import main
from ndtheory.continuous_firing import bound_value
from ndtheory.errors import NdcnpInputError
from ndtheory.regimes import (
    NoFixedPointError,
    canonical,
    existence_interval,
    periodic_orbit,
    primitive_patterns,
    regimes,
)
from ndtheory.spec import MODELS, ND_CNP, PAPER_EXAMPLE, SUM_W, I
from simulate.analysis import classify, sweep
from simulate.neuron import simulate_neuron

R = sp.Rational
PAPER_EXACT = {ND_CNP.symbols["alpha"]: R(4, 5), ND_CNP.symbols["beta"]: R(1, 5)}
PAPER_EXACT |= {ND_CNP.symbols["gamma"]: R(1, 2), ND_CNP.symbols["lam"]: 15, SUM_W: R(6, 5)}


def test_canonical_and_pattern_count():
    assert canonical("10110") == canonical("01101") == canonical("1011010110") == "11010"
    assert canonical("1111") == "1"
    # primitive binary necklaces of length 1..6: 2, 1, 2, 3, 6, 9 (OEIS A001037)
    assert [len([p for p in primitive_patterns(6) if len(p) == n]) for n in range(1, 7)] == [
        2,
        1,
        2,
        3,
        6,
        9,
    ]
    with pytest.raises(NdcnpInputError, match="0 and 1"):
        canonical("10a")


def test_pattern_10_by_hand():
    # Phase 0 after a silent step: V0 = S/(1-b^2) = 5/4, T0 = lam/(1-g^2) = 20,
    # U0 = ((1+a) I + S)/(1-a^2) = 5I + 10/3; step 1 (after P=0): U1 = 5I + 8/3, V1 = 1/4,
    # T1 = 10 must fire; step 2 (after P=1) returns to phase 0 and must not fire.
    orbit = periodic_orbit(ND_CNP, "10", values=PAPER_EXACT)
    m1, m2 = orbit.margins
    assert sp.expand(m1 - ((5 * I + R(8, 3)) * R(5, 4) - 10)) == 0
    assert sp.expand(m2 - ((5 * I + R(10, 3)) * R(9, 4) - 20)) == 0
    assert orbit.states[0]["V"] == R(5, 4) and orbit.states[0]["T"] == 20


def test_continuous_pattern_starts_at_the_bound():
    """Two derivations meet: the '1' orbit (uniform grid) exists exactly above Theorem 4."""
    for name in ("nd-cnp", "dtnp", "pcnn"):
        model = MODELS[name]
        params = {p.name: sum(p.sampling_range) / 2 for p in model.parameters}
        interval = existence_interval(model, "1", params, 0.9)
        assert float(interval.inf) == pytest.approx(bound_value(model, params, 0.9), rel=1e-12)
        assert interval.left_open
    with pytest.raises(NoFixedPointError):  # nothing decays: no periodic state at all
        existence_interval(MODELS["cnp-classic"], "1", {"u": 1, "v": 0, "tau": 0, "lam": 1}, 1.0)


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
def test_paper_parameters_sweep_lands_in_derived_regimes(semantics):
    found = regimes(ND_CNP, PAPER_EXAMPLE, 1.2, max_length=8, semantics=semantics)
    inputs = np.linspace(0.01, 2.0, 120)
    result = sweep(
        "I",
        inputs,
        params=PAPER_EXAMPLE,
        n_steps=800,
        neighbours="uniform",
        sum_W=1.2,
        semantics=semantics,
    )
    checked = 0
    for value, pattern in zip(inputs, result.patterns, strict=True):
        if pattern.period is None or pattern.period > 8 or pattern.transient > 500:
            continue
        here = {r.pattern for r in found if r.interval.contains(value)}
        assert canonical(pattern.pattern) in here, (value, pattern)
        checked += 1
    assert checked >= (110 if semantics == "decay" else 40)


def _on_orbit(model, orbit):
    units = tuple(
        dataclasses.replace(u, initial=sp.Float(float(orbit.states[0][u.name])))
        for u in model.units
    )
    return dataclasses.replace(model, units=units)


def _has_orbits(model) -> bool:
    params = {p.name: sum(p.sampling_range) / 2 for p in model.parameters}
    try:
        existence_interval(model, "10", params, 1.0)
    except NoFixedPointError:
        return False
    return True


def test_classic_cnp_has_no_isolated_periodic_orbit():
    """Nothing decays: over any period the state moves by a constant, so a state repeats
    only on a measure-zero set of inputs; the derivation says so instead of guessing."""
    model = MODELS["cnp-classic"]
    assert not _has_orbits(model)
    assert regimes(model, {"u": 1.0, "v": 0.5, "tau": 1.0, "lam": 2.0}, 1.0, I_max=5.0) == []


@pytest.mark.parametrize("name", [n for n in sorted(MODELS) if _has_orbits(MODELS[n])])
@settings(max_examples=15, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_neuron_started_on_a_derived_orbit_stays_on_it(name, data):
    model = MODELS[name]
    params = {
        p.name: data.draw(st.floats(*p.sampling_range).filter(p.contains)) for p in model.parameters
    }
    sum_W = data.draw(st.floats(0.0, 2.0))
    semantics = data.draw(st.sampled_from(model.semantics))
    found = regimes(model, params, sum_W, max_length=4, I_max=20.0, semantics=semantics)
    choices = [r for r in found if "0" in r.pattern and r.bounds[1] - r.bounds[0] > 1e-6]
    assume(choices)
    regime = data.draw(st.sampled_from(choices))
    low, high = regime.bounds
    value = (low + high) / 2
    k = regime.pattern.rindex("0") + 1
    phased = regime.pattern[k:] + regime.pattern[:k]
    values = {model.symbols[n]: sp.Rational(v) for n, v in params.items()} | {
        SUM_W: sp.Rational(sum_W),
        I: sp.Rational(value),
    }
    orbit = periodic_orbit(model, phased, semantics=semantics, values=values)
    start = _on_orbit(model, orbit)
    spikes = simulate_neuron(
        value,
        params,
        12 * len(phased),
        model=start,
        neighbours="uniform",
        sum_W=sum_W,
        semantics=semantics,
    ).spikes
    assert "".join(map(str, spikes)) == phased * 12


def test_regimes_cli_lists_the_paper_patterns(capsys):
    args = ["theory", "regimes", "--alpha", "0.8", "--beta", "0.2", "--gamma", "0.5"]
    args += ["--lam", "15", "--sum-w", "1.2", "--max-length", "5", "--I-max", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(1.066666667, 1.111111111]" in out  # pattern 10, 16/15 < I <= 10/9 by hand
    assert "1000  0.250" in out


def test_regimes_cli_bad_input_is_one_line(capsys):
    args = ["theory", "regimes", "--alpha", "1.5", "--beta", "0.2", "--gamma", "0.5"]
    assert main([*args, "--lam", "15", "--sum-w", "1.2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ndcnp: error: alpha must be in (0, 1)") and err.count("\n") == 1


def test_simulated_classification_of_the_orbit_is_canonical():
    assert canonical(classify([0, 1, 1, 0, 1] * 6).pattern) == canonical("10110")


def test_derive_cli_prints_each_variant_s_bound(capsys):
    assert main(["theory", "derive", "--model", "cnp-classic"]) == 0
    out = capsys.readouterr().out
    assert "bound: I >= I*, I* = -sum_W + u" in out and "valid where sum_W - v > 0" in out
    assert main(["theory", "derive", "--model", "dtnp"]) == 0
    assert "theta(t) = h*(1 - g**(t - 1))/(1 - g)" in capsys.readouterr().out


def test_regimes_cli_runs_any_registered_model(capsys):
    args = ["theory", "regimes", "--model", "dtnp", "--param", "f=0.8", "--param", "g=0.6"]
    assert (
        main([*args, "--param", "h=5", "--sum-w", "1", "--max-length", "3", "--format", "json"])
        == 0
    )
    rows = {r["pattern"]: r for r in json.loads(capsys.readouterr().out)}
    # by hand: continuous firing exists above h(1 - f)/(1 - g) - sum(W) = 1.5
    assert rows["1"]["I_low"] == pytest.approx(1.5, rel=1e-12) and not rows["1"]["low_closed"]
    assert main([*args, "--sum-w", "1"]) == 2
    assert "dtnp needs parameter h" in capsys.readouterr().err
