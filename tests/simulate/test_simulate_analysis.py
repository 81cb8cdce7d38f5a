"""Spike-train analysis on constructed trains."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import PAPER_EXAMPLE
from simulate.analysis import (
    classify,
    fires_continuously,
    firing_rate,
    sweep,
    transient_length,
)


def _train(text: str) -> list[int]:
    return [int(c) for c in text]


def test_firing_rate_over_windows():
    train = _train("0011101101")
    assert firing_rate(train) == 0.6
    assert firing_rate(train, 2, 5) == 1.0
    assert firing_rate(train, start=5) == 0.6
    with pytest.raises(NdcnpInputError, match=r"the window \[8:4\] of the spike train is empty"):
        firing_rate(train, 8, 4)


@pytest.mark.parametrize(
    ("text", "regime", "transient", "pattern", "rate"),
    [
        ("1" * 20, "continuous", 0, "1", 1.0),
        ("1001" + "1" * 16, "continuous", 3, "1", 1.0),
        ("1" + "0" * 19, "silent", 1, "0", 0.0),
        ("111" + "10110" * 5, "periodic", 3, "10110", 0.6),
        ("1110" * 6, "periodic", 0, "1110", 0.75),
        ("0110100110010110", "irregular", None, "", 0.5),
    ],
)
def test_classify_constructed_trains(text, regime, transient, pattern, rate):
    result = classify(_train(text))
    assert (result.regime, result.transient, result.pattern) == (regime, transient, pattern)
    assert result.rate == pytest.approx(rate)
    assert transient_length(_train(text)) == transient


def test_classify_needs_min_repeats():
    train = _train("1111" + "110" * 2)
    assert classify(train, min_repeats=3, min_tail=1).period != 3
    assert classify(train, min_repeats=2, min_tail=1).pattern == "110"
    assert classify(_train("0" * 8 + "111")).regime == "irregular"
    assert classify(_train("0" * 8 + "111"), min_tail=3).regime == "continuous"


@given(
    prefix=st.lists(st.integers(0, 1), max_size=12),
    pattern=st.lists(st.integers(0, 1), min_size=1, max_size=6),
    repeats=st.integers(3, 6),
)
def test_classify_finds_a_period_dividing_the_constructed_one(prefix, pattern, repeats):
    train = prefix + pattern * repeats
    result = classify(train, min_tail=1)
    assert result.regime != "irregular"
    assert result.transient <= len(prefix)
    assert len(pattern) % result.period == 0
    assert result.rate == pytest.approx(sum(pattern) / len(pattern))


def test_fires_continuously():
    assert fires_continuously(_train("0101" + "1" * 10))
    assert not fires_continuously(_train("1" * 9 + "0" + "1" * 9))
    assert not fires_continuously(_train("111"), min_run=10)


def test_bad_trains_are_rejected():
    with pytest.raises(NdcnpInputError, match="spikes must hold only 0 and 1"):
        classify([0, 2, 1])
    with pytest.raises(NdcnpInputError, match=r"spikes must be a 1-D train; got shape \(2, 2\)"):
        firing_rate([[0, 1], [1, 0]])


def test_sweep_over_I_orders_regimes_as_theorem_4_says():
    """Paper's example, neighbours always firing: continuous above the bound 1.2 only.

    (Theorem 4 is necessary, not sufficient; for these values it also holds here.)
    """
    values = np.array([0.5, 1.0, 1.19, 1.25, 1.5, 2.0])
    result = sweep("I", values, params=PAPER_EXAMPLE, n_steps=200, neighbours="always", sum_W=1.2)
    assert result.regimes[:3] == ["periodic"] * 3
    assert result.regimes[3:] == ["continuous"] * 3
    assert result.spikes.shape == (200, 6)


def test_sweep_over_a_parameter_matches_single_runs():
    from simulate.neuron import simulate_neuron

    lams = [5.0, 10.0, 15.0, 30.0]
    result = sweep(
        "lam", lams, I=1.0, params=PAPER_EXAMPLE, n_steps=60, neighbours="uniform", sum_W=1.2
    )
    for k, lam in enumerate(lams):
        single = simulate_neuron(
            1.0, {**PAPER_EXAMPLE, "lam": lam}, 60, neighbours="uniform", sum_W=1.2
        )
        assert result.rates[k] == firing_rate(single.spikes)


def test_sweep_rejects_unknown_quantity():
    with pytest.raises(NdcnpInputError, match="cannot sweep 'delta'"):
        sweep("delta", [1.0], I=1.0, params=PAPER_EXAMPLE, n_steps=5)
    with pytest.raises(NdcnpInputError, match="alpha must be in"):
        sweep("alpha", [0.5, 1.5], I=1.0, params=PAPER_EXAMPLE, n_steps=5)
