"""A model parameter and its range, read without SymPy (a leaf of the spec).

The simulators and Corollary 1's numeric solutions check values against these
ranges; keeping them free of SymPy lets ``ndcnp fuse`` run without importing it
(SymPy loads only for :attr:`Parameter.symbol` and :attr:`Parameter.interval`).
:mod:`ndtheory.modelfile` reads the ranges of a model file with
:func:`declared_parameters`, and so does :func:`read_parameters` for a file's
numeric side alone.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ndtheory.errors import NdcnpInputError

if TYPE_CHECKING:
    import sympy as sp


@dataclass(frozen=True)
class Parameter:
    """A model parameter and its valid range.

    Parameters
    ----------
    name : str
        The paper's symbol, spelled as in the API and CLI (``lam`` for lambda).
    low, high : float
        Range ends; ``math.inf`` for unbounded.
    low_open, high_open : bool
        Whether the ends are excluded.
    description : str
        One line for help texts.
    typical : (float, float), optional
        Where the parameter is usually set, for sampling (property tests) and
        plots when the valid range is unbounded; default: the valid range.
    """

    name: str
    low: float
    high: float
    low_open: bool = True
    high_open: bool = True
    description: str = ""
    typical: tuple[float, float] | None = None

    @property
    def symbol(self) -> sp.Symbol:
        """The SymPy symbol with the assumptions the range implies.

        Positive for a range above 0 or open at 0, non-negative for ``[0, ...``,
        real otherwise.
        """
        import sympy as sp

        if self.low > 0 or (self.low == 0 and self.low_open):
            return sp.Symbol(self.name, positive=True)
        if self.low == 0:
            return sp.Symbol(self.name, nonnegative=True)
        return sp.Symbol(self.name, real=True)

    @property
    def sampling_range(self) -> tuple[float, float]:
        """:attr:`typical` if given, else the valid range (which must then be finite)."""
        if self.typical is not None:
            return self.typical
        if math.isinf(self.low) or math.isinf(self.high):
            raise ValueError(f"{self.name}: an unbounded range needs a typical range")
        return (self.low, self.high)

    @property
    def interval(self) -> sp.Interval:
        """The range as a SymPy interval."""
        import sympy as sp

        low = -sp.oo if self.low == -math.inf else sp.nsimplify(self.low)
        high = sp.oo if self.high == math.inf else sp.nsimplify(self.high)
        return sp.Interval(low, high, self.low_open, self.high_open)

    def range_text(self) -> str:
        """The range in interval notation, e.g. ``(0, 1)`` or ``(0, inf)``."""

        def end(v: float) -> str:
            return "inf" if math.isinf(v) else f"{v:g}"

        return (
            f"{'(' if self.low_open else '['}{end(self.low)}, "
            f"{end(self.high)}{')' if self.high_open else ']'}"
        )

    def contains(self, value: float) -> bool:
        """Whether ``value`` is a finite number inside the range."""
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def check(self, value: float) -> float:
        """Return ``value`` as a float, or raise :class:`NdcnpInputError`."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise NdcnpInputError(f"{self.name} must be a number; got {value!r}") from None
        if not self.contains(number):
            raise NdcnpInputError(f"{self.name} must be in {self.range_text()}; got {value:g}")
        return number


INPUT = Parameter(
    "I", 0.0, math.inf, low_open=False, description="external input", typical=(0.0, 4.0)
)
"""The external input's range unless a model file gives ``model.typical.I``."""


def validate_values(
    model: str, parameters: tuple[Parameter, ...], params: Mapping[str, float]
) -> dict[str, float]:
    """Check a full parameter set of the model called ``model`` against its ranges.

    Returns
    -------
    dict of str to float
        The values as floats, in declaration order.

    Raises
    ------
    NdcnpInputError
        For a missing, unknown or out-of-range parameter.
    """
    declared = [p.name for p in parameters]
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise NdcnpInputError(
            f"parameter {unknown[0]!r} is not a parameter of {model}; "
            f"expected {', '.join(declared)}"
        )
    missing = [n for n in declared if n not in params]
    if missing:
        raise NdcnpInputError(f"{model} needs parameter {missing[0]}; got none")
    return {p.name: p.check(params[p.name]) for p in parameters}


_INTERVAL = re.compile(r"^\s*([\(\[])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\)\]])\s*$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _end(end_text: str, where: str, text: str) -> float:
    """One end of an interval: ``oo``, ``-oo``, a decimal, or (SymPy) any numeric expression."""
    if end_text in ("oo", "+oo", "-oo"):
        return -math.inf if end_text.startswith("-") else math.inf
    if _DECIMAL.match(end_text):
        return float(end_text)  # correctly rounded, as float() of SymPy's exact value
    import sympy as sp

    from ndtheory.modelfile import parse_expression  # e.g. "1/3", "pi/4": SymPy reads them

    value = parse_expression(end_text, {"oo": sp.oo}, where)
    if not (value.is_number and (value.is_real or value in (sp.oo, -sp.oo))):
        raise NdcnpInputError(f"{where}: {end_text!r} is not a number in {text!r}")
    return float(value)


def parse_interval(text: Any, where: str) -> tuple[float, float, bool, bool]:
    """``"(0, 1)"`` or ``"[0, oo)"`` as ``(low, high, low_open, high_open)``.

    Raises
    ------
    NdcnpInputError
        For anything that is not a non-empty interval with numeric ends (``oo`` ends open).
    """
    if not isinstance(text, str):
        raise NdcnpInputError(f'{where} must be an interval string like "(0, 1)"; got {text!r}')
    match = _INTERVAL.match(text)
    if match is None:
        raise NdcnpInputError(f"{where}: {text!r} is not an interval like (0, 1) or [0, oo)")
    opening, low_text, high_text, closing = match.groups()
    low, high = (_end(end_text, where, text) for end_text in (low_text, high_text))
    low_open, high_open = opening == "(", closing == ")"
    if (math.isinf(low) and not low_open) or (math.isinf(high) and not high_open):
        raise NdcnpInputError(f"{where}: an infinite end must be open in {text!r}")
    if not (low < high or (low == high and not low_open and not high_open)):
        raise NdcnpInputError(f"{where}: {text!r} is empty (its low end is not below its high)")
    return low, high, low_open, high_open


def typical_range(text: Any, where: str, valid: tuple[float, float]) -> tuple[float, float]:
    """A ``model.typical`` sampling range: finite and inside ``valid``."""
    low, high, _, _ = parse_interval(text, where)
    if math.isinf(low) or math.isinf(high):
        raise NdcnpInputError(f"{where}: a sampling range must be finite; got {text!r}")
    if low < valid[0] or high > valid[1]:
        raise NdcnpInputError(f"{where}: {text!r} leaves the parameter's valid range")
    return (low, high)


def declared_parameters(
    parameters: Mapping[str, Any],
    typical: Mapping[str, Any],
    descriptions: Mapping[str, Any],
    where: Any = None,
) -> tuple[tuple[Parameter, ...], Parameter]:
    """A model file's parameters and its input's range, from its parsed tables.

    ``descriptions`` holds checked strings; ``where(key)`` names a parameter's line in
    errors (default ``model.parameters.KEY``). Names are not checked here
    (:func:`ndtheory.model.check_name` is, by the model).
    """
    declared = []
    for key, text in parameters.items():
        at = where(key) if where is not None else f"model.parameters.{key}"
        low, high, low_open, high_open = parse_interval(text, at)
        span = None
        if key in typical:
            span = typical_range(typical[key], f"model.typical.{key}", (low, high))
        elif math.isinf(low) or math.isinf(high):
            raise NdcnpInputError(
                f"{at}: the range {text} is unbounded, so model.typical.{key} "
                "(a sampling range) is needed"
            )
        declared.append(
            Parameter(key, low, high, low_open, high_open, descriptions.get(key, ""), typical=span)
        )
    input_parameter = INPUT
    if "I" in typical:
        span = typical_range(typical["I"], "model.typical.I", (0.0, math.inf))
        input_parameter = Parameter(
            "I", 0.0, math.inf, low_open=False, description="external input", typical=span
        )
    return tuple(declared), input_parameter


def read_parameters(path: str | Path) -> tuple[str, tuple[Parameter, ...], Parameter]:
    """``(name, parameters, input parameter)`` of the model file at ``path``, without SymPy.

    Only the numeric side of a file :func:`ndtheory.modelfile.load_model` reads in full
    (with the same ranges); for the shipped models, which that reading has checked.
    """
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))["model"]
    parameters, input_parameter = declared_parameters(
        data.get("parameters", {}), data.get("typical", {}), data.get("descriptions", {})
    )
    return data["name"], parameters, input_parameter
