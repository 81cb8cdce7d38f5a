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

import sympy as sp
from sympy.printing.str import StrPrinter

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import NeuronModel
from simulate.printed import COMPARE, NUMPY_NAMESPACE, PrintedModel

__all__ = ["COMPARE", "ENGINE_FUNCTIONS", "NUMPY_NAMESPACE", "PrintedModel", "print_model"]

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
        Cached per ``(model, semantics)`` in this process;
        :func:`simulate.printed.printed_model` keeps the shipped models' prints on disk.
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
    initial = {k: printer.doprint(e) for k, e in model.initial_state().items() if k != "P"}
    return PrintedModel(
        name=model.name,
        semantics=semantics,
        declared=model.parameters,
        input_parameter=model.input_parameter,
        units=tuple(u.name for u in model.units),
        updates=updates,
        fire_lhs=lhs,
        fire_op=fires.rel_op,
        fire_rhs=rhs,
        parameters=tuple(p.name for p in model.parameters if p.name in used),
        constants={str(sym): printer.doprint(expr) for expr, sym in hoisted.items()},
        initial=initial,
        fire_lhs_label=sp.sstr(fires.lhs),
        fire_rhs_label=sp.sstr(fires.rhs),
    )
