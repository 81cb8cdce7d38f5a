"""Exact rational arithmetic on a declared model: numbers and update steps.

The update equations are never re-typed here: :func:`exact_step` prints the
model's own SymPy updates (:meth:`ndtheory.spec.NeuronModel.updates`) and firing
relation as plain Python arithmetic, whose constants are exact rationals, so that
evaluated on :class:`fractions.Fraction` (or python-flint's ``fmpq``) values every
step is exact. Models with an irrational constant (PCNN's ``exp(-alpha_F)``) have
no exact step and raise :class:`NotDerivableError`.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Eqs. (1)-(3), (7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.spec import NeuronModel

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*(/\s*\d+\s*)?$")


def parse_exact(text: str | int | float | Fraction, name: str = "value") -> Fraction:
    """A number as an exact rational.

    ``"62/19"`` is 62/19; a decimal string means its decimal value exactly
    (``"0.1"`` is 1/10, not the double nearest to it); a float means its exact
    binary value (``Fraction(0.1)``); an int or Fraction is kept.

    Raises
    ------
    NdcnpInputError
        For anything else (``"abc"``, ``"1/0"``, ``"nan"``, ``"inf"``).
    """
    if isinstance(text, bool):
        raise NdcnpInputError(f"{name} must be a number; got {text!r}")
    if isinstance(text, int | Fraction):
        return Fraction(text)
    if isinstance(text, float):
        if text != text or text in (float("inf"), float("-inf")):
            raise NdcnpInputError(f"{name} must be finite; got {text!r}")
        return Fraction(text)
    if not isinstance(text, str) or not _NUMBER.match(text):
        raise NdcnpInputError(f"{name} must be a number such as 3, 0.1 or 62/19; got {text!r}")
    head, _, tail = text.partition("/")
    value = Fraction(head.strip())
    if tail:
        denominator = int(tail)
        if denominator == 0:
            raise NdcnpInputError(f"{name}: division by zero in {text!r}")
        value /= denominator
    return value


class ExactFloat(float):
    """A float that remembers the exact rational it was typed as (``62/19``).

    Float code paths see the nearest double; ``--exact`` code paths read
    :attr:`exact`. Used as an argparse ``type`` (:func:`exact_argument`).
    """

    exact: Fraction

    def __new__(cls, value: Fraction) -> ExactFloat:
        out = super().__new__(cls, float(value))
        out.exact = value
        return out


def exact_argument(text: str) -> ExactFloat:
    """argparse type: a number as typed (``62/19``, ``0.1``), exact and as a float."""
    import argparse

    try:
        return ExactFloat(parse_exact(text))
    except NdcnpInputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def exact_value(value: Any, name: str = "value") -> Fraction:
    """The exact rational of a CLI or API value: :attr:`ExactFloat.exact`, else
    :func:`parse_exact` (a plain float is its binary value)."""
    return value.exact if isinstance(value, ExactFloat) else parse_exact(value, name)


def fraction_text(value: Fraction) -> str:
    """``62/19 (3.26315789474)``: the exact value and a 12-digit decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    exact = str(value)
    if len(exact) > 60:
        exact = f"{str(value.numerator)[:12]}.../{str(value.denominator)[:12]}..."
    return f"{exact} ({float(value):.12g})"


