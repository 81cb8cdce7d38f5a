"""Property 1: ndtheory's closed forms (Theorems 1-3) equal the simulated states.

The closed forms are derived by :mod:`ndtheory.closed_forms` from the spec and the
simulators generate their updates from the same spec, so agreement is not built in:
the simulators never see a closed form, and the closed forms never see a simulator.

* General ``K(n)``, ``P(n)`` (Eqs. 8, 10 and T's analogue) hold under the ``decay``
  semantics only; under ``decay-on-fire`` the update is piecewise in ``P`` and ndtheory
  refuses to derive them (tested below), so only the continuous-firing forms apply there.
* Continuous firing (Eq. 12, Eq. 16 as derived) holds under both semantics.

Tolerance: the simulator runs the recurrence in doubles and the closed form sums
powers, so they differ by rounding only, a few ulps per step on values below ~1e4;
``rtol = 1e-9`` over 40 steps is far above that, and far below a modelling error such
as Eq. 16's printed ``U`` (off by ``alpha**(t-1) * sum(W)``, caught below).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import ndimage

from ndtheory import NotDerivableError
from ndtheory.closed_forms import continuous_firing_closed_forms, general_closed_forms
from ndtheory.recurrence import K_SEQ, P_SEQ, affine_update, t
from ndtheory.spec import ND_CNP
from ndtheory.spec import SUM_W as SUM_W_SYMBOL
from ndtheory.spec import I as I_SYMBOL
from ndtheory.testing import (
    PAPER_PARAMS,
    PAPER_SUM_W,
    SEMANTICS,
    kernels,
    model_params,
    spike_trains,
    stimuli,
    supremum_cases,
)
from simulate.grid import simulate_grid
from simulate.neuron import simulate_neuron

PARAMETER_NAMES = ("alpha", "beta", "gamma", "lam")
RTOL = 1e-9
N_STEPS = 40
ABOVE = st.floats(1.0 + 1e-9, 3.0)
"""Factors above 1 by more than the simulator's rounding (< 1e-12 relative over 40 steps)."""
SCIPY_MODE = {"zero": "constant", "reflect": "reflect", "periodic": "wrap"}
"""simulate's border names as scipy.ndimage modes (docs of simulate_grid)."""


@cache
def general_form_functions():
    """Each unit's general closed form as ``f(t, K, P, I, alpha, beta, gamma, lam)``.

    ``K`` and ``P`` are the paper's sequences (index n = 0, 1, ...), passed as arrays.
    """
    K, P = sp.IndexedBase("K_seq"), sp.IndexedBase("P_seq")
    symbols = [ND_CNP.symbols[name] for name in PARAMETER_NAMES]
    out = {}
    for unit, form in general_closed_forms(ND_CNP).items():
        expr = form.replace(K_SEQ, lambda n: K[n]).replace(P_SEQ, lambda n: P[n])
        out[unit] = sp.lambdify([t, K, P, I_SYMBOL, *symbols], expr, modules="math")
    return out


@cache
def continuous_form_functions(semantics: str):
    """The continuous-firing closed forms as ``f(t, I, alpha, beta, gamma, lam, sum_W)``."""
    symbols = [ND_CNP.symbols[name] for name in PARAMETER_NAMES]
    forms = continuous_firing_closed_forms(ND_CNP, semantics)
    return {
        unit: sp.lambdify([t, I_SYMBOL, *symbols, SUM_W_SYMBOL], form, modules="math")
        for unit, form in forms.items()
    }


def general_forms_at(steps, K, P, I, params):  # noqa: E741 - the paper's symbol
    """``{unit: [X(t) for t in steps]}`` from the general closed forms."""
    values = [params[name] for name in PARAMETER_NAMES]
    return {
        unit: np.array([f(int(step), K, P, I, *values) for step in steps])
        for unit, f in general_form_functions().items()
    }


