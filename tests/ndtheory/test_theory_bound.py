"""Theorem 4's bound, the solver, and the finite-horizon threshold, against hand values."""

import math
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from ndtheory.bound import (
    bound_expr,
    continuous_firing_bound,
    finite_horizon_supremum,
    finite_horizon_thresholds,
    solve_for,
    threshold_expr,
)
from ndtheory.errors import NdcnpInputError
from ndtheory.recurrence import exact_lambdify, t
from ndtheory.spec import ND_CNP, SUM_W, I

alpha, beta, gamma, lam = (ND_CNP.symbols[n] for n in ("alpha", "beta", "gamma", "lam"))
PAPER = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0, "sum_W": 1.2}
PAPER_EXACT = {alpha: F(4, 5), beta: F(1, 5), gamma: F(1, 2), lam: F(15), SUM_W: F(6, 5)}


def hand_bound(a, b, g, lam_, s):
    """Eq. 17 by hand: (I+s)/(1-a) * (1 + s/(1-b)) = lam/(1-g), solved for I."""
    return lam_ * (1 - a) * (1 - b) / ((1 - g) * (1 - b + s)) - s


def hand_threshold(a, b, g, lam_, s, step):
    """I_t by hand: U = I(1-a^t)/(1-a) + s(1-a^(t-1))/(1-a) with K(0) = 0."""
    v = s * (1 - b ** (step - 1)) / (1 - b)
    tt = lam_ * (1 - g ** (step - 1)) / (1 - g)
    return (tt / (1 + v) - s * (1 - a ** (step - 1)) / (1 - a)) / ((1 - a**step) / (1 - a))


def test_paper_example_is_exactly_six_fifths():
    value = bound_expr(ND_CNP).subs({k: sp.Rational(v) for k, v in PAPER_EXACT.items()})
    assert value == sp.Rational(6, 5)
    assert hand_bound(F(4, 5), F(1, 5), F(1, 2), F(15), F(6, 5)) == F(6, 5)
    assert continuous_firing_bound(**PAPER) == pytest.approx(1.2, rel=1e-14)


def test_derived_bound_is_the_hand_limit():
    assert sp.simplify(bound_expr(ND_CNP) - hand_bound(alpha, beta, gamma, lam, SUM_W)) == 0


def test_threshold_expression_is_the_hand_threshold():
    hand = hand_threshold(alpha, beta, gamma, lam, SUM_W, t)
    assert sp.simplify(threshold_expr(ND_CNP) - hand) == 0
    assert not threshold_expr(ND_CNP).has(I)


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        # hand: lam = (I+s)(1-g)(1-b+s)/((1-a)(1-b)) = 3 * 1/2 * 3/2 / (1/4) = 9
        ("lam", {"I": 2, "alpha": 0.5, "beta": 0.5, "gamma": 0.5, "sum_W": 1}, 9.0),
        # hand: s^2 + (I + 1 - b)s + I(1-b) - lam(1-a)(1-b)/(1-g) = s^2 + 2.5s - 3.5 = 0
        ("sum_W", {"I": 2, "alpha": 0.5, "beta": 0.5, "gamma": 0.5, "lam": 9}, 1.0),
        # hand: 1-b = (I+s)s(1-g)/(lam(1-a) - (I+s)(1-g)) = 1.5/3
        ("beta", {"I": 2, "alpha": 0.5, "gamma": 0.5, "lam": 9, "sum_W": 1}, 0.5),
        # hand: 1-a = (I+s)(1-g)(1-b+s)/(lam(1-b)) = 2.25/4.5
        ("alpha", {"I": 2, "beta": 0.5, "gamma": 0.5, "lam": 9, "sum_W": 1}, 0.5),
        # hand: 1-g = lam(1-a)(1-b)/((I+s)(1-b+s)) = 2.25/4.5
        ("gamma", {"I": 2, "alpha": 0.5, "beta": 0.5, "lam": 9, "sum_W": 1}, 0.5),
        ("I", {"alpha": 0.5, "beta": 0.5, "gamma": 0.5, "lam": 9, "sum_W": 1}, 2.0),
        ("lam", {"I": 1.2, "alpha": 0.8, "beta": 0.2, "gamma": 0.5, "sum_W": 1.2}, 15.0),
        # hand: s^2 + 2.2 s + 0.96 - 2.4/0.5... with I = 1.2: roots 1.2 and -3.4
        ("sum_W", {"I": 1.2, "alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15}, 1.2),
    ],
)
def test_solver_matches_hand_values(name, known, expected):
    assert solve_for(name, **known) == pytest.approx(expected, rel=1e-12)


