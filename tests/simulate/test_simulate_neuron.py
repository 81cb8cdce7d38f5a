# ruff: noqa: E741  (I is the paper's symbol for the external input)
"""The single-neuron simulator against hand computations in exact arithmetic."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import PAPER_EXAMPLE
from simulate.grid import simulate_grid
from simulate.neuron import run_batch, simulate_neuron

PAPER_SUM_W = 1.2


def test_paper_example_always_first_steps_by_hand():
    """I = 1/2, alpha = 4/5, beta = 1/5, gamma = 1/2, lam = 15, K = 0, 6/5, 6/5, ...

    Worked by hand from Eqs. (1)-(3) with the decay of Eq. (7) applied every step:
    t=1: U = 1/2, V = 0, T = 0; 1/2 > 0 fires.
    t=2: U = 2/5 + 1/2 + 6/5 = 21/10, V = 6/5, T = 15; 21/10 * 11/5 = 231/50 < 15.
    t=3: U = 84/50 + 17/10 = 169/50, V = 6/25 + 6/5 = 36/25, T = 15/2;
         169/50 * 61/25 = 10309/1250 > 15/2 fires.
    t=4: U = 676/250 + 17/10 = 1101/250, V = 36/125 + 6/5 = 186/125, T = 15/4 + 15 = 75/4;
         1101/250 * 311/125 = 342411/31250 < 75/4.
    """
    r = simulate_neuron(0.5, PAPER_EXAMPLE, 4, neighbours="always", sum_W=PAPER_SUM_W)
    expected = {
        "U": [0, F(1, 2), F(21, 10), F(169, 50), F(1101, 250)],
        "V": [0, 0, F(6, 5), F(36, 25), F(186, 125)],
        "T": [0, 0, 15, F(15, 2), F(75, 4)],
        "lhs": [0, F(1, 2), F(231, 50), F(10309, 1250), F(342411, 31250)],
        "K": [0, 0, F(6, 5), F(6, 5), F(6, 5)],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(r.traces[name], [float(v) for v in values], rtol=1e-14)
    assert_array_equal(r.spikes, [1, 0, 1, 0])


def test_paper_example_always_decay_on_fire_by_hand():
    """Same neuron, Eqs. (1)-(3) read literally: decay only after a spike.

    t=1: no spike before: U = 1/2, V = 0, T = 0; fires.
    t=2: fired at t=1: U = 2/5 + 17/10 = 21/10, V = 6/5, T = 0 + 15 = 15; 231/50 < 15.
    t=3: silent at t=2: U = 21/10 + 17/10 = 19/5, V = 12/5, T = 15; 19/5 * 17/5 = 323/25 < 15.
    t=4: silent: U = 11/2, V = 18/5, T = 15; 11/2 * 23/5 = 253/10 > 15 fires.
    t=5: fired: U = 22/5 + 17/10 = 61/10, V = 18/25 + 6/5 = 48/25, T = 15/2 + 15 = 45/2;
         61/10 * 73/25 = 4453/250 < 45/2.
    """
    r = simulate_neuron(
        0.5, PAPER_EXAMPLE, 5, neighbours="always", sum_W=PAPER_SUM_W, semantics="decay-on-fire"
    )
    np.testing.assert_allclose(r.traces["U"], [0, 0.5, 2.1, 3.8, 5.5, 6.1], rtol=1e-14)
    np.testing.assert_allclose(r.traces["T"], [0, 0, 15, 15, 15, 22.5], rtol=1e-14)
    np.testing.assert_allclose(r.traces["lhs"][1:], [0.5, 4.62, 12.92, 25.3, 17.812], rtol=1e-14)
    assert_array_equal(r.spikes, [1, 0, 0, 1, 0])


def _exact_run(I, alpha, beta, gamma, lam, K_of, n_steps, on_fire=False):
    """Eqs. (1)-(3) with Eq. (7) in Fractions, written out independently of the spec."""
    U = V = T = F(0)
    P = 0
    spikes = []
    for t in range(1, n_steps + 1):
        K = K_of(t, P)
        decay = (not on_fire) or P == 1
        U = (alpha * U if decay else U) + I + K
        V = (beta * V if decay else V) + K
        T = (gamma * T if decay else T) + lam * P
        P = 1 if U * (1 + V) > T else 0
        spikes.append(P)
    return spikes


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize("neighbours", ["none", "always", "uniform"])
@pytest.mark.parametrize("I", ["1/2", "1", "3/2", "2"])
def test_spike_trains_equal_exact_arithmetic(I, neighbours, semantics):
    """Spikes over 40 steps match a Fraction computation of the paper's example."""
    sum_W = F(5, 4)  # exact in binary, so float and Fraction see the same inputs
    K_of = {
        "none": lambda t, P: 0,
        "always": lambda t, P: 0 if t == 1 else sum_W,
        "uniform": lambda t, P: sum_W * P,
    }[neighbours]
    params = {"alpha": 0.75, "beta": 0.25, "gamma": 0.5, "lam": 15.0}
    exact = _exact_run(
        F(I), F(3, 4), F(1, 4), F(1, 2), 15, K_of, 40, on_fire=semantics == "decay-on-fire"
    )
    r = simulate_neuron(
        float(F(I)), params, 40, neighbours=neighbours, sum_W=1.25, semantics=semantics
    )
    assert_array_equal(r.spikes, exact)


