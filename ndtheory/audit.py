"""Audit of the paper's printed equations against the forms derived from the spec.

The paper's formulas are typed in once, as the claims of ``examples/nd-cnpfuse.toml``
(:data:`PAPER_FILE`, which ``ndcnp audit`` checks claim by claim); this module reads them
from there and lays them out as the table of ``ndcnp theory``. Each entry holds the printed
form, the derived form, a verdict

* ``"identical"``: the difference simplifies to zero (on the stated domain);
* ``"equal in the limit"``: it does not, but vanishes as ``t -> oo``;
* ``"differs"``: neither;

and, for a difference, its exact value and the assumption that explains it.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Eqs. (8)-(19).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sympy as sp

from ndtheory.auditfile import read_audit_file
from ndtheory.bound import bound_expr, firing_margin, limit_at_infinity
from ndtheory.closed_forms import (
    CONTINUOUS_FIRING_THEN,
    continuous_firing_closed_forms,
    general_closed_forms,
)
from ndtheory.modelfile import parse_expression
from ndtheory.recurrence import simplify_sums, solve_two_phase
from ndtheory.spec import ND_CNP, SUM_W, I, K, P

VERDICTS: tuple[str, ...] = ("identical", "equal in the limit", "differs")
FORMATS: tuple[str, ...] = ("text", "markdown", "latex", "json")

alpha, beta, gamma, lam = (ND_CNP.symbols[name] for name in ("alpha", "beta", "gamma", "lam"))
PAPER_EXAMPLE_EXACT: dict[sp.Symbol, sp.Rational] = {
    alpha: sp.Rational(4, 5),
    beta: sp.Rational(1, 5),
    gamma: sp.Rational(1, 2),
    lam: sp.Integer(15),
    SUM_W: sp.Rational(6, 5),
}
"""The worked example of Eq. (18) in exact rationals (``sum(W) = 6/5``)."""


@dataclass(frozen=True)
class AuditEntry:
    """One audited equation.

    Parameters
    ----------
    equation : str
        The paper's equation number, e.g. ``"16"``.
    subject : str
        What it states, in a few words.
    printed, derived : sympy.Basic
        The form as printed in [1]_ and as derived from the spec.
    verdict : str
        One of :data:`VERDICTS`.
    difference : sympy.Basic
        ``printed - derived`` (or the set where two conditions disagree); ``0``
        when identical.
    note : str
        The assumption that explains a difference, or the domain of validity.
    """

    equation: str
    subject: str
    printed: sp.Basic
    derived: sp.Basic
    verdict: str
    difference: sp.Basic
    note: str


def _compare(printed: sp.Expr, derived: sp.Expr) -> tuple[str, sp.Expr]:
    difference = simplify_sums(printed - derived)
    if difference == 0:
        return "identical", sp.S.Zero
    if limit_at_infinity(difference) == 0:
        return "equal in the limit", sp.factor(difference)
    return "differs", sp.factor(difference)


PAPER_FILE = Path(__file__).resolve().parent / "examples" / "nd-cnpfuse.toml"
"""The paper's printed claims (Eqs. 8-19, Fig. 2) as an audit file."""


@cache
def _printed() -> dict[str, sp.Basic]:
    """The printed equations of [1]_, Section 3.2, read from :data:`PAPER_FILE`."""
    claims = {claim.label: claim for claim in read_audit_file(PAPER_FILE).claims}
    with sp.evaluate(False):  # Eq. 18's middle member, kept as printed
        example = parse_expression(claims["Eq. 18"].text, {}, "Eq. 18")
    return {
        "8": claims["Eq. 8"].expr,
        "10": claims["Eq. 10"].expr,
        "12": claims["Eq. 12"].expr,
        "14": sp.StrictGreaterThan(I, claims["Eq. 14"].expr),
        "16.U": claims["Eq. 16 (U)"].expr,
        "16.V": claims["Eq. 16 (V)"].expr,
        "16.T": claims["Eq. 16 (T)"].expr,
        "17": sp.StrictGreaterThan(I, claims["Eq. 17"].expr),
        "18": example,
        "18.value": claims["Eq. 18"].equals,
        "19": sp.LessThan(I, claims["Eq. 19"].expr),  # "I <= B prevents continuous firing"
    }


