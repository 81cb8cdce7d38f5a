"""Neuron models as TOML files: expressions parsed under a whitelist, never evaluated.

The format (``docs/audit.md`` documents it with every optional key)::

    [model]
    name = "nd-cnp"
    semantics = "decay"             # or "decay-on-fire": the one claims are checked under
    firing = "U*(1 + V) > T"        # >, >=, <, <= on the new unit values
    [model.units]                   # right-hand sides read values at t-1, the input I,
    U = "alpha*U + I + K"           # K = sum of W over the neighbours that fired at t-1,
    V = "beta*V + K"                # and P = own spike at t-1
    T = "gamma*T + lam*P"
    [model.parameters]              # intervals; oo is infinity
    alpha = "(0, 1)"
    lam = "(0, oo)"
    [model.typical]                 # sampling ranges, needed for unbounded parameters
    lam = "[0.5, 30]"

A unit's right-hand side is split into its *decay* (the terms that contain the unit
itself) and its *inputs* (the other terms), as :class:`~ndtheory.model.Unit` holds them:
the ``"decay-on-fire"`` semantics applies the decay only after a spike.

Expressions are read with :mod:`ast` and only a whitelist of node types is turned into
SymPy objects (numbers, names of the model, ``+ - * / **``, the functions of
:data:`FUNCTIONS`, one comparison where a relation is expected). Nothing is ``eval``-ed:
``__import__('os')``, attribute access, subscripts, strings and lambdas are refused with
a one-line :class:`~ndtheory.errors.NdcnpInputError` naming the key.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sympy as sp

from ndtheory.errors import NdcnpInputError
from ndtheory.model import SEMANTICS, I, K, NeuronModel, P, Unit, check_name
from ndtheory.parameter import declared_parameters

FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "Abs": sp.Abs,
    "Min": sp.Min,
    "Max": sp.Max,
    "tanh": sp.tanh,
}
"""Functions an expression may call (the ones the simulators' code generator prints)."""

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_RELATIONS = {
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
}
_NODE_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.JoinedStr: "strings",
    ast.List: "lists",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.BoolOp: "and/or",
    ast.IfExp: "if-else",
    ast.NamedExpr: ":=",
    ast.Starred: "*",
}
MODEL_KEYS = ("name", "semantics", "firing", "source", "description", "units", "parameters")
OPTIONAL_TABLES = ("typical", "initial", "descriptions")


