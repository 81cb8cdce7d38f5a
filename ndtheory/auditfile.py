"""An audit file: a neuron model and the claims a paper prints about it, read and checked.

Reading only: :mod:`ndtheory.claims` gives the verdicts. The ``[model]`` table is read by
:mod:`ndtheory.modelfile`; each ``[[claim]]`` table becomes a :class:`Claim` whose
expressions are parsed under the same whitelist, over the model's parameters, ``I``,
``S`` (``sum(W)``), the step ``t`` and, in closed forms of a general trajectory, the
sequences ``K(n)`` and ``P(n)`` and ``Sum(term, (n, low, high))``. ``docs/audit.md``
documents every key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from ndtheory.errors import NdcnpInputError
from ndtheory.model import SUM_W, I, NeuronModel
from ndtheory.modelfile import (
    at_line,
    model_from_toml,
    parse_expression,
    read_toml,
    string,
)
from ndtheory.recurrence import K_SEQ, P_SEQ, n, t

KINDS: tuple[str, ...] = ("closed-form", "bound", "value", "rate")
"""The claim kinds."""
DIRECTIONS: tuple[str, ...] = ("necessary", "sufficient", "both")
"""What a bound claim states: lasting continuous firing implies ``I rel B`` (necessary),
``I rel B`` implies it (sufficient), or both."""
NEIGHBOURS: tuple[str, ...] = ("always", "uniform", "none")
"""Neighbour settings of :func:`simulate.neuron.simulate_neuron` a claim may name."""
TRAJECTORIES: tuple[str, ...] = ("continuous", "general")
_KEYS: dict[str, tuple[str, ...]] = {
    "closed-form": ("unit", "expr", "trajectory"),
    "bound": ("expr", "direction", "neighbours", "relation"),
    "value": ("expr", "at", "equals"),
    "rate": ("I", "steps", "neighbours", "at", "equals", "tolerance", "semantics"),
}
_COMMON = ("label", "kind", "source", "note")


@dataclass(frozen=True)
class Claim:
    """One printed claim.

    Attributes
    ----------
    label : str
        How the paper names it, e.g. ``"Eq. 16"``.
    kind : str
        One of :data:`KINDS`.
    source : str
        Where it is printed (or ``"derived"``).
    expr : sympy.Basic or None
        The printed expression (closed form, bound ``B`` or value).
    unit : str
        The unit of a closed form.
    trajectory : str
        ``"continuous"`` or ``"general"`` (closed forms).
    direction, relation, neighbours : str
        Bound claims: which implication, ``">"`` or ``">="``, and the neighbours.
    at : dict of sympy.Symbol to sympy.Rational
        Values of a value or rate claim (``S`` included).
    equals : sympy.Rational or None
        The printed value (a rate as a fraction of steps).
    I : sympy.Rational or None
        The input of a rate claim.
    steps : (int, int)
        First and last step of a rate claim (inclusive, counted from 1).
    tolerance : float
        Largest accepted ``|rate - equals|`` (default half a percentage point).
    semantics : str or None
        A rate claim's own semantics, else the file's.
    note : str
        Free text shown with the verdict.
    text : str
        ``expr`` as written in the file.
    """

    label: str
    kind: str
    source: str = ""
    expr: sp.Basic | None = None
    text: str = ""
    unit: str = ""
    trajectory: str = "continuous"
    direction: str = "both"
    relation: str = ">"
    neighbours: str = "always"
    at: dict[sp.Symbol, sp.Rational] = field(default_factory=dict)
    equals: sp.Rational | None = None
    I: sp.Rational | None = None  # noqa: E741 - the paper's symbol
    steps: tuple[int, int] = (1, 100)
    tolerance: float = 0.005
    semantics: str | None = None
    note: str = ""


@dataclass(frozen=True)
class AuditFile:
    """A read audit file: the model, the semantics its claims are checked under, the claims."""

    path: str
    model: NeuronModel
    semantics: str
    claims: tuple[Claim, ...]


def claim_names(model: NeuronModel, general: bool = False) -> dict[str, sp.Basic]:
    """The names a claim's expression may use."""
    names: dict[str, sp.Basic] = {p.name: p.symbol for p in model.parameters}
    names.update({"I": I, "S": SUM_W, "t": t})
    if general:
        names.update({u.name: u.symbol for u in model.units})
    return names