@cache
def audit() -> tuple[AuditEntry, ...]:
    """Audit Eqs. (8), (10), (12), (14), (16), (17), (18), (19) of [1]_.

    Returns
    -------
    tuple of AuditEntry
        In equation order.
    """
    printed = _printed()
    general = general_closed_forms(ND_CNP)
    firing = continuous_firing_closed_forms(ND_CNP)
    bound = bound_expr(ND_CNP)
    entries = []

    for eq, unit, subject in (("8", "U", "Theorem 1: U(t)"), ("10", "V", "Theorem 2: V(t)")):
        verdict, difference = _compare(printed[eq], general[unit])
        entries.append(
            AuditEntry(
                eq,
                subject,
                printed[eq],
                general[unit],
                verdict,
                difference,
                "general K(n), t >= 0; the spec's K at step t is the paper's K(t-1)",
            )
        )

    verdict, difference = _compare(printed["12"], firing["T"])
    entries.append(
        AuditEntry(
            "12",
            "Theorem 3: T(t), continuous firing",
            printed["12"],
            firing["T"],
            verdict,
            difference,
            "t >= 1 with P(0) = 0 and P(n) = 1 for n >= 1 (at t = 0 it gives "
            "-lam/gamma, not T(0) = 0)",
        )
    )

    derived_condition = sp.StrictGreaterThan(I, bound)
    for eq, subject in (("14", "Theorem 4"), ("17", "Theorem 4, t -> oo")):
        verdict, difference = _compare(printed[eq].rhs, bound)
        entries.append(
            AuditEntry(
                eq,
                subject,
                printed[eq],
                derived_condition,
                verdict,
                difference,
                "lim_{t->oo} U(t)(1+V(t)) - T(t) > 0 solved for I; a limit keeps only >=, "
                "so continuous firing implies I >= bound",
            )
        )

    entries.append(_audit_eq16(printed, firing))

    example = bound.subs(PAPER_EXAMPLE_EXACT)
    value = sp.nsimplify(printed["18"].doit())
    verdict = "identical" if value == example == printed["18.value"] else "differs"
    entries.append(
        AuditEntry(
            "18",
            "worked example",
            sp.Eq(printed["18"], printed["18.value"], evaluate=False),
            example,
            verdict,
            example - printed["18.value"],
            "alpha=4/5, beta=1/5, gamma=1/2, lam=15, sum(W)=6/5 in exact rationals",
        )
    )

    entries.append(_audit_eq19(printed, bound))
    return tuple(sorted(entries, key=lambda e: int(e.equation)))


def _audit_eq16(printed: dict, firing: dict) -> AuditEntry:
    """Eq. 16 against the derived continuous-firing margin, unit by unit."""
    margin_printed = printed["16.U"] * (1 + printed["16.V"]) - printed["16.T"]
    margin_derived = firing_margin(ND_CNP)
    verdict, _ = _compare(margin_printed, margin_derived)
    differences = {u: sp.factor(sp.simplify(printed[f"16.{u}"] - firing[u])) for u in "UVT"}
    # The assumption that reproduces the printed form: K(0) = sum(W) at step 1.
    neighbours_fired_at_0 = {K: SUM_W, P: sp.S.Zero}
    updates = ND_CNP.updates("decay")
    initial = ND_CNP.initial_state()
    explained = all(
        sp.simplify(
            printed[f"16.{u.name}"]
            - solve_two_phase(
                updates[u.name],
                u.symbol,
                initial[u.name],
                neighbours_fired_at_0,
                CONTINUOUS_FIRING_THEN,
            )
        )
        == 0
        for u in ND_CNP.units
    )
    assumption = (
        "printed form = recurrence with K(0) = sum(W) (neighbours fired at step 0); "
        "the proof of Theorem 1 states K(0) = 0"
        if explained
        else "not explained by K(0) = sum(W)"
    )
    difference = sp.Tuple(*(differences[u] for u in "UVT"))
    return AuditEntry(
        "16",
        "continuous-firing condition",
        sp.StrictGreaterThan(printed["16.U"] * (1 + printed["16.V"]), printed["16.T"]),
        sp.StrictGreaterThan(firing["U"] * (1 + firing["V"]), firing["T"]),
        verdict,
        difference,
        f"difference (U, V, T) printed - derived; {assumption}; t >= 1",
    )


