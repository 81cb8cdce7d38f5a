"""Verdicts on the claims of an audit file (``ndcnp audit``).

Each claim of :mod:`ndtheory.auditfile` gets one verdict of :data:`VERDICTS`:

* ``identical``: the printed form minus the one derived from the model simplifies to 0;
* ``equal-in-limit``: it does not, but the difference vanishes as ``t -> oo``;
* ``differs``: neither, with the difference and, where one is found, a counterexample
  (parameters and a simulated trace, shrunk by Hypothesis);
* ``holds`` / ``fails``: a statement checked on values (value, rate claims, and bound
  claims beyond the derivation); ``method`` says whether it was *proved* (exact
  arithmetic or symbolic) or *tested on N cases* (simulations, no counterexample);
* ``not-derivable``: the theory has no derived form to compare with, and why.

This module sits above :mod:`ndtheory` and :mod:`simulate` (it checks the theory against
simulated traces); only the command line imports it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ndtheory import testing
from ndtheory.auditfile import AuditFile, Claim, read_audit_file
from ndtheory.bound import limit_at_infinity
from ndtheory.closed_forms import CONTINUOUS_FIRING_FIRST, CONTINUOUS_FIRING_THEN
from ndtheory.continuous_firing import derive_continuous_firing, sign_on_ranges
from ndtheory.errors import NotDerivableError
from ndtheory.model import SUM_W, NeuronModel
from ndtheory.recurrence import affine_update, simplify_sums, solve_general, solve_two_phase
from simulate.neuron import simulate_neuron

VERDICTS: tuple[str, ...] = (
    "identical",
    "equal-in-limit",
    "differs",
    "holds",
    "fails",
    "not-derivable",
)
FORMATS: tuple[str, ...] = ("text", "markdown", "latex", "json")
BAD: tuple[str, ...] = ("differs", "fails")
"""Verdicts that make ``ndcnp audit --strict`` exit 1."""
SEARCH_EXAMPLES = 150
"""Cases Hypothesis tries per claim when it searches for a counterexample."""


@dataclass(frozen=True)
class Verdict:
    """The verdict on one claim.

    Attributes
    ----------
    claim : Claim
        The claim judged.
    verdict : str
        One of :data:`VERDICTS`.
    detail : str
        The difference, the value found, or the reason, in one line.
    method : str
        ``"proved"`` (symbolic or exact arithmetic), ``"tested on N cases"``, or
        ``"computed"`` (one simulation, for rate claims).
    derived : str
        The derived form compared with, where there is one.
    counterexample : dict or None
        Parameters, ``sum_W``, ``I`` and the simulated trace that break the claim.
    """

    claim: Claim
    verdict: str
    detail: str
    method: str
    derived: str = ""
    counterexample: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """One JSON entry: label, kind, verdict, detail, method, derived, counterexample."""
        return {
            "label": self.claim.label,
            "kind": self.claim.kind,
            "verdict": self.verdict,
            "detail": self.detail,
            "method": self.method,
            "derived": self.derived,
            "source": self.claim.source,
            "counterexample": self.counterexample,
        }


def audit_file(path: str | Path) -> tuple[AuditFile, tuple[Verdict, ...]]:
    """Read an audit file and judge each of its claims, in file order.

    Raises
    ------
    NdcnpInputError
        For a malformed file (one line naming the key, or the TOML line and column).
    """
    audit = read_audit_file(path)
    return audit, tuple(judge(audit.model, audit.semantics, claim) for claim in audit.claims)


def judge(model: NeuronModel, semantics: str, claim: Claim) -> Verdict:
    """The verdict on one claim about ``model`` under ``semantics``."""
    check = {
        "closed-form": _closed_form,
        "bound": _bound,
        "value": _value,
        "rate": _rate,
    }[claim.kind]
    try:
        return check(model, semantics, claim)
    except NotDerivableError as error:
        return Verdict(claim, "not-derivable", str(error), "proved")


def _text(expr: sp.Basic) -> str:
    return sp.sstr(expr).replace("sum_W", "S")


# ----------------------------------------------------------------------- closed forms


def _closed_form(model: NeuronModel, semantics: str, claim: Claim) -> Verdict:
    if claim.trajectory == "general":
        if semantics != "decay":
            raise NotDerivableError(
                f"under {semantics!r} a unit's coefficient changes with the spikes, so there "
                "is no closed form for a general spike train"
            )
        derived = _derived_form(model, "decay", claim.unit, general=True)
        scope = "general K(n), P(n), t >= 0"
    else:
        derived = _derived_form(model, semantics, claim.unit, general=False)
        scope = "continuous firing (neuron and neighbours fire at every step t >= 1)"
    printed = claim.expr  # built over the model's own symbols (auditfile.claim_names)
    difference = simplify_sums(printed - derived)
    if difference == 0:
        return Verdict(
            claim, "identical", f"printed - derived = 0; {scope}", "proved", _text(derived)
        )
    try:
        limit = limit_at_infinity(difference, model)
    except NotDerivableError:
        limit = None
    if limit == 0:
        return Verdict(
            claim,
            "equal-in-limit",
            f"printed - derived = {_text(sp.factor(difference))} -> 0 as t -> oo; {scope}",
            "proved",
            _text(derived),
        )
    example, tried = _closed_form_counterexample(model, semantics, claim)
    detail = f"printed - derived = {_text(sp.factor(difference))}; {scope}"
    if example is None:
        detail += f"; no simulated trace found to disagree in {tried} cases"
        return Verdict(claim, "differs", detail, "proved", _text(derived))
    detail += f"; {example.why}"
    return Verdict(claim, "differs", detail, "proved", _text(derived), example.as_dict())


def _derived_form(model: NeuronModel, semantics: str, unit: str, general: bool) -> sp.Expr:
    """One unit's closed form (other units may be coupled: only this one must not be)."""
    u = model.unit(unit)
    update = model.update(unit, semantics)
    others = sorted(v.name for v in model.units if v is not u and update.has(v.symbol))
    if others:
        raise NotDerivableError(f"the update of {unit} couples it to {', '.join(others)}")
    initial = model.initial_state()[unit]
    if general:
        return solve_general(affine_update(update, u.symbol), initial)
    return solve_two_phase(
        update, u.symbol, initial, CONTINUOUS_FIRING_FIRST, CONTINUOUS_FIRING_THEN
    )


