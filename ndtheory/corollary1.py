"""Corollary 1 (Eq. 19 of [1]_) solved for one parameter, numerically and without SymPy.

The roots are the closed forms ``tools/print_solved.py`` printed into
:mod:`ndtheory._solved` from :func:`ndtheory.bound.derived_solutions` (a test keeps
them equal), and the ranges are those the ND-CNP model file declares, read by
:func:`ndtheory.parameter.read_parameters`: the fusion's parameter rule
(``fusion.configure``) solves for lambda and beta in every process, and this
module lets it do so without importing SymPy. :mod:`ndtheory.bound` re-exports
:func:`solve_for`.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.2, Eqs. (14)-(19).
"""

from __future__ import annotations

import math
from functools import cache

from ndtheory import _solved
from ndtheory.errors import NdcnpInputError
from ndtheory.parameter import Parameter, read_parameters
from ndtheory.shipped import MODEL_FILES

SUM_W_PARAMETER = Parameter(
    "sum_W", 0.0, math.inf, low_open=False, description="sum(W), the coupling when all fire"
)
"""``sum(W)``: the coupling input when every neighbour fires; any value >= 0."""
BOUND_PARAMETERS: tuple[str, ...] = ("I", "alpha", "beta", "gamma", "lam", "sum_W")
"""The names :func:`solve_for` can solve for, in the paper's order."""


@cache
def _ranges() -> dict[str, Parameter]:
    """ND-CNP's parameters (from its model file), ``sum_W`` and ``I``, by name."""
    _, parameters, input_parameter = read_parameters(MODEL_FILES[0])
    return {**{p.name: p for p in parameters}, "sum_W": SUM_W_PARAMETER, "I": input_parameter}


def solve_for(parameter: str, **known: float) -> float:
    """The value of one parameter that puts the given input on the bound (Eq. 19 with equality).

    Parameters
    ----------
    parameter : {"I", "alpha", "beta", "gamma", "lam", "sum_W"}
        The parameter to solve for.
    **known : float
        Every other one of ``I, alpha, beta, gamma, lam, sum_W`` (``I`` is the
        largest input the neuron will see).

    Returns
    -------
    float
        The unique value in the parameter's range with ``B = I`` (Eq. 17). ``alpha``,
        ``beta``, ``gamma`` and ``lam`` enter ``B`` through a linear equation;
        ``sum_W`` through a quadratic, of whose roots at most one is >= 0 (their
        sum ``-(I + 1 - beta)`` is negative). With this value, inputs up to ``I``
        satisfy Corollary 1.

    Raises
    ------
    NdcnpInputError
        If ``parameter`` is unknown, a value is missing, unknown or out of range,
        or no value in the parameter's range puts ``I`` on the bound.

    Examples
    --------
    >>> round(solve_for("lam", I=1.2, alpha=0.8, beta=0.2, gamma=0.5, sum_W=1.2), 12)
    15.0
    """
    if parameter not in BOUND_PARAMETERS:
        raise NdcnpInputError(
            f"parameter must be one of {', '.join(BOUND_PARAMETERS)}; got {parameter!r}"
        )
    needed = [n for n in BOUND_PARAMETERS if n != parameter]
    unknown = sorted(set(known) - set(needed))
    if unknown:
        raise NdcnpInputError(
            f"{unknown[0]} is not needed to solve for {parameter}; give {', '.join(needed)}"
        )
    missing = [n for n in needed if n not in known]
    if missing:
        raise NdcnpInputError(f"solving for {parameter} needs {missing[0]}; got none")
    ranges = _ranges()
    values = {name: ranges[name].check(value) for name, value in known.items()}
    target = ranges[parameter]
    others, functions = _solved.SOLUTIONS[parameter]
    scale = max(1.0, *(abs(v) for v in values.values()))
    found = []
    for function in functions:
        try:
            root = complex(function(*(values[n] for n in others)))
        except ZeroDivisionError:
            continue
        if abs(root.imag) > 1e-12 * max(1.0, abs(root.real)):
            continue
        value = root.real
        # a closed end hit up to rounding (sum_W = 0) is that end
        if not target.low_open and abs(value - target.low) <= 1e-12 * scale:
            value = target.low
        if target.contains(value):
            found.append(value)
    if not found:
        given = ", ".join(f"{n}={values[n]:g}" for n in needed)
        from ndtheory.bound import _independent_of  # SymPy, for this message only
        from ndtheory.spec import ND_CNP

        if _independent_of(ND_CNP, parameter, values):
            raise NdcnpInputError(
                f"the bound (Eq. 17) does not depend on {parameter} for {given}; "
                f"every {parameter} or none puts I on it"
            )
        raise NdcnpInputError(
            f"no {parameter} in {target.range_text()} puts the bound (Eq. 17) at I for {given}"
        )
    return float(min(found))