def parse_expression(
    text: Any,
    names: Mapping[str, sp.Basic],
    where: str,
    *,
    relation: bool = False,
    sequences: Mapping[str, sp.Function] | None = None,
    index: sp.Symbol | None = None,
) -> sp.Basic:
    """Build the SymPy expression ``text`` denotes, reading only whitelisted syntax.

    Parameters
    ----------
    text : str
        E.g. ``"alpha*U + I + K"``; ``^`` is refused (write ``**``).
    names : mapping of str to sympy.Basic
        Every name the expression may use, and what it stands for.
    where : str
        The key ``text`` was read from, for error messages (e.g. ``model.units.U``).
    relation : bool
        Expect one comparison (``>``, ``>=``, ``<``, ``<=``) instead of an expression.
    sequences : mapping of str to sympy.Function, optional
        Sequences that may be called with one argument, e.g. ``K(n)``; with ``index``
        given, ``Sum(term, (n, low, high))`` is allowed too.
    index : sympy.Symbol, optional
        The summation index of ``Sum``.

    Raises
    ------
    NdcnpInputError
        One line naming ``where`` for anything outside the whitelist.
    """
    if not isinstance(text, str):
        raise NdcnpInputError(f"{where} must be a string; got {_type_name(text)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise NdcnpInputError(f"{where}: cannot parse {text!r} ({error.msg})") from None
    sequences = dict(sequences or {})
    scope = dict(names)
    if index is not None:
        scope[index.name] = index

    def bad(what: str) -> NdcnpInputError:
        return NdcnpInputError(f"{where}: {what} not allowed in {text!r}")

    def build(node: ast.AST, top: bool = False) -> sp.Basic:
        if isinstance(node, ast.Compare):
            if not (top and relation):
                raise bad("a comparison is")
            if len(node.ops) != 1 or type(node.ops[0]) not in _RELATIONS:
                raise bad("only one of >, >=, <, <= is")
            left, right = build(node.left), build(node.comparators[0])
            return _RELATIONS[type(node.ops[0])](left, right)
        if top and relation:
            raise NdcnpInputError(f"{where}: {text!r} is not a comparison (>, >=, <, <=)")
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                raise bad("'^' is (write ** for a power)")
            if type(node.op) not in _BINARY:
                raise bad(f"the operator {type(node.op).__name__} is")
            left, right = build(node.left), build(node.right)
            if isinstance(node.op, ast.Pow) and right.is_Number and abs(right) > 1000:
                # SymPy would evaluate 2**10**10 exactly, for ever
                raise bad(f"a numeric exponent above 1000 ({right}) is")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return build(node.operand)
            raise bad(f"the operator {type(node.op).__name__} is")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise bad(f"the constant {value!r} is")
            return sp.Integer(value) if isinstance(value, int) else sp.Rational(repr(value))
        if isinstance(node, ast.Name):
            if node.id not in scope:
                raise NdcnpInputError(f"{where}: unknown name {node.id!r} in {text!r}")
            return scope[node.id]
        if isinstance(node, ast.Call):
            return call(node)
        for kind, name in _NODE_NAMES.items():
            if isinstance(node, kind):
                raise bad(f"{name} are" if name.endswith("s") else f"{name} is")
        raise bad(f"{type(node).__name__} is")

    def call(node: ast.Call) -> sp.Basic:
        if not isinstance(node.func, ast.Name):
            raise bad("calling anything but a named function is")
        name = node.func.id
        if node.keywords:
            raise bad("keyword arguments are")
        if name == "Sum" and index is not None:
            if len(node.args) != 2 or not isinstance(node.args[1], ast.Tuple):
                raise bad(f"Sum other than Sum(term, ({index}, low, high)) is")
            limits = node.args[1].elts
            if len(limits) != 3 or not (
                isinstance(limits[0], ast.Name) and limits[0].id == index.name
            ):
                raise bad(f"Sum other than Sum(term, ({index}, low, high)) is")
            term, low, high = build(node.args[0]), build(limits[1]), build(limits[2])
            return sp.Sum(term, (index, low, high))
        if name in sequences:
            if len(node.args) != 1:
                raise bad(f"{name}(...) with other than one argument is")
            return sequences[name](build(node.args[0]))
        if name not in FUNCTIONS:
            known = ", ".join([*FUNCTIONS, *sequences, *(["Sum"] if index is not None else [])])
            raise NdcnpInputError(
                f"{where}: unknown function {name!r} in {text!r} (allowed: {known})"
            )
        return FUNCTIONS[name](*(build(a) for a in node.args))

    try:
        return build(tree.body, top=True)
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as error:
        if isinstance(error, NdcnpInputError):
            raise
        raise NdcnpInputError(f"{where}: cannot build {text!r} ({error})") from None


def line_of(source: str, key: str) -> int | None:
    """The first line (1-based) of ``source`` that assigns ``key``, for error messages."""
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for number, line in enumerate(source.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def at_line(where: str, source: str, key: str) -> str:
    """``where`` with `` (line N)`` appended when ``key`` is found in ``source``."""
    line = line_of(source, key)
    return where if line is None else f"{where} (line {line})"


def _type_name(value: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}.get(
        type(value), "a table" if isinstance(value, dict) else type(value).__name__
    )


def table(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> dict:
    """``data[key]`` checked to be a TOML table (``{}`` when optional and absent)."""
    if key not in data:
        if required:
            raise NdcnpInputError(f"{where}.{key} is missing")
        return {}
    value = data[key]
    if not isinstance(value, dict):
        raise NdcnpInputError(f"{where}.{key} must be a table; got {_type_name(value)}")
    return value


def string(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    """``data[key]`` checked to be a string (``default`` when absent, if given)."""
    if key not in data:
        if default is None:
            raise NdcnpInputError(f"{where}.{key} is missing")
        return default
    value = data[key]
    if not isinstance(value, str):
        raise NdcnpInputError(f"{where}.{key} must be a string; got {_type_name(value)}")
    return value


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """The parsed TOML file and its text; bad TOML as one line with its line and column."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise NdcnpInputError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise NdcnpInputError(f"{path} is not UTF-8 text") from None
    try:
        return tomllib.loads(source), source
    except tomllib.TOMLDecodeError as error:
        raise NdcnpInputError(f"{path}: bad TOML: {error}") from None


def model_from_toml(data: Mapping[str, Any], source: str = "") -> tuple[NeuronModel, str]:
    """The :class:`~ndtheory.model.NeuronModel` of a parsed file's ``[model]`` table.

    Parameters
    ----------
    data : mapping
        The parsed TOML document.
    source : str
        Its text, to name line numbers in errors.

    Returns
    -------
    (NeuronModel, str)
        The model and the semantics its claims are checked under.

    Raises
    ------
    NdcnpInputError
        One line naming the key (and its line where found) for any defect.
    """
    spec = table(data, "model", "file")
    unknown = sorted(set(spec) - set(MODEL_KEYS) - set(OPTIONAL_TABLES))
    if unknown:
        raise NdcnpInputError(
            f"{at_line('model.' + unknown[0], source, unknown[0])}: unknown key; "
            f"expected {', '.join(MODEL_KEYS + OPTIONAL_TABLES)}"
        )
    name = string(spec, "name", "model")
    semantics = string(spec, "semantics", "model", default="decay")
    if semantics not in SEMANTICS:
        raise NdcnpInputError(
            f"model.semantics must be one of {', '.join(SEMANTICS)}; got {semantics!r}"
        )
    units_table = table(spec, "units", "model")
    if not units_table:
        raise NdcnpInputError("model.units is empty; declare at least one unit")
    parameters_table = table(spec, "parameters", "model", required=False)
    typical = table(spec, "typical", "model", required=False)
    initial = table(spec, "initial", "model", required=False)
    descriptions = table(spec, "descriptions", "model", required=False)

    for key in (*units_table, *parameters_table):
        kind = "units" if key in units_table else "parameters"
        check_name(key, at_line(f"model.{kind}.{key}", source, key))
    both = sorted(set(units_table) & set(parameters_table))
    if both:
        raise NdcnpInputError(f"model.parameters.{both[0]} is also a unit")
    for key, what in ((typical, "typical"), (initial, "initial"), (descriptions, "descriptions")):
        allowed = set(units_table) if what == "initial" else {*units_table, *parameters_table}
        if what == "typical":
            allowed = set(parameters_table) | {"I"}
        extra = sorted(set(key) - allowed)
        if extra:
            raise NdcnpInputError(
                f"{at_line(f'model.{what}.{extra[0]}', source, extra[0])}: "
                f"{extra[0]!r} is not a {'unit' if what == 'initial' else 'parameter'} of {name}"
            )

    parameters, input_parameter = declared_parameters(
        parameters_table,
        typical,
        {k: string(descriptions, k, "model.descriptions", default="") for k in parameters_table},
        lambda key: at_line(f"model.parameters.{key}", source, key),
    )
    symbols: dict[str, sp.Basic] = {key: sp.Symbol(key) for key in units_table}
    symbols.update({p.name: p.symbol for p in parameters})
    symbols.update({"I": I, "K": K, "P": P})
    parameter_symbols = {p.name: p.symbol for p in parameters}

    units = []
    for key, text in units_table.items():
        where = at_line(f"model.units.{key}", source, key)
        update = parse_expression(text, symbols, where)
        own = sp.Symbol(key)
        terms = sp.Add.make_args(update)
        decay = sp.Add(*(term for term in terms if own in term.free_symbols))
        inputs = sp.Add(*(term for term in terms if own not in term.free_symbols))
        start = sp.S.Zero
        if key in initial:
            start = parse_expression(initial[key], parameter_symbols, f"model.initial.{key}")
        units.append(
            Unit(
                key,
                decay,
                inputs,
                start,
                description=string(descriptions, key, "model.descriptions", default=""),
            )
        )
    firing = parse_expression(
        string(spec, "firing", "model"),
        symbols,
        at_line("model.firing", source, "firing"),
        relation=True,
    )
    model = NeuronModel(
        name=name,
        units=tuple(units),
        parameters=tuple(parameters),
        firing=firing,
        source=string(spec, "source", "model", default=""),
        input_parameter=input_parameter,
    )
    return model, semantics


def load_model(path: str | Path) -> NeuronModel:
    """The model declared in the TOML file at ``path`` (its claims are not read)."""
    data, source = read_toml(path)
    return model_from_toml(data, source)[0]


def loads_model(text: str) -> NeuronModel:
    """The model declared in the TOML document ``text``, e.g. inside a test file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise NdcnpInputError(f"bad TOML: {error}") from None
    return model_from_toml(data, text)[0]