finite_unit = st.fractions(F(1, 50), F(49, 50), max_denominator=50)


@st.composite
def parameter_sets(draw):
    return {
        "alpha": draw(finite_unit),
        "beta": draw(finite_unit),
        "gamma": draw(finite_unit),
        "lam": draw(st.fractions(F(1, 10), F(100), max_denominator=20)),
        "sum_W": draw(st.fractions(F(0), F(5), max_denominator=20)),
    }


@given(parameter_sets(), st.sampled_from(["alpha", "beta", "gamma", "lam", "sum_W", "I"]))
@example(
    {"alpha": F(4, 5), "beta": F(1, 5), "gamma": F(1, 2), "lam": F(15), "sum_W": F(6, 5)},
    "lam",
)
def test_solver_round_trips_on_the_exact_bound(params, name):
    exact = hand_bound(*(params[n] for n in ("alpha", "beta", "gamma", "lam", "sum_W")))
    if exact < 0:
        # a negative bound is no input: the solver must say so, not invent a value
        with pytest.raises(NdcnpInputError):
            solve_for(name, I=float(exact), **{k: float(v) for k, v in params.items() if k != name})
        return
    values = {k: float(v) for k, v in params.items()}
    values["I"] = float(exact)
    target = values.pop(name)
    if name == "beta" and params["sum_W"] == 0:
        # hand: with sum(W) = 0 the bound is lam(1-a)/(1-g), free of beta
        with pytest.raises(NdcnpInputError, match="does not depend on beta"):
            solve_for(name, **values)
        return
    assert solve_for(name, **values) == pytest.approx(target, rel=1e-7, abs=1e-9)


def test_solver_errors_are_one_sentence():
    with pytest.raises(NdcnpInputError, match=r"^no alpha in \(0, 1\) puts the bound"):
        solve_for("alpha", I=100, beta=0.2, gamma=0.5, lam=15, sum_W=1.2)
    with pytest.raises(NdcnpInputError, match="parameter must be one of"):
        solve_for("delta", I=1, alpha=0.5, beta=0.5, gamma=0.5, sum_W=1)
    with pytest.raises(NdcnpInputError, match="needs lam"):
        solve_for("alpha", I=1, beta=0.5, gamma=0.5, sum_W=1)
    with pytest.raises(NdcnpInputError, match=r"gamma must be in \(0, 1\); got 1"):
        continuous_firing_bound(alpha=0.5, beta=0.5, gamma=1.0, lam=1, sum_W=1)
    with pytest.raises(NdcnpInputError, match="sum_W must be in"):
        continuous_firing_bound(alpha=0.5, beta=0.5, gamma=0.5, lam=1, sum_W=-1)


def test_paper_supremum_is_103_over_33_at_step_2():
    """Hand: U(2) = 9I/5 + 6/5, V(2) = 6/5, T(2) = 15; (9I/5 + 6/5)(11/5) > 15 <=> I > 103/33."""
    exact = exact_lambdify([t, alpha, beta, gamma, lam, SUM_W], threshold_expr(ND_CNP))
    values = [exact(k, *PAPER_EXACT.values()) for k in range(1, 80)]
    assert values[0] == 0
    assert values[1] == F(103, 33) == max(values)
    assert all(v > F(6, 5) for v in values[1:])  # every I_t, t >= 2, is above the limit
    result = finite_horizon_supremum(**PAPER)
    assert result.step == 2
    assert result.supremum == pytest.approx(103 / 33, rel=1e-14)
    assert result.limit == pytest.approx(1.2, rel=1e-14)
    floats = finite_horizon_thresholds(**PAPER, n_steps=79)
    assert floats == pytest.approx([float(v) for v in values], rel=1e-12, abs=1e-15)