def _closed_form_counterexample(model: NeuronModel, semantics: str, claim: Claim):
    """A run whose trace of ``claim.unit`` is not the printed form (on its trajectory)."""
    n_steps = 12
    general = claim.trajectory == "general"

    def breaks(params, sum_W, I):  # noqa: E741
        neighbours = "always"
        result = simulate_neuron(
            I, params, n_steps, neighbours=neighbours, sum_W=sum_W, semantics=semantics, model=model
        )
        spikes = result.traces["P"]
        K = np.append(result.traces["K"][1:], 0.0)  # paper's K(n) = spec K at step n + 1
        for step in range(0 if general else 1, n_steps + 1):
            if not general and not np.all(spikes[1:step] == 1):
                break  # the continuous-firing form describes only a neuron that fired so far
            values = {**params, "S": sum_W}
            got = testing.evaluate_general(
                claim.expr.xreplace({SUM_W: sp.Float(sum_W)}), model, params, step, K, spikes, I
            )
            want = float(result.traces[claim.unit][step])
            if not np.isclose(got, want, rtol=1e-9, atol=1e-9):
                return (
                    f"{claim.unit}({step}) = {want:.12g} simulated, printed form gives "
                    f"{got:.12g} ({values})"
                )
        return None

    return testing.find_counterexample(
        model, breaks, neighbours="always", semantics=semantics, max_examples=SEARCH_EXAMPLES
    )


# ----------------------------------------------------------------------------- bounds