def test_explicit_K_sequence_equals_always():
    steps = 30
    K = [0.0] + [PAPER_SUM_W] * (steps - 1)
    a = simulate_neuron(1.0, PAPER_EXAMPLE, steps, neighbours="always", sum_W=PAPER_SUM_W)
    b = simulate_neuron(1.0, PAPER_EXAMPLE, steps, neighbours=K)
    assert b.neighbours == "explicit"
    for name in a.traces:
        assert_array_equal(a.traces[name], b.traces[name])


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
def test_uniform_neuron_equals_uniform_periodic_grid(semantics):
    """A uniform stimulus on a periodic grid: every neuron is the 'uniform' neuron."""
    W = np.array([[0.05, 0.1, 0.05], [0.1, 0.0, 0.1], [0.05, 0.1, 0.05]])
    for I in (0.4, 0.9, 1.3):
        grid = simulate_grid(
            np.full((4, 5), I), PAPER_EXAMPLE, W, 80, semantics=semantics, border="periodic"
        )
        single = simulate_neuron(
            I, PAPER_EXAMPLE, 80, neighbours="uniform", W=W, semantics=semantics
        )
        assert_array_equal(grid.counts, single.spikes.sum())


def test_batch_equals_single_runs():
    inputs = np.array([0.3, 0.9, 1.4, 2.2])
    batch = run_batch(inputs, PAPER_EXAMPLE, 50, neighbours="uniform", sum_W=PAPER_SUM_W)
    for k, I in enumerate(inputs):
        single = simulate_neuron(I, PAPER_EXAMPLE, 50, neighbours="uniform", sum_W=PAPER_SUM_W)
        assert_array_equal(batch.traces["U"][:, k], single.traces["U"])
        assert_array_equal(batch.spikes[:, k], single.spikes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"neighbours": "some"}, "neighbours must be one of none, always, uniform or a K sequence"),
        ({"neighbours": "always"}, "neighbours='always' needs W or sum_W"),
        ({"neighbours": "uniform", "W": [1], "sum_W": 1}, "give W or sum_W, not both"),
        ({"neighbours": [0.1, 0.2]}, "an explicit K sequence must hold K(1)..K(n_steps), 3 values"),
        ({"neighbours": "always", "sum_W": -1}, "sum_W must be a finite number >= 0; got -1"),
        ({"I": -0.5}, "I must be in [0, inf); got -0.5"),
        ({"I": [1, 2]}, "I must be a single number; got shape (2,)"),
        ({"params": {"alpha": 0.5}}, "nd-cnp needs parameter beta; got none"),
    ],
)
def test_bad_input_raises_one_line_error(kwargs, message):
    args = {"I": 1.0, "params": PAPER_EXAMPLE}
    args.update(kwargs)
    with pytest.raises(NdcnpInputError, match=None) as error:
        simulate_neuron(args.pop("I"), args.pop("params"), 3, **args)
    assert str(error.value).startswith(message)