def _audit_eq19(printed: dict, bound: sp.Expr) -> AuditEntry:
    """Corollary 1 against what the limit argument supports.

    Continuous firing means ``m(t) > 0`` for every ``t``; its limit gives only
    ``lim m >= 0``, i.e. ``I >= B``. The contrapositive is ``I < B`` => no lasting
    continuous firing. The printed ``I <= B`` adds the boundary ``I = B``, which
    would need the strict necessity ``continuous firing => I > B``.
    """
    derived = sp.StrictLessThan(I, bound)
    same_bound = sp.simplify(printed["19"].rhs - bound) == 0
    same_relation = type(printed["19"]) is type(derived)
    if same_bound and same_relation:
        verdict, difference = "identical", sp.S.Zero
    elif same_bound:
        verdict, difference = "differs", sp.Eq(I, printed["19"].rhs)
    else:
        verdict, difference = "differs", sp.factor(printed["19"].rhs - bound)
    return AuditEntry(
        "19",
        "Corollary 1 (prevents continuous firing)",
        printed["19"],
        derived,
        verdict,
        difference,
        "contrapositive of 'continuous firing => lim U(1+V)-T >= 0 <=> I >= bound'; "
        "I = bound is not covered, and can fire at every step (alpha=beta=1/10, "
        "gamma=9/10, lam=1, sum(W)=1: bound 62/19, all I_t < 62/19)",
    )


def _cell(expr: sp.Basic) -> str:
    return sp.sstr(expr).replace("sum_W", "sum(W)")


def format_audit(entries: tuple[AuditEntry, ...] | None = None, fmt: str = "text") -> str:
    """The audit as a table.

    Parameters
    ----------
    entries : tuple of AuditEntry, optional
        Default: :func:`audit`.
    fmt : {"text", "markdown", "latex", "json"}
        Output format.

    Returns
    -------
    str
    """
    entries = audit() if entries is None else entries
    header = ("Eq.", "Subject", "Printed", "Derived", "Verdict", "Printed - derived", "Note")
    rows = [
        (
            e.equation,
            e.subject,
            _cell(e.printed),
            _cell(e.derived),
            e.verdict,
            _cell(e.difference),
            e.note,
        )
        for e in entries
    ]
    if fmt == "json":
        return json.dumps(
            [
                {
                    "equation": e.equation,
                    "subject": e.subject,
                    "printed": sp.sstr(e.printed),
                    "derived": sp.sstr(e.derived),
                    "verdict": e.verdict,
                    "difference": sp.sstr(e.difference),
                    "printed_latex": sp.latex(e.printed),
                    "derived_latex": sp.latex(e.derived),
                    "difference_latex": sp.latex(e.difference),
                    "note": e.note,
                }
                for e in entries
            ],
            indent=2,
        )
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in rows:
            cells = [row[0], row[1], *(f"`{c}`" for c in row[2:4]), row[4], f"`{row[5]}`", row[6]]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)
    if fmt == "latex":
        lines = [r"\begin{tabular}{lllllll}", r"\hline", " & ".join(header) + r" \\", r"\hline"]
        for e in entries:
            cells = [
                e.equation,
                e.subject,
                f"${sp.latex(e.printed)}$",
                f"${sp.latex(e.derived)}$",
                e.verdict,
                f"${sp.latex(e.difference)}$",
                _latex_text(e.note),
            ]
            lines.append(" & ".join(cells) + r" \\")
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)
    if fmt == "text":
        blocks = []
        for row in rows:
            width = max(len(h) for h in header)
            blocks.append("\n".join(f"{h:<{width}}  {c}" for h, c in zip(header, row, strict=True)))
        return "\n\n".join(blocks)
    raise ValueError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")


def _latex_text(text: str) -> str:
    for char, escaped in (("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("&", r"\&")):
        text = text.replace(char, escaped)
    return text
