"""Both engines run any declared NeuronModel, not just ND-CNP, and agree bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_array_equal

from ndtheory.spec import PAPER_EXAMPLE, I, K, NeuronModel, P, Parameter, Unit
from simulate.codegen import print_model
from simulate.fig2 import ND_CNP_GE
from simulate.grid import simulate_grid
from simulate.neuron import simulate_neuron

_F, _L, _E = sp.symbols("F L E")
aF, aL, aE, VF, VL, VE, bL = sp.symbols("aF aL aE VF VL VE bL", positive=True)


def _positive(name: str) -> Parameter:
    return Parameter(name, 0.0, math.inf)


PCNN = NeuronModel(
    name="pcnn-test",
    units=(
        Unit("F", sp.exp(-aF) * _F, I + VF * K),
        Unit("L", sp.exp(-aL) * _L, VL * K),
        Unit("E", sp.exp(-aE) * _E, VE * P),
    ),
    parameters=tuple(_positive(n) for n in ("aF", "aL", "aE", "VF", "VL", "VE", "bL")),
    firing=sp.StrictGreaterThan(_F * (1 + bL * _L) ** 2, _E),
    source="a PCNN with exp decays, for tests",
)
PCNN_PARAMS = {"aF": 0.1, "aL": 1.0, "aE": 0.6, "VF": 0.5, "VL": 0.3, "VE": 8.0, "bL": 0.4}

u, v, tau, lam = sp.symbols("u v tau lam", positive=True)
_U, _V, _T = sp.symbols("U V T")
CLASSIC = NeuronModel(
    name="cnp-constant-consumption-test",
    units=(
        Unit("U", _U - u, I + K),
        Unit("V", _V - v, K),
        Unit("T", _T - tau, lam * P, initial=lam / 2),
    ),
    parameters=tuple(_positive(n) for n in ("u", "v", "tau", "lam")),
    firing=sp.GreaterThan(_U * (1 + _V), _T),
    source="Eqs. (1)-(3) with constant consumptions, for tests",
)
CLASSIC_PARAMS = {"u": 0.4, "v": 0.1, "tau": 1.5, "lam": 6.0}

MODELS = [
    (ND_CNP_GE, PAPER_EXAMPLE),
    (PCNN, PCNN_PARAMS),
    (CLASSIC, CLASSIC_PARAMS),
]


def test_parameter_only_subexpressions_are_hoisted_and_powers_multiplied_out():
    printed = print_model(PCNN, "decay")
    assert set(printed.constants.values()) == {"exp(-aF)", "exp(-aL)", "exp(-aE)"}
    assert "exp" not in printed.updates["F"]
    assert "**" not in printed.fire_lhs and "power" not in printed.fire_lhs


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize(("model", "params"), MODELS, ids=lambda m: getattr(m, "name", ""))
def test_variant_models_engines_agree(model, params, semantics):
    rng = np.random.default_rng(8)
    stimulus = rng.random((12, 9)) * 1.5
    W = np.array([[0.1, 0.3, 0.1], [0.3, 0.0, 0.3], [0.1, 0.3, 0.1]]) / 2
    kwargs = dict(model=model, semantics=semantics, border="reflect", record=[(3, 4), (11, 8)])
    fast = simulate_grid(stimulus, params, W, 70, **kwargs)
    slow = simulate_grid(stimulus, params, W, 70, engine="reference", **kwargs)
    assert_array_equal(fast.counts, slow.counts)
    assert 0 < fast.counts.min() and fast.counts.max() < 70
    for name in slow.traces:
        assert_array_equal(fast.traces[name], slow.traces[name])


def test_declared_initial_state_is_used():
    r = simulate_neuron(0.0, CLASSIC_PARAMS, 2, model=CLASSIC)
    # T(0) = lam/2 = 3; at t=1 nothing fired before: decay applies every step (T - tau).
    np.testing.assert_allclose(r.traces["T"][:2], [3.0, 1.5])
    assert r.spikes[0] == 0  # U(1)(1 + V(1)) = -0.4 < 1.5


def test_ge_differs_from_gt_only_on_ties():
    """With U(1) = I and T(1) = 0, a neuron with I = 0 fires at t = 1 under >= only."""
    assert simulate_neuron(0.0, PAPER_EXAMPLE, 1, model=ND_CNP_GE).spikes[0] == 1
    assert simulate_neuron(0.0, PAPER_EXAMPLE, 1).spikes[0] == 0


@given(
    stimulus=arrays(
        np.float64, st.tuples(st.integers(1, 7), st.integers(1, 7)), elements=st.floats(0, 3)
    ),
    kernel_shape=st.tuples(st.sampled_from([1, 3, 5]), st.sampled_from([1, 3, 5])),
    seed=st.integers(0, 2**32 - 1),
    border=st.sampled_from(["zero", "reflect", "periodic"]),
    semantics=st.sampled_from(["decay", "decay-on-fire"]),
    alpha=st.floats(0.05, 0.95),
    lam=st.floats(0.5, 40),
)
def test_engines_agree_on_random_grids(stimulus, kernel_shape, seed, border, semantics, alpha, lam):
    W = np.random.default_rng(seed).random(kernel_shape) * 0.4
    params = {**PAPER_EXAMPLE, "alpha": alpha, "lam": lam}
    kwargs = dict(semantics=semantics, border=border)
    fast = simulate_grid(stimulus, params, W, 25, **kwargs)
    slow = simulate_grid(stimulus, params, W, 25, engine="reference", **kwargs)
    assert_array_equal(fast.counts, slow.counts)