class _ExactPrinter(StrPrinter):
    """Python source over exact numbers: rationals as ``Q(p, q)``, no floats."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"Q({expr.p}, {expr.q})"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"Q({expr.p})"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.as_base_exp()
        if not exponent.is_Integer:
            raise NotDerivableError(f"{expr} is not rational for rational arguments")
        return f"(({self._print(base)})**({int(exponent)}))"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *pieces, (last, last_cond) = expr.args
        if last_cond is not sp.true:
            raise NotDerivableError("a Piecewise needs a final (expr, True) branch")
        out = self._print(last)
        for value, cond in reversed(pieces):
            out = f"(({self._print(value)}) if ({self._print(cond)}) else ({out}))"
        return out

    def _print_Equality(self, expr: sp.Eq) -> str:
        return f"(({self._print(expr.lhs)}) == ({self._print(expr.rhs)}))"

    def _print_Relational(self, expr: sp.Rel) -> str:
        return f"(({self._print(expr.lhs)}) {expr.rel_op} ({self._print(expr.rhs)}))"

    def _print_Function(self, expr: sp.Function) -> str:
        raise NotDerivableError(
            f"{expr.func.__name__}(...) has no exact rational value; the model has no exact step"
        )

    _print_Exp1 = _print_Function
    _print_Pi = _print_Function

    def _print_Float(self, expr: sp.Float) -> str:
        raise NotDerivableError(f"the float constant {expr} is not exact")


@dataclass(frozen=True, eq=False)
class ExactStep:
    """A model's update and firing test compiled to exact Python arithmetic.

    Attributes
    ----------
    units : tuple of str
        Unit names in declaration order.
    parameters : tuple of str
        Parameter names, in declaration order.
    update : callable
        ``update(state, P, K, I, params) -> new state`` (tuples in unit order).
    margin : callable
        ``margin(state, params) -> lhs - rhs`` of the firing relation.
    strict : bool
        Fires iff ``margin > 0`` (strict) or ``margin >= 0``.
    initial : callable
        ``initial(params) -> state`` at ``t = 0``.
    """

    units: tuple[str, ...]
    parameters: tuple[str, ...]
    update: Callable[..., tuple]
    margin: Callable[..., Any]
    strict: bool
    initial: Callable[..., tuple]

    def fires(self, margin: Any) -> bool:
        """Whether a margin means a spike."""
        return margin > 0 if self.strict else margin >= 0


@cache
def exact_step(model: NeuronModel, semantics: str, number: str = "fraction") -> ExactStep:
    """Compile ``model``'s updates (``semantics``) and firing relation for exact numbers.

    Parameters
    ----------
    model : NeuronModel
        A declared model whose updates are rational in units, parameters, ``P``,
        ``K`` and ``I``.
    semantics : {"decay", "decay-on-fire"}
        See :mod:`ndtheory.spec`.
    number : {"fraction", "flint"}
        :class:`fractions.Fraction` or python-flint's ``fmpq`` for the constants.

    Raises
    ------
    NotDerivableError
        If an update or the firing relation has an irrational constant.
    """
    updates = model.updates(model.check_semantics(semantics))
    units = tuple(u.name for u in model.units)
    names = tuple(p.name for p in model.parameters)
    printer = _ExactPrinter()
    margin, strict = model.firing_margin()
    initial = model.initial_state()
    body = [
        "def update(state, P, K, I, params):",
        f"    ({', '.join(units)},) = state",
        *(f"    {n} = params[{n!r}]" for n in names),
        f"    return ({', '.join(printer.doprint(updates[u]) for u in units)},)",
        "def margin(state, params):",
        f"    ({', '.join(units)},) = state",
        *(f"    {n} = params[{n!r}]" for n in names),
        f"    return {printer.doprint(margin)}",
        "def initial(params):",
        *(f"    {n} = params[{n!r}]" for n in names),
        f"    return ({', '.join(printer.doprint(initial[u]) for u in units)},)",
    ]
    ns: dict[str, Any] = {"Q": _constructor(number)}
    exec(compile("\n".join(body), f"<exact step of {model.name}>", "exec"), ns)
    return ExactStep(units, names, ns["update"], ns["margin"], strict, ns["initial"])


def _constructor(number: str) -> Callable[..., Any]:
    if number == "fraction":
        return Fraction
    if number == "flint":
        try:
            from flint import fmpq
        except ImportError:
            raise NdcnpInputError(
                "number='flint' needs python-flint (pip install 'ndcnp[exact]')"
            ) from None
        return fmpq
    raise NdcnpInputError(f"number must be 'fraction' or 'flint'; got {number!r}")


def exact_parameters(
    model: NeuronModel, params: Mapping[str, Any], number: str = "fraction"
) -> dict[str, Any]:
    """The model's parameters as exact numbers, checked against the declared ranges."""
    exact = {name: exact_value(value, name) for name, value in params.items()}
    model.validate({name: float(value) for name, value in exact.items()})
    for p in model.parameters:  # the float check can round a value onto an open end
        v = exact[p.name]
        low_ok = v > p.low if p.low_open else v >= p.low
        high_ok = p.high == float("inf") or (v < p.high if p.high_open else v <= p.high)
        if not (low_ok and high_ok):
            raise NdcnpInputError(f"{p.name} must be in {p.range_text()}; got {v}")
    convert = _constructor(number)
    if number == "fraction":
        return {p.name: exact[p.name] for p in model.parameters}
    return {
        p.name: convert(exact[p.name].numerator, exact[p.name].denominator)
        for p in model.parameters
    }
