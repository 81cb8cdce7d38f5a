"""simulate_pair: both systems of a pair, each equal to its reference run."""

import numpy as np
import pytest

from ndtheory.errors import NdcnpInputError
from simulate.grid import simulate_grid
from simulate.pair import simulate_pair

W = [[0.1, 0.2, 0.1], [0.2, 0.0, 0.2], [0.1, 0.2, 0.1]]
PARAMS_A = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
PARAMS_B = {"alpha": 0.6, "beta": 0.3, "gamma": 0.7, "lam": 9.0}


@pytest.mark.parametrize("threads", [1, 2])
def test_each_system_equals_its_reference_run(threads):
    rng = np.random.default_rng(3)
    I_a, I_b = rng.uniform(0, 1.5, (2, 23, 17))
    a, b = simulate_pair(I_a, I_b, PARAMS_A, PARAMS_B, W, 40, threads=threads)
    ref_a = simulate_grid(I_a, PARAMS_A, W, 40, engine="reference").counts
    ref_b = simulate_grid(I_b, PARAMS_B, W, 40, engine="reference").counts
    assert len(np.unique(ref_a)) > 5  # the run exercises the model
    np.testing.assert_array_equal(a, ref_a)
    np.testing.assert_array_equal(b, ref_b)


@pytest.mark.parametrize("threads", [0, 3, True, 1.5])
def test_threads_other_than_one_or_two_are_refused(threads):
    with pytest.raises(NdcnpInputError, match="threads must be 1 or 2"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, PARAMS_A, W, 5, threads=threads)


def test_bad_input_of_either_system_is_refused():
    with pytest.raises(NdcnpInputError, match="alpha"):
        simulate_pair(np.ones((3, 3)), np.ones((3, 3)), PARAMS_A, {**PARAMS_B, "alpha": 2.0}, W, 5)
