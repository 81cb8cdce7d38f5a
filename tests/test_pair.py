"""simulate_pair: both systems of a pair, each bit-identical to its reference run."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndtheory.errors import NdcnpInputError
from simulate.grid import simulate_grid
from simulate.pair import simulate_pair

W3 = [[0.1, 0.2, 0.1], [0.2, 0.0, 0.2], [0.1, 0.2, 0.1]]
W35 = [[0.2, 0.0, 0.5, 0.1, 0.3], [0.04, 0.1, 0.3, 0.0, 0.2], [0.1, 0.3, 0.2, 0.0, 0.05]]
PARAMS_A = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
PARAMS_B = {"alpha": 0.6, "beta": 0.3, "gamma": 0.7, "lam": 9.0}


def reference(stimulus, params, W, n_steps, **options):
    return simulate_grid(stimulus, params, W, n_steps, engine="reference", **options).counts


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize("W", [W3, W35])
def test_each_system_equals_its_reference_run(threads, semantics, W):
    rng = np.random.default_rng(3)
    I_a, I_b = rng.uniform(0, 1.5, (2, 23, 17))
    a, b = simulate_pair(I_a, I_b, PARAMS_A, PARAMS_B, W, 40, semantics=semantics, threads=threads)
    ref_a = reference(I_a, PARAMS_A, W, 40, semantics=semantics)
    ref_b = reference(I_b, PARAMS_B, W, 40, semantics=semantics)
    assert len(np.unique(ref_a)) > 5 and len(np.unique(ref_b)) > 5  # the run exercises the model
    np.testing.assert_array_equal(a, ref_a)
    np.testing.assert_array_equal(b, ref_b)


def test_grids_above_the_size_limit_equal_their_reference_runs(monkeypatch):
    import simulate.pair

    monkeypatch.setattr(simulate.pair, "SPECIALISED_MAX_PIXELS", 50)
    rng = np.random.default_rng(5)
    I_a, I_b = rng.uniform(0, 1.5, (2, 9, 12))
    a, b = simulate_pair(I_a, I_b, PARAMS_A, PARAMS_B, W35, 30)
    np.testing.assert_array_equal(a, reference(I_a, PARAMS_A, W35, 30))
    np.testing.assert_array_equal(b, reference(I_b, PARAMS_B, W35, 30))


def test_other_borders_equal_their_reference_runs():
    rng = np.random.default_rng(4)
    I_a, I_b = rng.uniform(0, 1.5, (2, 9, 12))
    a, b = simulate_pair(I_a, I_b, PARAMS_A, PARAMS_B, W35, 30, border="reflect")
    np.testing.assert_array_equal(a, reference(I_a, PARAMS_A, W35, 30, border="reflect"))
    np.testing.assert_array_equal(b, reference(I_b, PARAMS_B, W35, 30, border="reflect"))


unit = st.floats(0.05, 0.95)


@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    scale=st.floats(0.0, 4.0),
    params=st.fixed_dictionaries(
        {"alpha": unit, "beta": unit, "gamma": unit, "lam": st.floats(0.1, 30.0)}
    ),
    W=st.sampled_from([W3, W35]),
    n_steps=st.integers(0, 25),
)
def test_any_pair_equals_the_reference(seed, shape, scale, params, W, n_steps):
    rng = np.random.default_rng(seed)
    I_a, I_b = scale * rng.random((2, *shape))
    a, b = simulate_pair(I_a, I_b, params, PARAMS_B, W, n_steps)
    np.testing.assert_array_equal(a, reference(I_a, params, W, n_steps))
    np.testing.assert_array_equal(b, reference(I_b, PARAMS_B, W, n_steps))


@pytest.mark.parametrize("threads", [0, 3, True, 1.5])
def test_threads_other_than_one_or_two_are_refused(threads):
    with pytest.raises(NdcnpInputError, match="threads must be 1 or 2"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, PARAMS_A, W3, 5, threads=threads)


def test_bad_input_of_either_system_is_refused():
    with pytest.raises(NdcnpInputError, match="alpha"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, {**PARAMS_B, "alpha": 2.0}, W3, 5)
    with pytest.raises(NdcnpInputError, match="stimulus"):
        simulate_pair(np.ones((3, 3)), -np.ones((3, 3)), PARAMS_A, PARAMS_B, W3, 5)


def test_coupling_is_summed_in_row_major_order_from_zero():
    # The reference adds w*P over the non-zero weights in row-major order, starting
    # at 0.0; floating-point addition is not associative, so the order is part of
    # bit-identity. Written out by hand:
    from ndtheory.spec import ND_CNP
    from simulate._pair_kernel import pair_kernel_source
    from simulate.codegen import print_model

    W = np.array([[0.0, 0.5, 0.0], [0.25, 0.0, 0.125], [0.0, 0.0, 1.0]])
    source = pair_kernel_source(print_model(ND_CNP, "decay"), W)
    expected = (
        "K = 0.0 + 0.5 * _R0[_j + 1] + 0.25 * _R1[_j + 0] + 0.125 * _R1[_j + 2] + 1.0 * _R2[_j + 2]"
    )
    assert expected in source
