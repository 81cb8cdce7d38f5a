"""Exact rational simulation: golden values from an independent exact replay (issue 17),
hand-derived values, and agreement with the float engines wherever rounding cannot decide."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fusion.cli import main
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.exact import exact_step, parse_exact
from ndtheory.spec import MODELS
from ndtheory.testing import SUM_W, kernels, model_params, stimuli
from simulate.exact import simulate_grid_exact, simulate_neuron_exact
from simulate.grid import simulate_grid
from simulate.neuron import simulate_neuron

COROLLARY = {"alpha": "1/10", "beta": "1/10", "gamma": "9/10", "lam": 1}
"""Corollary 1's boundary case (docs/theory.md, section 3): B = 62/19, every I_t below it."""
DOUBLE = Fraction(3.263157894736842)
"""The double nearest 62/19 (7e-17 below it), as an exact rational."""


def _flint_or_skip():
    pytest.importorskip("flint")


@pytest.mark.parametrize("number", ["fraction", "flint"])
def test_at_the_bound_fires_at_every_step_and_just_below_misses_at_step_368(number):
    # 3000/3000 at 62/19 is proved in docs/theory.md (every I_t < 62/19); 368 and 2920 are
    # the independent exact replay of the double.
    if number == "flint":
        _flint_or_skip()
    at = simulate_neuron_exact(
        "62/19", COROLLARY, 3000, neighbours="uniform", sum_W=1, number=number
    )
    assert at.train.count("1") == 3000 and at.first_miss is None
    below = simulate_neuron_exact(
        DOUBLE, COROLLARY, 3000, neighbours="uniform", sum_W=1, number=number
    )
    assert below.first_miss == 368
    assert below.train.count("1") == 2920


def test_a_decimal_string_is_its_decimal_value_and_a_float_its_binary_value():
    assert parse_exact("0.1") == Fraction(1, 10)
    assert parse_exact(0.1) == Fraction(0.1) != Fraction(1, 10)
    assert parse_exact("62/19") == Fraction(62, 19)
    assert parse_exact(" -2.5e-1 ") == Fraction(-1, 4)
    for bad in ("abc", "1/0", "nan", "inf", "1/2/3", ""):
        with pytest.raises(NdcnpInputError):
            parse_exact(bad)


def test_first_steps_against_hand_values():
    # paper's example, no neighbours (V = 0), I = 2: U(1) = 2, T(1) = 0 -> fires;
    # U(2) = 8/5 + 2 = 18/5, T(2) = 15 -> 18/5 - 15 = -57/5, silent;
    # U(3) = 72/25 + 2 = 122/25, T(3) = 15/2 -> 122/25 - 15/2 = -131/50, silent.
    run = simulate_neuron_exact(2, {"alpha": "0.8", "beta": "0.2", "gamma": "0.5", "lam": 15}, 3)
    assert run.spikes == (1, 0, 0)
    assert [Fraction(str(m)) for m in run.margins] == [
        Fraction(2),
        Fraction(-57, 5),
        Fraction(-131, 50),
    ]


def test_no_neighbours_at_two_double_zeros_grow_rarer_in_exact_arithmetic():
    # docs/fig2.md: the float run locks into a period of 51; the exact one does not.
    run = simulate_neuron_exact(
        2, {"alpha": "0.8", "beta": "0.2", "gamma": "0.5", "lam": 15}, 700, number="fraction"
    )
    doubles = [t for t in range(2, 701) if run.train[t - 2 : t] == "00"]
    gaps = np.diff(doubles)
    assert doubles[:6] == [3, 6, 11, 18, 27, 40] and np.all(np.diff(gaps) > 0)
    floats = simulate_neuron(2.0, {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}, 700)
    train = "".join(map(str, floats.spikes))
    float_doubles = [t for t in range(2, 701) if train[t - 2 : t] == "00"]
    assert set(np.diff(float_doubles)[-5:]) == {51}


def test_pcnn_has_no_exact_step():
    with pytest.raises(NotDerivableError):
        exact_step(MODELS["pcnn"], "decay")


@settings(deadline=None)
@given(
    params=model_params(),
    sum_W=SUM_W,
    I=st.floats(0, 5),
    neighbours=st.sampled_from(["none", "always", "uniform"]),
    semantics=st.sampled_from(["decay", "decay-on-fire"]),
)
def test_float_and_exact_agree_while_no_margin_is_near_zero(
    params,
    sum_W,
    I,  # noqa: E741
    neighbours,
    semantics,
):
    n = 60
    exact = simulate_neuron_exact(
        I, params, n, neighbours=neighbours, sum_W=sum_W, semantics=semantics, number="fraction"
    )
    floats = simulate_neuron(
        I, params, n, neighbours=neighbours, sum_W=sum_W, semantics=semantics
    ).spikes
    close = [t for t, m in enumerate(exact.margins) if abs(m) <= 1e-9]
    agree = close[0] if close else n
    assert list(floats[:agree]) == list(exact.spikes[:agree])


@settings(deadline=None, max_examples=25)
@given(
    params=model_params(),
    kernel=kernels(1),
    stimulus=stimuli((3, 4), 3.0),
    border=st.sampled_from(["zero", "periodic"]),
)
def test_exact_grid_agrees_with_the_reference_engine(params, kernel, stimulus, border):
    n = 15
    exact = simulate_grid_exact(stimulus, params, kernel, n, border=border, number="fraction")
    assume(exact.closest > 1e-9)  # otherwise rounding may decide a float spike
    floats = simulate_grid(stimulus, params, kernel, n, border=border, engine="reference")
    assert np.array_equal(np.sum(exact.spikes, axis=0), floats.counts)


def test_cli_exact_at_the_bound_and_at_the_double(capsys):
    base = [
        "simulate",
        "neuron",
        "--exact",
        "--alpha",
        "1/10",
        "--beta",
        "0.1",
        "--gamma",
        "9/10",
        "--lam",
        "1",
        "--sum-w",
        "1",
        "--neighbours",
        "uniform",
        "--steps",
        "3000",
    ]
    assert main([*base, "--I", "62/19"]) == 0
    out = capsys.readouterr().out
    assert "fires 3000 of 3000 steps; no miss" in out
    assert main([*base, "--I", str(DOUBLE)]) == 0
    out = capsys.readouterr().out
    assert "fires 2920 of 3000 steps; first miss at step 368" in out
    assert "float run (I = 3.263157894736842) parts from the exact one at step 368" in out
