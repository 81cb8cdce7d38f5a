"""Reading recurrences out of the spec, and the symbolic checks of closed forms."""

import pytest
import sympy as sp

from ndtheory.closed_forms import affine_updates, check_closed_forms, general_closed_forms
from ndtheory.errors import NotDerivableError
from ndtheory.recurrence import (
    affine_update,
    check_rsolve,
    check_substitution,
    iterate,
    solve_two_phase,
    t,
)
from ndtheory.spec import ND_CNP, SUM_W, I, K, P

alpha, beta, gamma, lam = (ND_CNP.symbols[n] for n in ("alpha", "beta", "gamma", "lam"))
U, V, T = (ND_CNP.symbols[n] for n in "UVT")


def test_coefficient_and_forcing_are_read_out_of_the_spec():
    ups = affine_updates(ND_CNP)
    assert (ups["U"].coefficient, ups["U"].forcing) == (alpha, I + K)
    assert (ups["V"].coefficient, ups["V"].forcing) == (beta, K)
    assert (ups["T"].coefficient, ups["T"].forcing) == (gamma, lam * P)


@pytest.mark.parametrize(
    ("expr", "match"),
    [
        (alpha * U**2 + I, "not affine"),
        (alpha * U * K + I, "varies with the spikes"),
        (alpha * U + V, "couples it to V"),
        (ND_CNP.update("U", "decay-on-fire"), "piecewise"),
    ],
)
def test_what_cannot_be_derived_raises_a_named_error(expr, match):
    with pytest.raises(NotDerivableError, match=match):
        affine_update(expr, U, (U, V, T))


def test_every_closed_form_passes_substitution_and_continuous_firing_passes_rsolve():
    checks = check_closed_forms(ND_CNP)
    assert len(checks) == 6
    for check in checks:
        holds, residual = check.substitution
        assert holds, (check.unit, check.form, residual)
        assert residual == sp.Tuple(0, 0)
        if check.form == "continuous firing":
            assert check.rsolve.status == "agrees"
        else:
            # rsolve only takes hypergeometric forcing: the failure is reported, not hidden
            assert check.rsolve.status == "failed"
            assert "hypergeometric" in check.rsolve.detail


def test_substitution_rejects_a_wrong_form():
    update = affine_updates(ND_CNP)["U"]
    wrong = I * (1 - alpha**t) / (1 - alpha) + SUM_W * (1 - alpha**t) / (1 - alpha)  # Eq. 16
    holds, residual = check_substitution(wrong, update, I, start=2, value={K: SUM_W, P: 1})
    assert not holds
    # at t = 1 the wrong form gives I + sum(W), but U(1) = I
    assert sp.simplify(residual[1] - SUM_W) == 0
    general = general_closed_forms(ND_CNP)["U"]
    holds, _ = check_substitution(general + alpha**t, update, 0, start=1)
    assert not holds


def test_rsolve_disagreement_is_reported():
    update = affine_updates(ND_CNP)["V"]
    result = check_rsolve(SUM_W * t, update, 0, start=1, value={K: SUM_W, P: 1})
    assert result.status == "differs"


def test_two_phase_solution_matches_a_hand_unrolling():
    # V(1) = 0, V(2) = s, V(3) = beta*s + s, V(4) = beta^2 s + beta s + s
    closed = solve_two_phase(ND_CNP.update("V", "decay"), V, 0, {K: 0, P: 0}, {K: SUM_W, P: 1})
    s = SUM_W
    hand = [0, s, beta * s + s, beta**2 * s + beta * s + s]
    for step, value in enumerate(hand, start=1):
        assert sp.simplify(closed.subs(t, step) - value) == 0


def test_iterate_matches_a_hand_loop():
    from fractions import Fraction as F

    steps = [{alpha: F(1, 3), I: F(2), K: F(k, 7)} for k in range(6)]
    values = iterate(ND_CNP.update("U", "decay"), U, F(0), steps)
    hand = [F(0)]
    for k in range(6):
        hand.append(F(1, 3) * hand[-1] + 2 + F(k, 7))
    assert values == hand
    assert all(isinstance(v, F) for v in values)
