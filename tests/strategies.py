"""Hypothesis strategies for valid ND-CNP parameter sets, kernels, inputs and firing histories.

Ranges are bounded so that float rounding stays far below the effects under test:
decays in [0.05, 0.95] keep every horizon derived from ``max(alpha, beta, gamma)**m``
short (m <= ~700 for a 1e-16 factor), ``lam`` and ``sum(W)`` stay within three
orders of magnitude of each other, and no state exceeds ~1e4.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ndtheory import continuous_firing_bound, finite_horizon_supremum

SEMANTICS = ("decay", "decay-on-fire")
DECAY = st.floats(0.05, 0.95)
"""alpha, beta or gamma: a multiplier in (0, 1) (Eq. 7), away from both ends."""
LAM = st.floats(0.1, 100.0)
"""Threshold weight lambda > 0."""
SUM_W = st.floats(0.0, 5.0)
"""sum(W) >= 0 (0 is a neuron without coupling)."""
WEIGHT = st.floats(0.0, 1.0)
"""One non-negative coupling weight."""
PAPER_PARAMS = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
"""The paper's example (Eq. 18): with sum(W) = 1.2 the bound is exactly 6/5."""
PAPER_SUM_W = 1.2


def model_params() -> st.SearchStrategy[dict[str, float]]:
    """``{"alpha", "beta", "gamma", "lam"}`` inside their declared ranges."""
    return st.fixed_dictionaries({"alpha": DECAY, "beta": DECAY, "gamma": DECAY, "lam": LAM})


def bound_of(params: dict[str, float], sum_W: float) -> float:
    """Theorem 4's bound (Eq. 17) for ``params`` and ``sum(W)``."""
    return continuous_firing_bound(**params, sum_W=sum_W)


@st.composite
def bound_cases(draw, factor: st.SearchStrategy[float], min_bound: float = 0.01):
    """``(params, sum_W, I)`` with ``I = factor * bound`` and a bound of at least ``min_bound``.

    A bound at or below 0 has no input below it, and a tiny one makes ``I``
    indistinguishable from rounding noise, so both are filtered out.
    """
    params, sum_W = draw(
        st.tuples(model_params(), SUM_W).filter(lambda c: bound_of(*c) >= min_bound)
    )
    return params, sum_W, draw(factor) * bound_of(params, sum_W)


@st.composite
def supremum_cases(draw, factor: st.SearchStrategy[float]):
    """``(params, sum_W, I)`` with ``I = factor * sup_t I_t`` (the finite-horizon supremum)."""
    params, sum_W = draw(
        st.tuples(model_params(), SUM_W).filter(
            lambda c: finite_horizon_supremum(**c[0], sum_W=c[1]).supremum >= 0.01
        )
    )
    supremum = finite_horizon_supremum(**params, sum_W=sum_W).supremum
    return params, sum_W, draw(factor) * supremum


def kernels(max_radius: int = 2, zero_centre: bool = True) -> st.SearchStrategy[np.ndarray]:
    """Non-negative coupling kernels with odd sides up to ``2*max_radius + 1``.

    ``zero_centre`` gives the paper's model (K sums over *neighbours*, Eq. 1).
    """

    @st.composite
    def draw_kernel(draw):
        rows = 2 * draw(st.integers(0, max_radius)) + 1
        cols = 2 * draw(st.integers(0, max_radius)) + 1
        kernel = draw(hnp.arrays(np.float64, (rows, cols), elements=WEIGHT))
        if zero_centre:
            kernel[rows // 2, cols // 2] = 0.0
        return kernel

    return draw_kernel()


def spike_trains(n_steps: int, n_neighbours: int) -> st.SearchStrategy[np.ndarray]:
    """``(n_steps, n_neighbours)`` 0/1 arrays: the neighbours' spikes ``P_kl(n)``, n = 0.."""
    return hnp.arrays(np.int8, (n_steps, n_neighbours), elements=st.integers(0, 1))


def stimuli(shape: tuple[int, int], high: float) -> st.SearchStrategy[np.ndarray]:
    """Stimulus images with values in ``[0, high]``."""
    return hnp.arrays(np.float64, shape, elements=st.floats(0.0, high))
