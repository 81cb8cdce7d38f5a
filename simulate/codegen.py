"""Update code printed from a :class:`ndtheory.spec.NeuronModel`.

Both engines evaluate the *same* printed source: the NumPy reference runs it on
arrays, the numba kernel pastes it into a scalar loop. Printing once is what
makes their results bit-identical: the same operations in the same order.

Printing rules, chosen so that NumPy and numba round alike:

* ``Piecewise`` becomes nested ``where(cond, a, b)``: ``numpy.where`` in the
  reference, a scalar select in numba.
* Integer powers become explicit products (``x*x*x``, ``1/(x*x)``): NumPy and
  numba would otherwise pick different algorithms for ``x**3``.
* Subexpressions that depend on parameters only (``exp(-alpha)``) are evaluated
  once per run, outside both engines, and enter as the constants ``_c0, _c1, ...``.

Every name the printed source reads is a model name (a unit, a parameter,
``P``, ``K``, ``I``), a constant ``_c0, _c1, ...`` or one of
:data:`ENGINE_FUNCTIONS`; every other name an engine generates around it starts
with an underscore. The spec refuses model names that start with one, or that
are engine functions, so the two can never collide.

Functions of the *state* (``exp(U)``) are evaluated by NumPy's ufuncs in the
reference and by libm in numba; their identity is not guaranteed and no
declared model uses them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.str import StrPrinter

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import NeuronModel

_RELATIONAL_OPS = {"<", "<=", ">", ">=", "==", "!="}
ENGINE_FUNCTIONS: tuple[str, ...] = (
    "where",
    "power",
    "exp",
    "log",
    "sqrt",
    "Abs",
    "Min",
    "Max",
    "tanh",
)
"""The functions printed source may call; each engine defines them (the spec
refuses them as model names)."""

_FUNCTIONS = set(ENGINE_FUNCTIONS) - {"where", "power"}


class _UpdatePrinter(StrPrinter):
    """StrPrinter with Python-evaluable, engine-neutral output."""

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *pieces, (last, last_cond) = expr.args
        if last_cond is not sp.true:
            raise NotImplementedError("a Piecewise needs a final (expr, True) branch")
        out = self._print(last)
        for value, cond in reversed(pieces):
            out = f"where({self._print_condition(cond)}, {self._print(value)}, {out})"
        return out

    def _print_condition(self, cond: sp.Basic) -> str:
        if isinstance(cond, sp.core.relational.Relational) and cond.rel_op in _RELATIONAL_OPS:
            lhs, rhs = self._print(cond.lhs), self._print(cond.rhs)
            return f"(({lhs}) {cond.rel_op} ({rhs}))"
        raise NotImplementedError(f"cannot print the condition {cond}")

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.as_base_exp()
        if exponent.is_Integer and exponent != 0:
            factor = "*".join([f"({self._print(base)})"] * abs(int(exponent)))
            return f"({factor})" if exponent > 0 else f"(1.0/({factor}))"
        return f"power({self._print(base)}, {self._print(exponent)})"

    def _print_Function(self, expr: sp.Function) -> str:
        name = expr.func.__name__
        if name not in _FUNCTIONS:
            raise NotImplementedError(f"no engine implements the function {name}")
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    _print_Min = _print_Function
    _print_Max = _print_Function
    _print_Abs = _print_Function

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return repr(float(sp.E))

    def _print_Pi(self, expr: sp.Basic) -> str:
        return repr(float(sp.pi))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({expr.p}/{expr.q})"

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))


@dataclass(frozen=True, eq=False)
class PrintedModel:
    """A model's update step as Python source over engine-neutral names.

    Compared and hashed by identity: :func:`print_model` returns one per
    ``(model, semantics)``.

    Attributes
    ----------
    model : NeuronModel
        The declaration it was printed from.
    semantics : str
        ``"decay"`` or ``"decay-on-fire"``.
    units : tuple of str
        Unit names in declaration order.
    updates : dict of str to str
        Each unit's value at step ``t`` over step ``t - 1`` values (``P`` the
        neuron's own spike, ``K`` the coupling input, ``I`` the external input).
    fire_lhs, fire_op, fire_rhs : str
        The firing condition ``lhs op rhs`` over the new unit values.
    parameters : tuple of str
        Parameter names that appear directly in the sources.
    constants : dict of str to sympy.Expr
        Parameter-only subexpressions, named ``_c0, _c1, ...`` in the sources.
    """

    model: NeuronModel
    semantics: str
    units: tuple[str, ...]
    updates: dict[str, str]
    fire_lhs: str
    fire_op: str
    fire_rhs: str
    parameters: tuple[str, ...]
    constants: dict[str, sp.Expr]

    @property
    def fire_lhs_label(self) -> str:
        """The left side of the firing condition as SymPy prints it, e.g. ``U*(V + 1)``."""
        return sp.sstr(self.model.fires.lhs)

    @property
    def fire_rhs_label(self) -> str:
        """The right side of the firing condition as SymPy prints it."""
        return sp.sstr(self.model.fires.rhs)

    def _lambdified(self, exprs: Mapping[str, sp.Expr]) -> dict[str, Callable[..., Any]]:
        symbols = [self.model.symbols[p.name] for p in self.model.parameters]
        return {k: sp.lambdify(symbols, e, modules="numpy") for k, e in exprs.items()}

    @functools.cached_property
    def _constant_functions(self) -> dict[str, Callable[..., Any]]:
        return self._lambdified(self.constants)

    @functools.cached_property
    def _initial_functions(self) -> dict[str, Callable[..., Any]]:
        initial = self.model.initial_state()
        return self._lambdified({k: e for k, e in initial.items() if k != "P"})

    def constant_values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Evaluate the constants for validated parameter values (floats or arrays)."""
        values = [params[p.name] for p in self.model.parameters]
        return {name: f(*values) for name, f in self._constant_functions.items()}

    def initial_values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Unit values at ``t = 0`` from the model's declared initial expressions."""
        values = [params[p.name] for p in self.model.parameters]
        return {name: f(*values) for name, f in self._initial_functions.items()}

    @functools.cached_property
    def code(self) -> dict[str, CodeType]:
        """Compiled code objects of the sources, for :func:`eval` in the reference."""
        sources = dict(self.updates, fire_lhs=self.fire_lhs, fire_rhs=self.fire_rhs)
        return {k: compile(v, f"<{self.model.name}:{k}>", "eval") for k, v in sources.items()}