def _fires_from_rest(params, input_, n_steps):
    """Hand loop of Eqs. 1-3 with Eq. 7 (decay), exact, for a neuron whose neighbours always fire.

    Neighbour spikes are those of the continuous-firing scenario: K(0) = 0, then sum(W).
    """
    a, b, g, lam_, s = (params[k] for k in (alpha, beta, gamma, lam, SUM_W))
    u = v = th = F(0)
    p = 0
    spikes = []
    for step in range(1, n_steps + 1):
        k = 0 if step == 1 else s
        u, v, th = a * u + input_ + k, b * v + k, g * th + lam_ * p
        p = int(u * (1 + v) > th)
        spikes.append(p)
    return spikes


def test_theorem_4_is_not_sufficient_on_the_paper_example():
    """I = 2 > 6/5 but < 103/33: the neuron fires at step 1 and not at step 2."""
    assert _fires_from_rest(PAPER_EXACT, F(2), 2) == [1, 0]
    assert _fires_from_rest(PAPER_EXACT, F(104, 33), 60) == [1] * 60


def test_input_on_the_bound_can_fire_at_every_step():
    """Corollary 1 fails at equality: alpha = beta = 1/10, gamma = 9/10, lam = sum(W) = 1.

    At I = B the margin is m(t) = lam g^(t-1)/(1-g) - (1+V_oo)(I a + s) a^(t-1)/(1-a)
    - U_oo s b^(t-1)/(1-b) + (positive product); divided by g^(t-1), the negative
    terms shrink with t, so once m(t)/g^(t-1) exceeds them at t0 it stays positive.
    """
    params = {alpha: F(1, 10), beta: F(1, 10), gamma: F(9, 10), lam: F(1), SUM_W: F(1)}
    a, b, g, lam_, s = params.values()
    bound = hand_bound(a, b, g, lam_, s)
    assert bound == F(62, 19)
    u_oo, v_oo = (bound + s) / (1 - a), s / (1 - b)
    c_a, c_b = (1 + v_oo) * (bound * a + s) / (1 - a), u_oo * s / (1 - b)
    t0 = next(
        k
        for k in range(1, 200)
        if lam_ / (1 - g) > c_a * (a / g) ** (k - 1) + c_b * (b / g) ** (k - 1)
    )
    assert _fires_from_rest(params, bound, t0 + 5) == [1] * (t0 + 5)
    result = finite_horizon_supremum(*(float(v) for v in params.values()))
    assert result.step is None
    assert result.supremum == pytest.approx(float(bound), rel=1e-14)


def test_thresholds_reject_bad_horizon():
    with pytest.raises(NdcnpInputError, match="n_steps must be an integer >= 1; got 0"):
        finite_horizon_thresholds(**PAPER, n_steps=0)
    assert math.isfinite(finite_horizon_supremum(0.999, 0.5, 0.5, 1, 1).supremum)


@given(
    parameter_sets(),
    st.fractions(F(0), F(20), max_denominator=20),
)
def test_first_missed_step_from_rest_is_the_first_t_with_input_at_most_i_t(params, input_):
    """Exact simulation vs the closed-form threshold: step t fires iff I > I_t."""
    exact = exact_lambdify([t, alpha, beta, gamma, lam, SUM_W], threshold_expr(ND_CNP))
    symbols = {"alpha": alpha, "beta": beta, "gamma": gamma, "lam": lam, "sum_W": SUM_W}
    by_symbol = {symbols[k]: v for k, v in params.items()}
    horizon = 12
    spikes = _fires_from_rest(by_symbol, input_, horizon)
    thresholds = [exact(k, *by_symbol.values()) for k in range(1, horizon + 1)]
    first_miss = next((k for k, p in enumerate(spikes, 1) if not p), None)
    predicted = next((k for k, v in enumerate(thresholds, 1) if input_ <= v), None)
    assert first_miss == predicted
