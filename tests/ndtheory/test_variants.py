"""The three shipped variants: declarations, derived bounds against hand derivations,
and the named reasons when a declaration has no closed form or no bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from ndtheory.bound import bound_expr
from ndtheory.closed_forms import continuous_firing_closed_forms
from ndtheory.continuous_firing import bound_value, derive_continuous_firing
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.recurrence import t
from ndtheory.spec import MODELS, ND_CNP, SUM_W, I, K, NeuronModel, P, Parameter, Unit
from ndtheory.variants import CNP_CLASSIC, DTNP, PCNN
from simulate.neuron import simulate_neuron

S = SUM_W


def test_variants_are_registered_with_sources():
    assert {"nd-cnp", "cnp-classic", "dtnp", "pcnn"} <= set(MODELS)
    for model in (CNP_CLASSIC, DTNP, PCNN):
        assert model.source
        assert MODELS[model.name] is model


def test_classic_cnp_is_eqs_1_to_3_read_literally():
    U, V, T = (CNP_CLASSIC.symbols[n] for n in "UVT")
    u, v, tau, lam = (CNP_CLASSIC.symbols[n] for n in ("u", "v", "tau", "lam"))
    for semantics in ("decay", "decay-on-fire"):
        up = CNP_CLASSIC.updates(semantics)
        fired = {k: sp.piecewise_fold(e.subs(P, 1)).doit() for k, e in up.items()}
        silent = {k: sp.piecewise_fold(e.subs(P, 0)).doit() for k, e in up.items()}
        assert sp.expand(fired["U"] - (U - u + I + K)) == 0
        assert sp.expand(silent["U"] - (U + I + K)) == 0
        assert sp.expand(fired["V"] - (V - v + K)) == 0
        assert sp.expand(fired["T"] - (T - tau + lam)) == 0
        assert sp.expand(silent["T"] - T) == 0


def test_classic_cnp_bound_by_hand():
    # By hand: U(t) = I + (t-1)(I + S - u), V = (t-1)(S - v), T = (t-1)(lam - tau);
    # A(t) = t(1 + (t-1)(S-v)) ~ (S-v) t^2, B(t) ~ (S-u)(S-v) t^2, so I_t -> u - S where S > v.
    forms = continuous_firing_closed_forms(CNP_CLASSIC)
    u, v, tau, lam = (CNP_CLASSIC.symbols[n] for n in ("u", "v", "tau", "lam"))
    assert sp.expand(forms["U"] - (I + (t - 1) * (I + S - u))) == 0
    assert sp.expand(forms["V"] - (t - 1) * (S - v)) == 0
    assert sp.expand(forms["T"] - (t - 1) * (lam - tau)) == 0
    condition = derive_continuous_firing(CNP_CLASSIC)
    assert sp.expand(condition.bound - (u - S)) == 0
    assert condition.growth == "polynomial of degree 2"
    assert condition.conditions == (sp.StrictGreaterThan(S - v, 0),)
    # When S = v the t^2 terms vanish: A = t, B = (t-1)(S - u - lam + tau).
    level = derive_continuous_firing(CNP_CLASSIC, {"v": S})
    assert sp.expand(level.bound - (u + lam - tau - S)) == 0 and not level.conditions
    with pytest.raises(NdcnpInputError, match="needs sum_W - v > 0"):
        bound_value(CNP_CLASSIC, {"u": 1.0, "v": 2.0, "tau": 0.5, "lam": 2.0}, 1.0)


def test_dtnp_bound_by_hand():
    # u -> (I + S)/(1 - f), theta -> h/(1 - g): I > h(1 - f)/(1 - g) - S.
    f, g, h = (DTNP.symbols[n] for n in "fgh")
    condition = derive_continuous_firing(DTNP)
    assert sp.simplify(condition.bound - (h * (1 - f) / (1 - g) - S)) == 0
    assert condition.direction == ">" and not condition.conditions


def test_pcnn_bound_by_hand():
    # F -> (I + V_F S)/(1 - e^-aF), L -> V_L S/(1 - e^-aL), Theta -> V_E/(1 - e^-aE).
    names = ("alpha_F", "alpha_L", "alpha_E", "V_F", "V_L", "V_E", "beta")
    aF, aL, aE, VF, VL, VE, b = (PCNN.symbols[n] for n in names)
    F_rate, L_rate, E_rate = (1 - sp.exp(-a) for a in (aF, aL, aE))
    hand = F_rate * VE / (E_rate * (1 + b * VL * S / L_rate)) - VF * S
    condition = derive_continuous_firing(PCNN)
    assert sp.simplify(condition.bound - hand) == 0
    assert condition.direction == ">" and not condition.conditions
    params = {"alpha_F": 0.1, "alpha_L": 1.0, "alpha_E": 0.5, "V_F": 0.1, "V_L": 0.5}
    params |= {"V_E": 10.0, "beta": 0.5}
    by_hand = (1 - math.exp(-0.1)) * 10 / ((1 - math.exp(-0.5)) * (1 + 0.25 / (1 - math.exp(-1))))
    assert bound_value(PCNN, params, 1.0) == pytest.approx(by_hand - 0.1, rel=1e-12)


def test_nd_cnp_generic_derivation_is_theorem_4():
    assert sp.simplify(derive_continuous_firing(ND_CNP).bound - bound_expr(ND_CNP)) == 0


def test_pcnn_lhs_trace_is_the_internal_activity():
    params = {"alpha_F": 0.3, "alpha_L": 1.0, "alpha_E": 0.2, "V_F": 0.1, "V_L": 0.5}
    params |= {"V_E": 5.0, "beta": 0.4}
    r = simulate_neuron(0.7, params, 40, model=PCNN, neighbours="uniform", sum_W=1.0)
    U = r.traces["F"] * (1 + 0.4 * r.traces["L"])
    np.testing.assert_allclose(r.traces["lhs"], U, rtol=1e-15)
    # Y(n) = [U(n) > E(n-1)], E(n) = e^-aE E(n-1) + V_E Y(n), recomputed here from U.
    E, spikes = 0.0, []
    for n in range(1, 41):
        y = U[n] > E
        E = math.exp(-0.2) * E + 5.0 * y
        spikes.append(int(y))
    assert spikes == list(r.spikes)
    assert 0 < sum(spikes) < 40


def _model(name, units, firing):
    a = Parameter("a", 0.0, 1.0)
    return NeuronModel(name=name, units=units, parameters=(a,), firing=firing)


def test_named_reasons_when_nothing_can_be_derived():
    U, V = sp.symbols("U V")
    a = sp.Symbol("a", positive=True)
    coupled = _model(
        "coupled", (Unit("U", a * U, I + K), Unit("V", a * V, U * P)), sp.StrictGreaterThan(U, V)
    )
    with pytest.raises(NotDerivableError, match="couples it to U"):
        derive_continuous_firing(coupled)
    squared = _model("squared", (Unit("U", a * U, I + K),), sp.StrictGreaterThan(U**2, 1))
    with pytest.raises(NotDerivableError, match="not affine in I"):
        derive_continuous_firing(squared)
    blind = _model("blind", (Unit("U", a * U, K), Unit("V", a * V, I)), sp.StrictGreaterThan(U, 1))
    with pytest.raises(NotDerivableError, match=r"input's weight .* vanishes"):
        derive_continuous_firing(blind)
