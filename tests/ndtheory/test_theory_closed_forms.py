"""Third check of every closed form: exact iteration of the spec's updates.

Each form is compared with the spec's own update, iterated in exact rational
arithmetic, on 200 seeded parameter sets (plus random coupling and spike trains for
the general forms).
"""

import random
from fractions import Fraction

import pytest
import sympy as sp

from ndtheory.closed_forms import continuous_firing_closed_forms, general_closed_forms
from ndtheory.recurrence import K_SEQ, P_SEQ, exact_lambdify, iterate, t
from ndtheory.spec import ND_CNP, SUM_W, I, K, P

N_SETS = 200
HORIZON = 8
PARAMS = [ND_CNP.symbols[n] for n in ("alpha", "beta", "gamma", "lam")]


def _fraction(rng: random.Random, low: int, high: int, den: int = 97) -> Fraction:
    return Fraction(rng.randint(low, high), den)


def _unit_interval(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(1, 96), 97)


def _sample(rng: random.Random) -> dict:
    values = {p: _unit_interval(rng) for p in PARAMS[:3]}
    values[PARAMS[3]] = _fraction(rng, 1, 2000)
    values[I] = _fraction(rng, 0, 500)
    values[SUM_W] = _fraction(rng, 0, 300)
    return values


def _general_at(unit: str):
    """The general closed form at t = 1..HORIZON as exact functions of params, K(n), P(n)."""
    ks = sp.symbols(f"k0:{HORIZON}")
    ps = sp.symbols(f"p0:{HORIZON}")
    closed = general_closed_forms(ND_CNP)[unit]
    functions = []
    for step in range(1, HORIZON + 1):
        expr = closed.subs(t, step).doit()
        expr = expr.xreplace({K_SEQ(j): ks[j] for j in range(HORIZON)})
        expr = expr.xreplace({P_SEQ(j): ps[j] for j in range(HORIZON)})
        functions.append(exact_lambdify([*PARAMS, I, *ks, *ps], expr))
    return functions


@pytest.mark.parametrize("unit", ["U", "V", "T"])
def test_general_form_equals_exact_iteration(unit):
    rng = random.Random(f"general-{unit}")
    functions = _general_at(unit)
    update = ND_CNP.update(unit, "decay")
    symbol = ND_CNP.symbols[unit]
    for _ in range(N_SETS):
        values = _sample(rng)
        ks = [_fraction(rng, 0, 200) for _ in range(HORIZON)]
        ps = [Fraction(rng.randint(0, 1)) for _ in range(HORIZON)]
        # spec K at step j is the paper's K(j - 1); spec P at step j is P(j - 1)
        steps = [{**values, K: ks[j], P: ps[j]} for j in range(HORIZON)]
        expected = iterate(update, symbol, Fraction(0), steps)
        args = [values[p] for p in PARAMS] + [values[I], *ks, *ps]
        for step in range(1, HORIZON + 1):
            assert functions[step - 1](*args) == expected[step], (unit, step, values)


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize("unit", ["U", "V", "T"])
def test_continuous_firing_form_equals_exact_iteration(unit, semantics):
    rng = random.Random(f"firing-{unit}-{semantics}")
    closed = continuous_firing_closed_forms(ND_CNP, semantics)[unit]
    function = exact_lambdify([t, *PARAMS, I, SUM_W], closed)
    update = ND_CNP.update(unit, semantics)
    symbol = ND_CNP.symbols[unit]
    for _ in range(N_SETS):
        values = _sample(rng)
        # the neuron and its neighbours fire from step 1 on: K(0) = 0, P(0) = 0
        steps = [{**values, K: Fraction(0), P: Fraction(0)}]
        steps += [{**values, K: values[SUM_W], P: Fraction(1)}] * (HORIZON + 2)
        expected = iterate(update, symbol, Fraction(0), steps)
        args = [values[p] for p in PARAMS] + [values[I], values[SUM_W]]
        for step in range(1, len(steps) + 1):
            assert function(step, *args) == expected[step], (unit, step, values)


def test_continuous_firing_forms_match_the_hand_derivation():
    """Hand: U(t) = I(1-a^t)/(1-a) + s(1-a^(t-1))/(1-a), V, T likewise with t-1."""
    a, b, g, lam = PARAMS
    s = SUM_W
    hand = {
        "U": I * (1 - a**t) / (1 - a) + s * (1 - a ** (t - 1)) / (1 - a),
        "V": s * (1 - b ** (t - 1)) / (1 - b),
        "T": lam * (1 - g ** (t - 1)) / (1 - g),
    }
    forms = continuous_firing_closed_forms(ND_CNP)
    for unit, expr in hand.items():
        assert sp.simplify(forms[unit] - expr) == 0
