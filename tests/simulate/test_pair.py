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


@pytest.mark.parametrize("threads", [1, 2, 3])
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


@pytest.mark.parametrize("cache_bytes", [1, 10**9])
def test_ring_and_block_schedules_equal_the_reference(monkeypatch, cache_bytes):
    # A tiny cache budget runs one block over all steps with the units in a ring of
    # rows; a huge one runs the whole grid as one block too. Both must be exact.
    import simulate.grid

    monkeypatch.setattr(simulate.grid, "CACHE_BYTES", cache_bytes)
    rng = np.random.default_rng(5)
    I_a, I_b = rng.uniform(0, 1.5, (2, 40, 12))
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


@pytest.mark.parametrize("threads", [0, -1, True, 1.5])
def test_threads_other_than_a_positive_integer_are_refused(threads):
    with pytest.raises(NdcnpInputError, match="threads must be a positive integer"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, PARAMS_A, W3, 5, threads=threads)


def test_bad_input_of_either_system_is_refused():
    with pytest.raises(NdcnpInputError, match="alpha"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, {**PARAMS_B, "alpha": 2.0}, W3, 5)
    with pytest.raises(NdcnpInputError, match="stimulus"):
        simulate_pair(np.ones((3, 3)), -np.ones((3, 3)), PARAMS_A, PARAMS_B, W3, 5)


def test_coupling_is_summed_in_row_major_order_from_zero():
    # The reference adds w*P over the non-zero weights in row-major order, starting
    # at 0.0; floating-point addition is not associative, so the order is part of
    # bit-identity. A W that is not read through row patterns is summed into a row
    # buffer weight by weight, in the order of the arrays the kernel is given:
    from ndtheory.spec import ND_CNP
    from simulate import _kernel
    from simulate.codegen import print_model

    W = np.array([[0.0, 0.5, 0.0], [0.25, 0.0, 0.125], [0.0, 0.0, 1.0]])
    table, rows, cols, weights = _kernel.coupling_data(np.pad(W, 1))  # 5x5: no row patterns
    assert table.size == 1
    assert list(zip(rows, cols, strict=True)) == [(1, 2), (2, 1), (2, 3), (3, 3)]
    assert weights.tolist() == [0.5, 0.25, 0.125, 1.0]
    source = _kernel.kernel_source(print_model(ND_CNP, "decay"), None)
    assert "_K_row[_j] = _K_row[_j] + _w * _P_old1[_o + _j]" in source
    # Run it: three neighbours that all fire give (0.1 + 0.2) + 0.3 = 0.6000000000000001
    # in IEEE doubles, where 0.1 + (0.2 + 0.3) would be 0.6.
    kernel = _kernel.grid_kernel(print_model(ND_CNP, "decay"), (5, 5))
    coupling_row = kernel.py_func.__globals__["_coupling_row"]
    spikes, K = np.ones(12, dtype=np.uint8), np.full(4, np.nan)
    offsets = np.array([0, 0, 4, 8], dtype=np.uint64)  # [0] is the neuron's own spike
    coupling_row(spikes, K, np.array([0.1, 0.2, 0.3]), offsets, 4)
    assert K.tolist() == [0.6000000000000001] * 4
    spikes[4:8] = 0  # the 0.2 neighbours are silent: 0.1 + 0.3 = 0.4
    coupling_row(spikes, K, np.array([0.1, 0.2, 0.3]), offsets, 4)
    assert K.tolist() == [0.4] * 4


def test_coupling_table_adds_in_row_major_order_from_zero():
    # A W read through row patterns looks K up in a table whose entries must be the
    # reference's left-to-right sums. (0.1 + 0.2) + 0.3 is 0.6000000000000001 in
    # IEEE doubles, 0.1 + (0.2 + 0.3) is 0.6.
    from simulate import _kernel
    from simulate._step import coupling_table

    table = coupling_table([0.1, 0.2, 0.3], [0, 1, 2], 3)
    assert table.tolist() == [0.0, 0.1, 0.2, 0.30000000000000004, 0.3, 0.4, 0.5, 0.6000000000000001]
    assert _kernel.coupling_data(np.array([[0.1, 0.2, 0.3]]))[0].tolist() == table.tolist()


def test_row_pattern_table_puts_each_weight_at_its_window_bit():
    # A 3x3 W reads three row patterns: bit 3a + c of the index is the spike at
    # window row a, column c. The table keeps the reference's order of the
    # non-zero weights: (0, 1), (1, 0), (1, 2), (2, 2) are bits 1, 3, 5, 8.
    from ndtheory.spec import ND_CNP
    from simulate import _kernel
    from simulate.codegen import print_model

    W = np.array([[0.0, 0.5, 0.0], [0.25, 0.0, 0.125], [0.0, 0.0, 1.0]])
    table = _kernel.coupling_data(W)[0]
    assert len(table) == 512
    assert table[2 | 8 | 32 | 256] == ((0.5 + 0.25) + 0.125) + 1.0
    assert table[8 | 256] == 1.25 and table[32] == 0.125
    # Bits of zero weights (the centre, the corners but one) add nothing.
    assert table[1 | 4 | 16 | 64] == 0.0 and table[511] == table[2 | 8 | 32 | 256]
    source = _kernel.kernel_source(print_model(ND_CNP, "decay"), (3, 3))
    index = " | ".join(
        f"(_np.uint32(_S_old1[_o{a} + _j]) << _np.uint32({3 * a}))" for a in range(3)
    )
    assert f"_m = {index}" in source and "K = _table[_m]" in source
    assert "P = (_m >> _np.uint32(4)) & _np.uint32(1)" in source