def _hoist_constants(
    expr: sp.Expr, parameters: set[sp.Symbol], constants: dict[sp.Expr, sp.Symbol]
) -> sp.Expr:
    """Replace maximal parameter-only compound subtrees by constant symbols."""
    if expr.is_Atom:
        return expr
    if expr.free_symbols and expr.free_symbols <= parameters and not expr.is_Relational:
        if expr not in constants:
            constants[expr] = sp.Symbol(f"_c{len(constants)}")
        return constants[expr]
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(
            *[(_hoist_constants(e, parameters, constants), c) for e, c in expr.args],
            evaluate=False,
        )
    return expr.func(*[_hoist_constants(a, parameters, constants) for a in expr.args])


@functools.cache
def print_model(model: NeuronModel, semantics: str) -> PrintedModel:
    """Print a model's updates and firing condition as engine-neutral source.

    Parameters
    ----------
    model : NeuronModel
        Any declared model.
    semantics : str
        One of ``model.semantics``.

    Returns
    -------
    PrintedModel
        Cached per ``(model, semantics)``.
    """
    model.check_semantics(semantics)
    printer = _UpdatePrinter()
    parameter_symbols = {model.symbols[p.name] for p in model.parameters}
    hoisted: dict[sp.Expr, sp.Symbol] = {}

    def emit(expr: sp.Expr) -> str:
        return printer.doprint(_hoist_constants(expr, parameter_symbols, hoisted))

    updates = {name: emit(expr) for name, expr in model.updates(semantics).items()}
    fires = model.fires
    if fires.rel_op not in _RELATIONAL_OPS - {"==", "!="}:
        raise NdcnpInputError(f"{model.name}: firing condition must be an inequality; got {fires}")
    lhs, rhs = emit(fires.lhs), emit(fires.rhs)
    used = set()
    for expr in (*model.updates(semantics).values(), fires.lhs, fires.rhs):
        used |= {s.name for s in expr.free_symbols}
    return PrintedModel(
        model=model,
        semantics=semantics,
        units=tuple(u.name for u in model.units),
        updates=updates,
        fire_lhs=lhs,
        fire_op=fires.rel_op,
        fire_rhs=rhs,
        parameters=tuple(p.name for p in model.parameters if p.name in used),
        constants={str(sym): expr for expr, sym in hoisted.items()},
    )


NUMPY_NAMESPACE: dict[str, Callable[..., Any]] = {
    "where": np.where,
    "power": np.power,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "Abs": np.abs,
    "Min": np.minimum,
    "Max": np.maximum,
    "tanh": np.tanh,
}
"""What the printed names mean when the reference evaluates them on arrays."""

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
"""The firing comparison by its printed operator."""
