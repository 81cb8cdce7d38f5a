"""Long single-neuron runs stay linear in steps and give the NumPy reference's values (#16)."""

from __future__ import annotations

import numpy as np
import pytest

from ndtheory.spec import MODELS
from simulate.analysis import _z_function, classify
from simulate.neuron import run_batch, simulate_neuron


def _classify_by_definition(train: list[int], min_repeats: int, min_tail: int):
    """(transient, period) straight from the definition: for each period, the first t from
    which s[u] == s[u + p] for every later u; the shortest transient wins, then the shortest
    period. Cubic, so only for short trains."""
    n = len(train)
    best = None
    for period in range(1, n // min_repeats + 1):
        transient = next(
            tau
            for tau in range(n + 1)
            if all(train[u] == train[u + period] for u in range(tau, n - period))
        )
        if n - transient >= max(min_repeats * period, min_tail):
            if best is None or transient < best[0]:
                best = (transient, period)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_classify_agrees_with_the_definition(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    period = int(rng.integers(1, 7))
    head = rng.integers(0, 2, int(rng.integers(0, n + 1))).tolist()
    cycle = rng.integers(0, 2, period).tolist()
    train = (head + cycle * (n // period + 1))[:n] if seed % 3 else rng.integers(0, 2, n).tolist()
    for min_repeats, min_tail in ((1, 0), (2, 5), (3, 10)):
        found = classify(train, min_repeats=min_repeats, min_tail=min_tail)
        expected = _classify_by_definition(train, min_repeats, min_tail)
        if expected is None:
            assert found.regime == "irregular"
        else:
            assert (found.transient, found.period) == expected


def test_z_function_by_hand():
    # "aabxaab": z[1] = 1 ("a"), z[4] = 3 ("aab"), z[5] = 1, z[6] = 0; z[7] = 0 is the sentinel.
    assert _z_function(b"aabxaab") == [7, 1, 0, 0, 3, 1, 0, 0]


def test_a_long_train_ends_in_the_pattern_it_was_built_from():
    # 7 irregular steps, then "10110" for a million steps: quadratic code takes minutes here.
    train = [1, 1, 1, 0, 0, 0, 1] + [1, 0, 1, 1, 0] * 200_000
    pattern = classify(train)
    assert (pattern.regime, pattern.transient, pattern.pattern) == ("periodic", 7, "10110")


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize("neighbours", ["none", "always", "uniform", "explicit"])
def test_one_neuron_on_floats_equals_the_numpy_batch_bit_for_bit(model, semantics, neighbours):
    spec = MODELS[model]
    rng = np.random.default_rng(len(model) + len(semantics) + len(neighbours))
    params = {}
    for p in spec.parameters:
        low = p.low if np.isfinite(p.low) else 0.0
        high = p.high if np.isfinite(p.high) else low + 20.0
        params[p.name] = float(rng.uniform(low, high))
    if neighbours == "explicit":
        options = {"neighbours": list(rng.uniform(0, 2, 200))}
    else:
        options = {"neighbours": neighbours, "sum_W": None if neighbours == "none" else 1.2}
    I = float(rng.uniform(0, 3))  # noqa: E741 - the paper's symbol
    try:
        one = simulate_neuron(I, params, 200, semantics=semantics, model=spec, **options)
    except ValueError as error:  # a model without this semantics
        pytest.skip(str(error))
    batch = run_batch(np.array([I]), params, 200, semantics=semantics, model=spec, **options)
    for name, trace in one.traces.items():
        np.testing.assert_array_equal(trace, batch.traces[name][:, 0], err_msg=name)