@given(
    params=model_params(),
    I=st.floats(0.0, 10.0),
    weights=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
    data=st.data(),
)
@example(
    params=PAPER_PARAMS,
    I=1.0,
    weights=[0.1, 0.5, 0.5, 0.1],
    data=None,
)
def test_general_forms_equal_a_neuron_with_random_neighbour_spikes(params, I, weights, data):  # noqa: E741
    """Eqs. 8, 10 (and T's sum over P(n)) against the neuron simulator, decay semantics.

    The neighbours' spikes are random; ``K(n) = sum_k w_k P_k(n)`` (paper's index, so
    the simulator's explicit ``K(1..n_steps)`` is ``K(0..n_steps-1)``). The neuron's
    own train ``P(n)`` is whatever the simulation produces (random through I, params).
    """
    if data is None:  # the @example: the paper's W, neighbours firing on alternate steps
        trains = np.tile([[1, 0, 1, 0], [0, 1, 0, 1]], (N_STEPS // 2, 1))
    else:
        trains = data.draw(spike_trains(N_STEPS, len(weights)))
    K = trains.astype(np.float64) @ np.asarray(weights, dtype=np.float64)
    result = simulate_neuron(I, params, N_STEPS, neighbours=K, semantics="decay")
    P = result.traces["P"]
    expected = general_forms_at(range(N_STEPS + 1), K, P, I, params)
    for unit, values in expected.items():
        np.testing.assert_allclose(result.traces[unit], values, rtol=RTOL, atol=1e-12, err_msg=unit)


@given(
    params=model_params(),
    kernel=kernels(max_radius=1),
    border=st.sampled_from(sorted(SCIPY_MODE)),
    data=st.data(),
)
def test_general_forms_equal_every_neuron_of_a_random_grid(params, kernel, border, data):
    """Eqs. 8, 10 for every neuron of a small grid: K(n) rebuilt from the neighbours' spikes.

    ``K_ij(n) = sum_ab W[a, b] P[i + a - r, j + b - c](n)`` (a correlation,
    :func:`simulate.grid.simulate_grid`), computed here with :func:`scipy.ndimage.correlate`
    on the recorded spikes, independently of the simulator's own summation.
    """
    shape = (data.draw(st.integers(2, 5)), data.draw(st.integers(2, 5)))
    stimulus = data.draw(stimuli(shape, 5.0))
    n_steps = 25
    result = simulate_grid(
        stimulus, params, kernel, n_steps, semantics="decay", border=border, record="all"
    )
    spikes = result.traces["P"]
    coupling = np.stack(
        [ndimage.correlate(p, kernel, mode=SCIPY_MODE[border], cval=0.0) for p in spikes]
    )
    for i, j in np.ndindex(*shape):
        expected = general_forms_at(
            range(n_steps + 1), coupling[:, i, j], spikes[:, i, j], stimulus[i, j], params
        )
        for unit, values in expected.items():
            np.testing.assert_allclose(
                result.traces[unit][:, i, j], values, rtol=RTOL, atol=1e-12, err_msg=unit
            )


def test_general_forms_are_refused_under_decay_on_fire():
    """Eqs. 1-3 read literally make each update piecewise in P: no closed form is claimed."""
    update = ND_CNP.update("U", "decay-on-fire")
    with pytest.raises(NotDerivableError):
        affine_update(update, ND_CNP.symbols["U"], [u.symbol for u in ND_CNP.units])


@given(
    semantics=st.sampled_from(SEMANTICS),
    neighbours=st.sampled_from(["always", "uniform"]),
    case=supremum_cases(ABOVE),
)
@example(semantics="decay", neighbours="uniform", case=(PAPER_PARAMS, PAPER_SUM_W, 3.2))
@example(semantics="decay-on-fire", neighbours="always", case=(PAPER_PARAMS, PAPER_SUM_W, 3.2))
def test_continuous_firing_forms_equal_the_simulation(semantics, neighbours, case):
    """Above sup_t I_t (103/33 for the paper) the neuron fires at every step, and its
    states are Eq. 12 / Eq. 16 as derived.

    Both semantics: while the neuron fires at every step they apply the same update.
    """
    params, sum_W, I = case  # noqa: E741 - the paper's symbol
    result = simulate_neuron(
        I, params, N_STEPS, neighbours=neighbours, sum_W=sum_W, semantics=semantics
    )
    assert result.spikes.all()
    functions = continuous_form_functions(semantics)
    values = [params[name] for name in PARAMETER_NAMES]
    for unit, f in functions.items():
        expected = [f(step, I, *values, sum_W) for step in range(1, N_STEPS + 1)]
        np.testing.assert_allclose(
            result.traces[unit][1:], expected, rtol=RTOL, atol=1e-12, err_msg=unit
        )


def test_continuous_firing_forms_catch_eq_16_as_printed():
    """The test above would catch Eq. 16's printed U (with K(0) = sum(W)): 0.8**1 * 1.2 at t=2."""
    f = continuous_form_functions("decay")["U"]
    values = [PAPER_PARAMS[name] for name in PARAMETER_NAMES]
    derived = f(2, 3.2, *values, PAPER_SUM_W)
    printed = (3.2 + PAPER_SUM_W) * (1 - 0.8**2) / (1 - 0.8)
    assert printed - derived == pytest.approx(0.8 * PAPER_SUM_W, rel=1e-12)
    assert abs(printed - derived) > RTOL * abs(derived)