def read_audit_file(path: str | Path) -> AuditFile:
    """Read and check an audit file; every defect is one :class:`NdcnpInputError` line.

    Raises
    ------
    NdcnpInputError
        Naming the key (``claim[2].expr``) or, for bad TOML, the line and column.
    """
    data, source = read_toml(path)
    model, semantics = _model(data, source)
    extra = sorted(set(data) - {"model", "claim"})
    if extra:
        raise NdcnpInputError(
            f"{at_line(extra[0], source, extra[0])}: unknown top-level key; "
            "expected [model] and [[claim]] tables"
        )
    if "claim" not in data:
        raise NdcnpInputError("no [[claim]] tables: an audit file needs at least one claim")
    tables = data["claim"]
    if not isinstance(tables, list) or not all(isinstance(c, dict) for c in tables):
        raise NdcnpInputError("claim must be an array of tables ([[claim]])")
    if not tables:
        raise NdcnpInputError("the claim list is empty: an audit file needs at least one claim")
    claims = tuple(_claim(model, table, f"claim[{i}]") for i, table in enumerate(tables, 1))
    labels = [c.label for c in claims]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise NdcnpInputError(f"claim label {twice[0]!r} is used twice")
    return AuditFile(str(path), model, semantics, claims)


def _model(data: Mapping[str, Any], source: str) -> tuple[NeuronModel, str]:
    """The file's model: declared in ``[model]``, or a shipped one named by ``use``."""
    spec = data.get("model")
    if not (isinstance(spec, dict) and "use" in spec):
        return model_from_toml(data, source)
    from ndtheory.spec import MODELS

    extra = sorted(set(spec) - {"use", "semantics"})
    if extra:
        raise NdcnpInputError(
            f"{at_line('model.' + extra[0], source, extra[0])}: with model.use, the model is "
            "the shipped declaration; only model.semantics may be given"
        )
    name = string(spec, "use", "model")
    if name not in MODELS:
        raise NdcnpInputError(
            f"model.use must name a shipped model ({', '.join(MODELS)}); got {name!r}"
        )
    semantics = string(spec, "semantics", "model", default="decay")
    return MODELS[name], MODELS[name].check_semantics(semantics)


def _claim(model: NeuronModel, table: Mapping[str, Any], where: str) -> Claim:
    label = string(table, "label", where)
    where = f"{where} ({label!r})" if label else where
    kind = string(table, "kind", where)
    if kind not in KINDS:
        raise NdcnpInputError(f"{where}.kind must be one of {', '.join(KINDS)}; got {kind!r}")
    allowed = (*_COMMON, *_KEYS[kind])
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise NdcnpInputError(
            f"{where}.{extra[0]}: not a key of a {kind} claim; expected {', '.join(allowed)}"
        )
    common = {
        "label": label,
        "kind": kind,
        "source": string(table, "source", where, default=""),
        "note": string(table, "note", where, default=""),
        "text": table["expr"] if isinstance(table.get("expr"), str) else "",
    }
    if kind == "closed-form":
        return _closed_form(model, table, where, common)
    if kind == "bound":
        expr = parse_expression(string(table, "expr", where), claim_names(model), f"{where}.expr")
        if expr.has(I) or expr.has(t):
            raise NdcnpInputError(f"{where}.expr: a bound is in parameters and S only, not I or t")
        return Claim(
            **common,
            expr=expr,
            direction=_choice(table, "direction", where, DIRECTIONS, "both"),
            relation=_choice(table, "relation", where, (">", ">="), ">"),
            neighbours=_choice(table, "neighbours", where, NEIGHBOURS[:2], "always"),
        )
    if kind == "value":
        expr = parse_expression(string(table, "expr", where), claim_names(model), f"{where}.expr")
        at = _values(model, table, where, required=False)
        missing = sorted(s.name for s in expr.free_symbols - set(at))
        if missing:
            raise NdcnpInputError(f"{where}.at: no value for {missing[0]!r} in expr")
        return Claim(**common, expr=expr, at=at, equals=_number(table, "equals", where))
    return _rate(model, table, where, common)


