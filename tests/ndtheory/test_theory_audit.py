"""Every audit verdict against an independent hand derivation written here.

The hand derivations unroll the recurrences U(t) = a U(t-1) + I + K(t-1),
V(t) = b V(t-1) + K(t-1), T(t) = g T(t-1) + lam P(t-1) (paper indexing, Eqs. 9,
11, 13) for the first steps, and compare with the printed equation evaluated at
those steps. The expected verdict comes from that comparison, never from the
audit's own output.
"""

from fractions import Fraction as F

import pytest
import sympy as sp

from ndtheory.audit import FORMATS, audit, format_audit

a, b, g, lam, s, x = sp.symbols("alpha beta gamma lam sum_W I", positive=True)
Kf = sp.Function("K")
STEPS = range(1, 7)


def by_name(expr):
    """``expr`` over this module's symbols (matched by name, assumptions aside)."""
    mine = {str(v): v for v in (a, b, g, lam, s, x, sp.Symbol("t"))}
    return expr.xreplace({v: mine[str(v)] for v in expr.free_symbols})


def entry(eq):
    (found,) = [e for e in audit() if e.equation == eq]
    return found


def unrolled(coefficient, forcing, steps=6):
    """[X(0), ..., X(steps)] with X(0) = 0 and X(t) = c X(t-1) + forcing(t-1)."""
    values = [sp.S.Zero]
    for step in range(1, steps + 1):
        values.append(sp.expand(coefficient * values[-1] + forcing(step - 1)))
    return values


def verdict_by_hand(printed_at, hand_at, difference_limit_is_zero):
    same = all(sp.simplify(printed_at(k) - hand_at(k)) == 0 for k in STEPS)
    if same:
        return "identical"
    return "equal in the limit" if difference_limit_is_zero else "differs"


def test_eq8_theorem_1_general_coupling():
    hand = unrolled(a, lambda m: x + Kf(m))

    def printed(k):  # Eq. 8 as printed, expanded by hand for a concrete t
        return x * (1 - a**k) / (1 - a) + sum(Kf(m) * a ** (k - m - 1) for m in range(k))

    expected = verdict_by_hand(printed, lambda k: hand[k], False)
    assert expected == "identical"
    assert entry("8").verdict == expected


def test_eq10_theorem_2_general_coupling():
    hand = unrolled(b, Kf)
    expected = verdict_by_hand(
        lambda k: sum(Kf(m) * b ** (k - m - 1) for m in range(k)), lambda k: hand[k], False
    )
    assert expected == "identical"
    assert entry("10").verdict == expected


def test_eq12_theorem_3_continuous_firing():
    hand = unrolled(g, lambda m: lam * (0 if m == 0 else 1))  # P(0) = 0, then 1
    expected = verdict_by_hand(
        lambda k: lam * (1 - g ** (k - 1)) / (1 - g), lambda k: hand[k], False
    )
    assert expected == "identical"
    assert entry("12").verdict == expected


def test_eq16_differs_at_finite_t_by_the_k0_term():
    """Hand: with K(0) = 0, U(t) = I(1-a^t)/(1-a) + s(1-a^(t-1))/(1-a).

    The printed s(1-a^t)/(1-a) exceeds it by s a^(t-1) (-> 0), V likewise by s b^(t-1).
    """
    k_seq = lambda m: 0 if m == 0 else s  # noqa: E731 - K(0) = 0, then sum(W)
    hand_u = unrolled(a, lambda m: x + k_seq(m))
    hand_v = unrolled(b, k_seq)
    for k in STEPS:
        printed_u = (x + s) * (1 - a**k) / (1 - a)
        printed_v = s * (1 - b**k) / (1 - b)
        assert sp.simplify(printed_u - hand_u[k] - s * a ** (k - 1)) == 0
        assert sp.simplify(printed_v - hand_v[k] - s * b ** (k - 1)) == 0
    # the differences s a^(t-1), s b^(t-1) vanish as t -> oo for a, b in (0, 1)
    expected = verdict_by_hand(lambda k: (x + s) * (1 - a**k) / (1 - a), lambda k: hand_u[k], True)
    assert expected == "equal in the limit"
    got = entry("16")
    assert got.verdict == expected
    t = sp.Symbol("t")
    hand_difference = (s * a ** (t - 1), s * b ** (t - 1), 0)
    for mine, theirs in zip(hand_difference, got.difference, strict=True):
        assert sp.simplify(mine - by_name(theirs)) == 0
    # and with K(0) = sum(W) the recurrence reproduces the printed form exactly
    hand_u_k0 = unrolled(a, lambda m: x + s)
    assert all(sp.simplify((x + s) * (1 - a**k) / (1 - a) - hand_u_k0[k]) == 0 for k in STEPS)


@pytest.mark.parametrize("eq", ["14", "17"])
def test_eq14_eq17_theorem_4_limit(eq):
    """Hand: U -> (I+s)/(1-a), V -> s/(1-b), T -> lam/(1-g); solve U(1+V) = T for I."""
    hand = sp.solve(sp.Eq((x + s) / (1 - a) * (1 + s / (1 - b)), lam / (1 - g)), x)
    printed = lam * (1 - a) * (1 - b) / ((1 - g) * (1 - b + s)) - s
    assert len(hand) == 1
    expected = "identical" if sp.simplify(hand[0] - printed) == 0 else "differs"
    assert expected == "identical"
    assert entry(eq).verdict == expected


def test_eq18_worked_example_in_rationals():
    value = F(15) * F(4, 5) * F(1, 5) / ((1 - F(1, 2)) * (1 - F(1, 5) + F(6, 5))) - F(6, 5)
    assert value == F(6, 5)
    got = entry("18")
    assert got.verdict == "identical"
    assert got.derived == sp.Rational(6, 5)


def test_eq19_corollary_1_differs_on_the_boundary():
    """Hand: a limit of m(t) > 0 gives only lim m >= 0, i.e. I >= B; the contrapositive
    is I < B => no lasting continuous firing. The printed I <= B adds I = B, where a
    neuron can fire at every step (exact counterexample in test_theory_bound)."""
    got = entry("19")
    assert got.verdict == "differs"
    assert isinstance(got.printed, sp.LessThan)
    assert isinstance(got.derived, sp.StrictLessThan)
    assert isinstance(got.difference, sp.Equality)


def test_every_equation_is_audited_once_in_order():
    assert [e.equation for e in audit()] == ["8", "10", "12", "14", "16", "17", "18", "19"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_lists_every_equation(fmt):
    out = format_audit(fmt=fmt)
    for e in audit():
        assert e.verdict in out
    if fmt == "markdown":
        assert out.splitlines()[0].startswith("| Eq. |")


def test_unknown_format_is_a_value_error():
    with pytest.raises(ValueError, match="fmt must be one of"):
        format_audit(fmt="html")
