"""The classes a neuron model is declared with: :class:`NeuronModel`, its units and parameters.

A leaf: it imports only SymPy and :mod:`ndtheory.errors`. Models themselves are declared as
data in TOML files (:mod:`ndtheory.modelfile` reads them; :mod:`ndtheory.spec` registers the
shipped ones).

A model is a set of units (state variables), each with

* a *decay* expression: the carried-over value once the unit's consumption is
  applied (Eq. (7) of [1]_ replaces the spike consumption of Eqs. (1)-(3) by a
  linear decay, ``U - u = alpha*U``);
* an *inputs* expression: what is added every step.

Symbols inside those expressions mean values at step ``t - 1``: the units
themselves, the neuron's own spike ``P``, and ``K``, the coupling input
``sum_kl W_kl P_kl(t-1)`` (zero outside the image). ``I`` is the external input.
The firing condition is read on the new values at step ``t``.

Semantics say when the decay applies:

``"decay"``
    every step: ``X(t) = decay(X(t-1)) + inputs``. This is the form the paper's
    analysis (Theorems 1-4) is written in.
``"decay-on-fire"``
    Eqs. (1)-(3) read literally: the consumption acts only on steps after the
    neuron fired (``P(t-1) = 1``); otherwise ``X(t) = X(t-1) + inputs``.

Under continuous firing the two coincide. A term that acts only on steps after
the neuron fired (a *firing-gated* term, e.g. the constant consumption ``-u`` of
Eq. (1) read literally) is written multiplied by ``P``: ``inputs = I + K - u*P``.
Parameter-only subexpressions such as ``exp(-alpha_F)`` are allowed anywhere.

Names are checked at declaration (:data:`RESERVED`): a unit or parameter may not
shadow a symbol of the theory, a Python keyword, a function of the generated code,
or start with ``_`` (every identifier the code generator emits does), so a model's
names can never collide with the simulator's.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Sections 3.1-3.2.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import sympy as sp

from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.parameter import INPUT, Parameter, validate_values

Semantics = Literal["decay", "decay-on-fire"]
SEMANTICS: tuple[str, ...] = ("decay", "decay-on-fire")

P = sp.Symbol("P", nonnegative=True)
"""The neuron's own spike at step ``t - 1`` (0 or 1)."""
K = sp.Symbol("K", nonnegative=True)
"""Coupling input ``sum_kl W_kl P_kl(t-1)`` received at step ``t``."""
I = sp.Symbol("I", nonnegative=True)  # noqa: E741 - the paper's symbol
"""External input (stimulus) of the neuron."""
SUM_W = sp.Symbol("sum_W", nonnegative=True)
"""``sum(W)``: the coupling input when every neighbour fires."""

RESERVED: frozenset[str] = frozenset(
    {"t", "n", "I", "K", "P", "S", "sum_W"}
    | {"where", "power", "exp", "log", "sqrt", "Abs", "Min", "Max", "tanh"}
)
"""Names no unit or parameter may take: the theory's symbols (step ``t``, sum index ``n``,
input, coupling, own spike, ``S = sum_W``) and the functions of the generated code. Python
keywords and names starting with ``_`` are refused too (:func:`check_name`)."""


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if a unit or parameter may be called so, else raise.

    Raises
    ------
    NdcnpInputError
        One line naming ``name`` and the rule it breaks.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise NdcnpInputError(f"{what} {name!r} is not an identifier")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise NdcnpInputError(f"{what} {name!r} is a Python keyword; choose another name")
    if name.startswith("_"):
        raise NdcnpInputError(
            f"{what} {name!r} starts with '_', which is reserved for generated code"
        )
    if name in RESERVED:
        raise NdcnpInputError(
            f"{what} {name!r} is reserved ({', '.join(sorted(RESERVED))}); choose another name"
        )
    return name


@dataclass(frozen=True)
class Unit:
    """One state variable of a neuron (a memory unit of the P system).

    Parameters
    ----------
    name : str
        Its symbol, e.g. ``"U"``.
    decay : sympy.Expr
        Its value at ``t - 1`` after consumption, e.g. ``alpha*U``.
    inputs : sympy.Expr
        What is added at every step, e.g. ``I + K``.
    initial : sympy.Expr
        Its value at ``t = 0``.
    description : str
        One line for documentation.
    """

    name: str
    decay: sp.Expr
    inputs: sp.Expr
    initial: sp.Expr = sp.S.Zero
    description: str = ""

    @property
    def symbol(self) -> sp.Symbol:
        """The unit's symbol (its value at ``t - 1`` inside update expressions)."""
        return sp.Symbol(self.name)