def _bound(model: NeuronModel, semantics: str, claim: Claim) -> Verdict:
    printed = claim.expr  # built over the model's own symbols (auditfile.claim_names)
    try:
        condition = derive_continuous_firing(model)
    except NotDerivableError as error:
        condition, reason = None, str(error)
    bound = testing.bound_function(model, printed)
    derived_bound = testing.bound_function(model, condition.bound) if condition else None

    def around(params, sum_W):
        out = [bound(params, sum_W)]
        return [*out, derived_bound(params, sum_W)] if derived_bound else out

    breaks = testing.bound_breaker(
        model, bound, claim.direction, claim.neighbours, claim.relation, semantics
    )
    example, tried = testing.find_counterexample(
        model,
        breaks,
        neighbours=claim.neighbours,
        semantics=semantics,
        around=around,
        max_examples=SEARCH_EXAMPLES,
    )
    statement = _statement(claim)
    tested = f"tested on {tried} cases (neighbours {claim.neighbours}, {semantics})"
    if condition is None:
        if example is not None:
            return Verdict(claim, "fails", f"{statement}: {example.why}", tested,
                           "", example.as_dict())  # fmt: skip
        return Verdict(claim, "holds", f"{statement}; no derived bound ({reason})", tested)
    if condition.direction != ">" or condition.conditions:
        side = ", ".join(map(str, condition.conditions)) or "the input's weight is negative"
        reason = f"the derived condition needs {side}"
        if example is not None:
            return Verdict(claim, "fails", f"{statement}: {example.why}; {reason}", tested, "",
                           example.as_dict())  # fmt: skip
        return Verdict(claim, "holds", f"{statement}; {reason}", tested, _text(condition.bound))
    derived = condition.bound
    difference = sp.simplify(printed - derived)
    derived_text = f"I > {_text(derived)}"
    if difference == 0:
        # derived: lasting continuous firing => I >= B (a limit keeps only >=), and
        # I > B => the continuous-firing margin stays positive (Theorem 4's form).
        proved = claim.relation == ">" if claim.direction == "sufficient" else None
        if claim.direction == "necessary":
            proved = claim.relation == ">="
        if proved and example is None:
            return Verdict(
                claim,
                "identical",
                f"{statement}: B is the derived bound, in the direction derived; no "
                f"counterexample in {tried} simulated cases",
                "proved",
                derived_text,
            )
        if example is not None:
            return Verdict(
                claim,
                "differs",
                f"{statement}: B is the derived bound, yet {example.why}"
                + (
                    "; the limit of the margin gives only I >= B for lasting continuous firing"
                    if claim.direction != "sufficient" and claim.relation == ">"
                    else ""
                ),
                "proved",
                derived_text,
                example.as_dict(),
            )
        return Verdict(
            claim,
            "holds",
            f"{statement}: B is the derived bound; the statement goes beyond the derivation "
            f"and no counterexample was found",
            tested,
            derived_text,
        )
    gap = _text(sp.factor(difference))
    if example is not None:
        return Verdict(
            claim,
            "differs",
            f"{statement}: B - derived = {gap}; {example.why}",
            "proved",
            derived_text,
            example.as_dict(),
        )
    weaker = sign_on_ranges(difference, model)
    if claim.direction == "sufficient" and weaker == 1:
        return Verdict(claim, "holds", f"{statement}: B - derived = {gap} > 0 on the ranges "
                       "(a weaker claim)", tested, derived_text)  # fmt: skip
    if claim.direction == "necessary" and weaker == -1:
        return Verdict(claim, "holds", f"{statement}: B - derived = {gap} < 0 on the ranges "
                       "(a weaker claim)", tested, derived_text)  # fmt: skip
    return Verdict(
        claim,
        "differs",
        f"{statement}: B - derived = {gap}; no simulated counterexample in {tried} cases",
        "proved",
        derived_text,
    )


def _statement(claim: Claim) -> str:
    rel = f"I {claim.relation} B"
    return {
        "necessary": f"continuous firing => {rel}",
        "sufficient": f"{rel} => continuous firing",
        "both": f"continuous firing <=> {rel}",
    }[claim.direction]


# ----------------------------------------------------------------------- values, rates


