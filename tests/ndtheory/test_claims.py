"""Verdicts of ndtheory.claims on small files, against hand derivations."""

from __future__ import annotations

import pytest
import sympy as sp

from ndtheory.claims import audit_file
from ndtheory.errors import NdcnpInputError
from ndtheory.modelfile import parse_expression

COUPLED = """\
[model]
name = "coupled"
firing = "U > V"
[model.units]
U = "a*U + V + I"
V = "a*V + P"
[model.parameters]
a = "(0, 1)"
"""


def _verdicts(tmp_path, text):
    path = tmp_path / "f.toml"
    path.write_text(text)
    return {v.claim.label: v for v in audit_file(path)[1]}


def test_a_unit_coupled_to_another_is_not_derivable_with_the_reason(tmp_path):
    verdicts = _verdicts(
        tmp_path,
        COUPLED + '[[claim]]\nlabel = "U"\nkind = "closed-form"\nunit = "U"\nexpr = "I*t"\n',
    )
    assert verdicts["U"].verdict == "not-derivable"
    assert "V" in verdicts["U"].detail


def test_a_general_closed_form_under_decay_on_fire_is_not_derivable(tmp_path):
    text = COUPLED.replace('firing = "U > V"', 'firing = "U > V"\nsemantics = "decay-on-fire"')
    verdicts = _verdicts(
        tmp_path,
        text
        + '[[claim]]\nlabel = "V"\nkind = "closed-form"\nunit = "V"\ntrajectory = "general"\n'
        + 'expr = "Sum(P(n)*a**(t - n - 1), (n, 0, t - 1))"\n',
    )
    assert verdicts["V"].verdict == "not-derivable"
    assert "decay-on-fire" in verdicts["V"].detail


def test_a_general_closed_form_by_hand_is_identical_and_a_slip_differs(tmp_path):
    # V(t) = a V(t-1) + P(t-1) from V(0) = 0: V(t) = sum_{n<t} a^(t-1-n) P(n)
    verdicts = _verdicts(
        tmp_path,
        COUPLED
        + '[[claim]]\nlabel = "right"\nkind = "closed-form"\nunit = "V"\ntrajectory = "general"\n'
        + 'expr = "Sum(P(n)*a**(t - n - 1), (n, 0, t - 1))"\n'
        + '[[claim]]\nlabel = "slip"\nkind = "closed-form"\nunit = "V"\ntrajectory = "general"\n'
        + 'expr = "Sum(P(n)*a**(t - n), (n, 0, t - 1))"\n',
    )
    assert verdicts["right"].verdict == "identical"
    assert verdicts["slip"].verdict == "differs"
    assert verdicts["slip"].counterexample is not None  # a run where V(t) disagrees
    assert "V(" in verdicts["slip"].counterexample["why"]


def test_value_claims_are_exact(tmp_path):
    verdicts = _verdicts(
        tmp_path,
        COUPLED
        + '[[claim]]\nlabel = "ok"\nkind = "value"\nexpr = "1/(1 - a)"\nat = { a = "0.8" }\n'
        + "equals = 5\n"
        + '[[claim]]\nlabel = "off"\nkind = "value"\nexpr = "1/(1 - a)"\nat = { a = "0.8" }\n'
        + 'equals = "4.99999999"\n',
    )
    assert (verdicts["ok"].verdict, verdicts["ok"].method) == ("holds", "proved")
    assert verdicts["off"].verdict == "fails"
    assert "= 5 " in verdicts["off"].detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.8*x", sp.Rational(4, 5) * sp.Symbol("x")),
        ("exp(-x)/2", sp.exp(-sp.Symbol("x")) / 2),
        ("x**2 - 1e-3", sp.Symbol("x") ** 2 - sp.Rational(1, 1000)),
    ],
)
def test_expressions_become_exact_sympy(text, expected):
    assert parse_expression(text, {"x": sp.Symbol("x")}, "k") == expected


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "x.__class__",
        "[x][0]",
        "(lambda: x)()",
        "exp(x=1)",
        "x if x else 1",
        "x and 1",
        "{x}",
        "f'{x}'",
        "x @ x",
        "not x",
    ],
)
def test_anything_outside_the_whitelist_is_refused_naming_the_key(text):
    with pytest.raises(NdcnpInputError, match=r"^model\.units\.U: ") as error:
        parse_expression(text, {"x": sp.Symbol("x")}, "model.units.U")
    assert "\n" not in str(error.value)
