"""Generic properties, run on every registered model (ND-CNP and the variants).

Nothing here names a model: parameters are drawn from each declaration's ranges
(:attr:`ndtheory.spec.Parameter.sampling_range`), so a newly registered variant
is covered by adding it to ``MODELS``.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from ndtheory.closed_forms import continuous_firing_closed_forms, general_closed_forms
from ndtheory.continuous_firing import bound_value, derive_continuous_firing, margin_terms
from ndtheory.errors import NdcnpInputError
from ndtheory.recurrence import t
from ndtheory.spec import MODELS, SUM_W, I, NeuronModel
from ndtheory.testing import parameters
from simulate.grid import simulate_grid
from simulate.neuron import simulate_neuron

NAMES = sorted(MODELS)


def _rng_params(model: NeuronModel, rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for p in model.parameters:
        low, high = p.sampling_range
        out[p.name] = float(low + (high - low) * rng.uniform(0.05, 0.95))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_numba_counts_equal_reference_for_every_model(name):
    model = MODELS[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    W = np.array([[0.7, 1, 0.7], [1, 0, 1], [0.7, 1, 0.7]]) / 6
    low, high = model.input_parameter.sampling_range
    for semantics in model.semantics:
        params = _rng_params(model, rng)
        stimulus = rng.uniform(low, high, (11, 17))
        kwargs = dict(model=model, semantics=semantics, border="reflect", record=[(5, 8)])
        fast = simulate_grid(stimulus, params, W, 50, **kwargs)
        slow = simulate_grid(stimulus, params, W, 50, engine="reference", **kwargs)
        np.testing.assert_array_equal(fast.counts, slow.counts)
        for key in slow.traces:
            np.testing.assert_array_equal(fast.traces[key], slow.traces[key])


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_step_t_fires_iff_the_derived_margin_is_positive(name, data):
    """Along continuous firing (neighbours always fire), the simulated train is all ones
    up to the first step whose derived margin A(t) I + B(t) is not positive, and 0 there."""
    model = MODELS[name]
    params = data.draw(parameters(model))
    sum_W = data.draw(st.floats(0.0, 2.0))
    value = data.draw(st.floats(*model.input_parameter.sampling_range))
    n = 60
    A, B = margin_terms(model, params, sum_W, n)
    margin = A * value + B
    scale = np.abs(A * value) + np.abs(B) + 1.0
    assume(np.all(np.abs(margin) > 1e-9 * scale))  # rounding decides nothing
    expected = np.cumprod(margin > 0)
    first_miss = int(np.argmin(expected)) if not expected.all() else n
    spikes = simulate_neuron(value, params, n, model=model, neighbours="always", sum_W=sum_W).spikes
    stop = min(first_miss + 1, n)  # through the first predicted miss
    np.testing.assert_array_equal(spikes[:stop], expected[:stop])


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_continuous_firing_traces_are_the_derived_closed_forms(name, data):
    model = MODELS[name]
    params = data.draw(parameters(model))
    sum_W = data.draw(st.floats(0.0, 2.0))
    n = 40
    A, B = margin_terms(model, params, sum_W, n)
    need = float(np.max(-B / A)) if np.all(A > 0) else None
    assume(need is not None)
    value = max(need, 0.0) * 1.01 + 0.01
    assume(value <= 1e6)
    result = simulate_neuron(value, params, n, model=model, neighbours="always", sum_W=sum_W)
    assert result.spikes.all()
    forms = continuous_firing_closed_forms(model)
    symbols = {model.symbols[k]: v for k, v in params.items()} | {SUM_W: sum_W, I: value}
    steps = np.arange(1, n + 1, dtype=float)

    for unit, form in forms.items():
        f = sp.lambdify(t, form.xreplace(symbols), modules="numpy")
        derived = np.broadcast_to(np.asarray(f(steps), dtype=float), steps.shape)
        np.testing.assert_allclose(result.traces[unit][1:], derived, rtol=1e-9, atol=1e-9)
    # Under continuous firing both semantics coincide (zero initial state).
    if "decay-on-fire" in model.semantics:
        other = simulate_neuron(
            value,
            params,
            n,
            model=model,
            neighbours="always",
            sum_W=sum_W,
            semantics="decay-on-fire",
        )
        for unit in forms:
            # equal in exact arithmetic; the printed sums may add in another order
            np.testing.assert_allclose(other.traces[unit], result.traces[unit], rtol=1e-13)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_below_the_bound_no_lasting_continuous_firing(name, data):
    """Corollary 1 generalised: I below the derived bound never ends in continuous firing."""
    model = MODELS[name]
    params = data.draw(parameters(model))
    sum_W = data.draw(st.floats(0.05, 2.0))
    try:
        bound = bound_value(model, params, sum_W)
    except NdcnpInputError:
        assume(False)
    condition = derive_continuous_firing(model)
    assume(condition.direction == ">")
    low = model.input_parameter.sampling_range[0]
    gap = 0.05 * (abs(bound) + 1.0)
    assume(bound - gap > low)
    value = data.draw(st.floats(low, bound - gap))
    # From rest, continuous firing first fails at step `miss`; run well past it so the
    # state has time to settle (units without decay grow only polynomially).
    A, B = margin_terms(model, params, sum_W, 20_000)
    fails = np.nonzero(A * value + B <= 0)[0]
    assume(fails.size and fails[0] < 1500)
    n = max(300, 3 * int(fails[0]) + 100)
    spikes = simulate_neuron(value, params, n, model=model, neighbours="always", sum_W=sum_W).spikes
    # a miss in the second half, after the first one: a decay near 1 (gamma = 0.998) spaces the
    # misses further apart than a fixed 50-step tail, so the window scales with the run
    assert not spikes[n // 2 :].all()


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_general_closed_forms_equal_a_neuron_with_random_neighbour_spikes(name, data):
    """Theorems 1-2 generalised: the derived X(t) with K(n), P(n) sequences equals the
    simulated neuron fed the same neighbour input (decay semantics)."""
    model = MODELS[name]
    params = data.draw(parameters(model))
    value = data.draw(st.floats(*model.input_parameter.sampling_range))
    n = 12
    K_seq = data.draw(st.lists(st.floats(0.0, 2.0), min_size=n, max_size=n))
    result = simulate_neuron(value, params, n, model=model, neighbours=K_seq)
    spikes = [0, *map(int, result.spikes)]  # P(0) = 0
    # The spec's K at step t is the paper's K(t-1): K(0) = K_seq[0] feeds step 1.
    sequences = {"K": lambda m: K_seq[int(m)], "P": lambda m: spikes[int(m)]}
    symbols = [model.symbols[p] for p in params] + [I]
    for unit, form in general_closed_forms(model).items():
        f = sp.lambdify([t, *symbols], form, modules=[sequences, "math"])
        derived = [f(step, *params.values(), value) for step in range(n + 1)]
        np.testing.assert_allclose(result.traces[unit], derived, rtol=1e-9, atol=1e-9)