def _value(model: NeuronModel, semantics: str, claim: Claim) -> Verdict:
    value = sp.simplify(claim.expr.xreplace(claim.at).doit())
    at = ", ".join(f"{_text(k)}={v}" for k, v in claim.at.items())
    difference = sp.simplify(value - claim.equals)
    if difference == 0:
        return Verdict(claim, "holds", f"= {value} exactly at {at}", "proved", str(value))
    return Verdict(
        claim,
        "fails",
        f"= {value} (~{float(value):.12g}), not {claim.equals}, at {at}",
        "proved",
        str(value),
        {"values": {_text(k): str(v) for k, v in claim.at.items()}, "value": str(value)},
    )


def _rate(model: NeuronModel, semantics: str, claim: Claim) -> Verdict:
    semantics = claim.semantics or semantics
    params = {p.name: float(claim.at[p.symbol]) for p in model.parameters}
    sum_W = float(claim.at.get(SUM_W, 0))
    first, last = claim.steps
    result = simulate_neuron(
        float(claim.I), params, last, neighbours=claim.neighbours, sum_W=sum_W,
        semantics=semantics, model=model,
    )  # fmt: skip
    window = result.spikes[first - 1 : last]
    rate = float(window.mean())
    spikes = "".join(map(str, window))
    where = f"steps {first}-{last}, neighbours {claim.neighbours}, {semantics}"
    detail = f"rate {100 * rate:.4g}% over {where} (claimed {100 * float(claim.equals):.4g}%)"
    if abs(rate - float(claim.equals)) <= claim.tolerance:
        return Verdict(claim, "holds", detail, "computed", f"{100 * rate:.4g}%")
    example = {
        "params": params,
        "sum_W": sum_W,
        "I": float(claim.I),
        "neighbours": claim.neighbours,
        "spikes": spikes,
        "why": detail,
    }
    return Verdict(claim, "fails", detail, "computed", f"{100 * rate:.4g}%", example)


# ---------------------------------------------------------------------------- output


def format_verdicts(audit: AuditFile, verdicts: tuple[Verdict, ...], fmt: str = "text") -> str:
    """The verdicts as text, a Markdown or LaTeX table, or JSON (one entry per claim)."""
    if fmt == "json":
        return json.dumps(
            {
                "file": audit.path,
                "model": audit.model.name,
                "semantics": audit.semantics,
                "claims": [v.as_dict() for v in verdicts],
            },
            indent=2,
        )
    header = ("Claim", "Kind", "Verdict", "How", "Detail", "Source")
    rows = [
        (v.claim.label, v.claim.kind, v.verdict, v.method, _detail(v), v.claim.source)
        for v in verdicts
    ]
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    if fmt == "latex":
        lines = [r"\begin{tabular}{llllp{6cm}l}", r"\hline", " & ".join(header) + r" \\", r"\hline"]
        lines += [" & ".join(_latex_text(c) for c in row) + r" \\" for row in rows]
        return "\n".join([*lines, r"\hline", r"\end{tabular}"])
    if fmt == "text":
        title = f"{audit.path}: model {audit.model.name}, {audit.semantics} semantics"
        width = max(len(h) for h in header)
        blocks = [
            "\n".join(f"{h:<{width}}  {c}" for h, c in zip(header, row, strict=True) if c)
            for row in rows
        ]
        counts = {v: sum(x.verdict == v for x in verdicts) for v in VERDICTS}
        summary = ", ".join(f"{count} {v}" for v, count in counts.items() if count)
        return "\n\n".join([title, *blocks, f"{len(verdicts)} claims: {summary}"])
    raise ValueError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")


def _detail(verdict: Verdict) -> str:
    out = verdict.detail
    if verdict.claim.note:
        out += f" [{verdict.claim.note}]"
    example = verdict.counterexample
    if example and "spikes" in example:
        out += (
            f"; counterexample: {example['params']}, S = {example['sum_W']:.12g}, "
            f"I = {example['I']:.12g}, spikes {example['spikes'][:40]}"
        )
    return out


_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "$": r"\$",
        "^": r"\^{}",
        "~": r"\~{}",
    }
)


def _latex_text(text: str) -> str:
    return text.translate(_LATEX)