@dataclass(frozen=True)
class NeuronModel:
    """A spiking neuron declared as data.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"nd-cnp"``.
    units : tuple of Unit
        The state variables, updated synchronously.
    parameters : tuple of Parameter
        Every symbol the updates use besides units, ``P``, ``K`` and ``I``.
    firing : sympy.Rel
        Firing condition on the new unit values, e.g. ``U*(1 + V) > T``.
    semantics : tuple of str
        The semantics this model supports (see the module docstring).
    source : str
        Where its equations come from.
    """

    name: str
    units: tuple[Unit, ...]
    parameters: tuple[Parameter, ...]
    firing: sp.Rel
    semantics: tuple[str, ...] = SEMANTICS
    source: str = ""
    input_parameter: Parameter = INPUT

    def __post_init__(self) -> None:
        for unit in self.units:
            check_name(unit.name, f"{self.name}: unit")
        for parameter in self.parameters:
            check_name(parameter.name, f"{self.name}: parameter")
        names = [u.name for u in self.units] + [p.name for p in self.parameters]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise NdcnpInputError(f"{self.name}: {duplicated[0]!r} is declared twice")
        known = set(names) | {P.name, K.name, I.name}
        for unit in self.units:
            for expr in (unit.decay, unit.inputs, unit.initial):
                unknown = {s.name for s in expr.free_symbols} - known
                if unknown:
                    raise NdcnpInputError(
                        f"{self.name}: unit {unit.name} uses unknown name {sorted(unknown)[0]!r}"
                    )
        unknown = {s.name for s in self.firing.free_symbols} - known
        if unknown:
            raise NdcnpInputError(
                f"{self.name}: the firing condition uses unknown name {sorted(unknown)[0]!r}"
            )
        for s in self.semantics:
            if s not in SEMANTICS:
                raise NdcnpInputError(f"{self.name}: unknown semantics {s!r}")

    def unit(self, name: str) -> Unit:
        """The unit called ``name``."""
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (``"I"`` included)."""
        for parameter in (*self.parameters, self.input_parameter):
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every symbol of the model by name: units, parameters, ``P``, ``K``, ``I``."""
        out = {u.name: u.symbol for u in self.units}
        out.update({p.name: p.symbol for p in self.parameters})
        out.update({"P": P, "K": K, "I": I})
        return out

    def _canonical(self, expr: sp.Expr) -> sp.Expr:
        """Re-express ``expr`` over the model's own symbols (with their assumptions)."""
        by_name = self.symbols
        return expr.xreplace({s: by_name[s.name] for s in expr.free_symbols})

    def update(self, unit: str, semantics: Semantics) -> sp.Expr:
        """The unit's value at step ``t`` as an expression of step ``t - 1``.

        Parameters
        ----------
        unit : str
            Unit name.
        semantics : {"decay", "decay-on-fire"}
            When the decay applies.

        Returns
        -------
        sympy.Expr
            For ``"decay"``: ``decay + inputs``. For ``"decay-on-fire"``:
            ``Piecewise((decay, P = 1), (unit, otherwise)) + inputs``.
        """
        self.check_semantics(semantics)
        u = self.unit(unit)
        decay, inputs = self._canonical(u.decay), self._canonical(u.inputs)
        if semantics == "decay":
            return decay + inputs
        return sp.Piecewise((decay, sp.Eq(P, 1)), (u.symbol, True)) + inputs

    def updates(self, semantics: Semantics) -> dict[str, sp.Expr]:
        """:meth:`update` for every unit, in declaration order."""
        return {u.name: self.update(u.name, semantics) for u in self.units}

    @property
    def fires(self) -> sp.Rel:
        """The firing condition over the model's symbols."""
        return self._canonical(self.firing)

    def firing_margin(self) -> tuple[sp.Expr, bool]:
        """``(margin, strict)``: the neuron fires iff ``margin > 0`` (strict) or ``>= 0``.

        ``lhs - rhs`` for ``lhs > rhs`` or ``>=``, ``rhs - lhs`` for ``<`` or ``<=``.

        Raises
        ------
        NotDerivableError
            If the firing condition is not an inequality.
        """
        fires = self.fires
        if fires.rel_op in (">", ">="):
            return fires.lhs - fires.rhs, fires.rel_op == ">"
        if fires.rel_op in ("<", "<="):
            return fires.rhs - fires.lhs, fires.rel_op == "<"
        raise NotDerivableError(f"{self.name}: the firing condition {fires} is not an inequality")

    def initial_state(self) -> dict[str, sp.Expr]:
        """Unit values at ``t = 0``; ``P(0) = 0``."""
        state = {u.name: self._canonical(u.initial) for u in self.units}
        state["P"] = sp.Integer(0)
        return state

    def check_semantics(self, semantics: str) -> str:
        """Return ``semantics`` if this model supports it, else raise."""
        if semantics not in self.semantics:
            raise NdcnpInputError(
                f"semantics must be one of {', '.join(self.semantics)}; got {semantics!r}"
            )
        return semantics

    def validate(self, params: Mapping[str, float]) -> dict[str, float]:
        """Check a full parameter set (``I`` not included) against the declared ranges.

        See :func:`ndtheory.parameter.validate_values`, which this calls.
        """
        return validate_values(self.name, self.parameters, params)

    def _repr_latex_(self) -> str:
        lines = [
            rf"{sp.latex(u.symbol)}(t) &= {sp.latex(self.update(u.name, 'decay'))}"
            for u in self.units
        ]
        lines.append(rf"P(t) &= \left[{sp.latex(self.fires)}\right]")
        return r"$\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}$"