def _closed_form(model: NeuronModel, table, where: str, common: dict) -> Claim:
    unit = string(table, "unit", where)
    if unit not in {u.name for u in model.units}:
        raise NdcnpInputError(
            f"{where}.unit: {unit!r} is not a unit of {model.name} "
            f"({', '.join(u.name for u in model.units)})"
        )
    trajectory = _choice(table, "trajectory", where, TRAJECTORIES, "continuous")
    update = model.update(unit, "decay")
    own = model.unit(unit).symbol
    slope = sp.diff(update, own)
    if own in slope.free_symbols or sp.diff(slope, own) != 0:
        raise NdcnpInputError(
            f"{where}.unit: the update {unit} = {update} is not affine in {unit}, and a "
            "closed-form claim needs X(t) = a X(t-1) + b"
        )
    general = trajectory == "general"
    expr = parse_expression(
        string(table, "expr", where),
        claim_names(model),
        f"{where}.expr",
        sequences={"K": K_SEQ, "P": P_SEQ} if general else None,
        index=n if general else None,
    )
    return Claim(**common, expr=expr, unit=unit, trajectory=trajectory)


def _rate(model: NeuronModel, table, where: str, common: dict) -> Claim:
    at = _values(model, table, where, required=True)
    needed = {p.symbol for p in model.parameters} | {SUM_W}
    missing = sorted(s.name for s in needed - set(at))
    neighbours = _choice(table, "neighbours", where, NEIGHBOURS, "always")
    if missing and not (missing == ["sum_W"] and neighbours == "none"):
        name = "S" if missing[0] == "sum_W" else missing[0]
        raise NdcnpInputError(f"{where}.at: no value for {name!r}; a rate claim needs them all")
    for parameter in model.parameters:
        value = float(at[parameter.symbol])
        if not parameter.contains(value):
            raise NdcnpInputError(
                f"{where}.at.{parameter.name} must be in {parameter.range_text()}; got {value:g}"
            )
    steps = table.get("steps")
    if steps is None:
        raise NdcnpInputError(f"{where}.steps is missing")
    if not (
        isinstance(steps, list)
        and len(steps) == 2
        and all(isinstance(s, int) and not isinstance(s, bool) for s in steps)
        and 1 <= steps[0] <= steps[1] <= 100_000
    ):
        raise NdcnpInputError(
            f"{where}.steps must be [first, last] with 1 <= first <= last <= 100000; got {steps!r}"
        )
    tolerance = table.get("tolerance", 0.005)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise NdcnpInputError(f"{where}.tolerance must be a number >= 0; got {tolerance!r}")
    value = _number(table, "I", where)
    if value < 0:
        raise NdcnpInputError(f"{where}.I must be >= 0; got {value}")
    equals = _number(table, "equals", where)
    if not 0 <= equals <= 1:
        raise NdcnpInputError(f"{where}.equals must be a rate in [0, 1] (or 0% to 100%)")
    semantics = table.get("semantics")
    if semantics is not None:
        semantics = _choice(table, "semantics", where, ("decay", "decay-on-fire"), "decay")
    return Claim(
        **common,
        at=at,
        I=value,
        equals=equals,
        steps=(steps[0], steps[1]),
        neighbours=neighbours,
        tolerance=float(tolerance),
        semantics=semantics,
    )


def _choice(table, key: str, where: str, choices: tuple[str, ...], default: str) -> str:
    value = string(table, key, where, default=default)
    if value not in choices:
        raise NdcnpInputError(f"{where}.{key} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _number(table, key: str, where: str) -> sp.Rational:
    """An exact number: a TOML number, or a string such as ``"6/5"`` or ``"60%"``."""
    if key not in table:
        raise NdcnpInputError(f"{where}.{key} is missing")
    raw = table[key]
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise NdcnpInputError(f"{where}.{key} must be a number; got {raw!r}")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise NdcnpInputError(f"{where}.{key} must be finite; got {raw!r}")
        return sp.Rational(repr(raw)) if isinstance(raw, float) else sp.Integer(raw)
    text, scale = (raw[:-1], sp.Rational(1, 100)) if raw.strip().endswith("%") else (raw, 1)
    value = parse_expression(text, {}, f"{where}.{key}") * scale
    if not (value.is_number and value.is_real and value.is_finite):
        raise NdcnpInputError(f"{where}.{key} must be a finite real number; got {raw!r}")
    return value


def _values(model: NeuronModel, table, where: str, *, required: bool) -> dict:
    if "at" not in table:
        if required:
            raise NdcnpInputError(f"{where}.at is missing")
        return {}
    at = table["at"]
    if not isinstance(at, dict):
        raise NdcnpInputError(f'{where}.at must be a table like {{alpha = "4/5"}}; got {at!r}')
    names = claim_names(model)
    out = {}
    for key in at:
        if key not in names:
            raise NdcnpInputError(f"{where}.at.{key}: not a parameter of {model.name}, I, S or t")
        out[names[key]] = _number(at, key, f"{where}.at")
    return out
