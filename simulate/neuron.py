"""A single neuron (or a batch of independent ones) with prescribed neighbour input."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel
from simulate import reference
from simulate.checks import check_input_values, check_n_steps, sequential_sum
from simulate.codegen import print_model
from simulate.printed import PrintedModel

NEIGHBOURS: tuple[str, ...] = ("none", "always", "uniform")
"""Named neighbour settings; an explicit K sequence is the fourth option."""


@dataclass(frozen=True)
class NeuronResult:
    """What :func:`simulate_neuron` returns.

    Attributes
    ----------
    traces : dict of str to ndarray
        Keys: each unit (``U``, ``V``, ``T``), ``lhs`` and ``rhs`` (the firing
        condition's sides, ``U*(V + 1)`` and ``T`` for ND-CNP), ``P`` and ``K``.
        Time is the first axis, ``t = 0..n_steps`` (``t = 0`` is the initial
        state, ``K(0) = 0``); further axes are the batch shape of ``I``.
    labels : dict of str to str
        ``lhs`` and ``rhs`` as expressions.
    neighbours : str
        The neighbour setting (``"explicit"`` for a K sequence).
    semantics : str
        The semantics run.
    """

    traces: dict[str, np.ndarray]
    labels: dict[str, str]
    neighbours: str
    semantics: str

    @property
    def spikes(self) -> np.ndarray:
        """``P(t)`` for ``t = 1..n_steps`` as int8."""
        return self.traces["P"][1:].astype(np.int8)

    @property
    def n_steps(self) -> int:
        """Number of steps run."""
        return self.traces["P"].shape[0] - 1


def _coupling_plan(
    neighbours: Any, W: Any, sum_W: Any, n_steps: int
) -> tuple[str, float, np.ndarray | None]:
    """Normalise the neighbour setting to (name, sum(W), explicit K or None)."""
    if isinstance(neighbours, str):
        if neighbours not in NEIGHBOURS:
            raise NdcnpInputError(
                f"neighbours must be one of {', '.join(NEIGHBOURS)} or a K sequence; "
                f"got {neighbours!r}"
            )
        if W is not None and sum_W is not None:
            raise NdcnpInputError("give W or sum_W, not both")
        if W is not None:
            weights = np.array(W, dtype=np.float64)
            if not np.all(np.isfinite(weights)) or np.any(weights < 0):
                raise NdcnpInputError("W must hold finite non-negative weights")
            total = sequential_sum(weights)
        elif sum_W is not None:
            total = float(sum_W)
            if not np.isfinite(total) or total < 0:
                raise NdcnpInputError(f"sum_W must be a finite number >= 0; got {sum_W!r}")
        elif neighbours == "none":
            total = 0.0
        else:
            raise NdcnpInputError(f"neighbours={neighbours!r} needs W or sum_W")
        return neighbours, total, None
    K = np.array(neighbours, dtype=np.float64)
    if K.ndim != 1 or K.size != n_steps:
        raise NdcnpInputError(
            f"an explicit K sequence must hold K(1)..K(n_steps), {n_steps} values; "
            f"got shape {K.shape}"
        )
    if not np.all(np.isfinite(K)) or np.any(K < 0):
        raise NdcnpInputError("an explicit K sequence must hold finite values >= 0")
    return "explicit", float("nan"), K


def run_batch(
    I: Any,  # noqa: E741 - the paper's symbol
    params: Mapping[str, Any],
    n_steps: int,
    *,
    neighbours: Any = "none",
    W: Any = None,
    sum_W: Any = None,
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
) -> NeuronResult:
    """:func:`simulate_neuron` for broadcastable arrays of ``I`` and parameter values.

    Each element is an independent neuron; every value is checked against its
    declared range. Used by :func:`simulate.analysis.sweep`.
    """
    printed = print_model(model, model.check_semantics(semantics))
    steps = check_n_steps(n_steps)
    inputs = check_input_values(I, model)
    names = [p.name for p in model.parameters]
    missing = [n for n in names if n not in params]
    unknown = sorted(set(params) - set(names))
    if unknown or missing:
        model.validate(params)  # raises the one-line error
    values: dict[str, Any] = {}
    for name in names:
        array = np.array(params[name], dtype=np.float64)
        for v in np.unique(array):
            model.parameter(name).check(v)
        values[name] = array if array.ndim else float(array)
    shape = np.broadcast_shapes(inputs.shape, *(np.shape(v) for v in values.values()))
    kind, total, explicit = _coupling_plan(neighbours, W, sum_W, steps)

    if shape == () and _arithmetic_only(printed, values):
        traces = _run_scalar(printed, values, float(inputs), kind, total, explicit, steps)
        return NeuronResult(
            traces=traces,
            labels={"lhs": printed.fire_lhs_label, "rhs": printed.fire_rhs_label},
            neighbours=kind,
            semantics=semantics,
        )
    ns = reference.namespace(printed, values)
    for unit, value in printed.initial_values(values).items():
        ns[unit] = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
    ns["I"] = inputs
    P = np.zeros(shape)
    zero = np.zeros(shape)
    ns["P"], ns["K"] = P, zero
    ns["_lhs"] = np.broadcast_to(eval(printed.code["fire_lhs"], ns), shape)
    ns["_rhs"] = np.broadcast_to(eval(printed.code["fire_rhs"], ns), shape)
    names_out = (*reference.trace_names(printed), "K")
    traces = {name: np.empty((steps + 1, *shape)) for name in names_out}
    for name in names_out:
        traces[name][0] = ns[reference.NS_KEY.get(name, name)]
    for t in range(1, steps + 1):
        # K(t) = sum_kl W_kl P_kl(t - 1); neighbours start from P_kl(0) = 0 like the neuron.
        if kind == "none":
            K = zero
        elif kind == "always":
            K = zero if t == 1 else np.full(shape, total)
        elif kind == "uniform":
            K = total * P
        else:
            K = np.full(shape, explicit[t - 1])
        ns["K"], ns["P"] = K, P
        fired = reference.step(printed, ns, shape)
        P = fired.astype(np.float64)
        ns["P"] = P
        for name in names_out:
            traces[name][t] = ns[reference.NS_KEY.get(name, name)]
    return NeuronResult(
        traces=traces,
        labels={"lhs": printed.fire_lhs_label, "rhs": printed.fire_rhs_label},
        neighbours=kind,
        semantics=semantics,
    )


_SCALAR_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _arithmetic_only(printed: PrintedModel, values: Mapping[str, Any]) -> bool:
    """Whether the printed updates use only + - * /, comparisons and ``where``.

    Then Python floats give bit for bit the values NumPy's float64 arithmetic
    gives (both are IEEE 754 double operations, rounded to nearest), and
    ``where(c, a, b)`` is ``a if c else b``; functions such as ``exp`` or ``**``
    keep the NumPy path.
    """
    sources = (*printed.updates.values(), printed.fire_lhs, printed.fire_rhs)
    if any("**" in source for source in sources):
        return False
    variables = {*printed.units, *printed.parameters, "I", "K", "P"}
    allowed = variables | set(printed.constant_values(values)) | {"where"}
    return all(set(code.co_names) <= allowed for code in printed.code.values())


def _run_scalar(
    printed: PrintedModel,
    values: dict[str, Any],
    I: float,  # noqa: E741 - the paper's symbol
    kind: str,
    total: float,
    explicit: np.ndarray | None,
    steps: int,
) -> dict[str, np.ndarray]:
    """:func:`run_batch` for one neuron on Python floats: the same values, a tenth the time.

    NumPy spends about a microsecond on each operation on a 0-d array; a
    million-step run is then dominated by that overhead, not by the arithmetic.
    """
    ns: dict[str, Any] = {name: float(values[name]) for name in printed.parameters}
    ns.update({k: float(v) for k, v in printed.constant_values(values).items()})
    ns["where"] = lambda condition, a, b: a if condition else b
    ns.update({u: float(v) for u, v in printed.initial_values(values).items()})
    ns["I"], ns["P"], ns["K"] = I, 0.0, 0.0
    code, units = printed.code, printed.units
    fires = _SCALAR_COMPARE[printed.fire_op]
    ns["lhs"], ns["rhs"] = float(eval(code["fire_lhs"], ns)), float(eval(code["fire_rhs"], ns))
    names = (*reference.trace_names(printed), "K")
    rows = {name: [ns[name]] for name in names}
    K_values = explicit.tolist() if explicit is not None else None
    P = 0.0
    for t in range(1, steps + 1):
        if kind == "none":
            K = 0.0
        elif kind == "always":
            K = 0.0 if t == 1 else total
        elif kind == "uniform":
            K = total * P
        else:
            K = K_values[t - 1]
        ns["K"], ns["P"] = K, P
        new = [eval(code[unit], ns) for unit in units]
        ns.update(zip(units, new, strict=True))  # synchronous, as reference.step
        lhs, rhs = eval(code["fire_lhs"], ns), eval(code["fire_rhs"], ns)
        P = 1.0 if fires(lhs, rhs) else 0.0
        ns["lhs"], ns["rhs"], ns["P"] = lhs, rhs, P
        for name in names:
            rows[name].append(ns[name])
    return {name: np.array(rows[name], dtype=np.float64) for name in names}


def simulate_neuron(
    I: float,  # noqa: E741 - the paper's symbol
    params: Mapping[str, float],
    n_steps: int,
    *,
    neighbours: Any = "none",
    W: Any = None,
    sum_W: float | None = None,
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
) -> NeuronResult:
    """Run one neuron whose neighbours' spikes are prescribed.

    The coupling input is ``K(t) = sum_kl W_kl P_kl(t - 1)`` (Eq. (1) of [1]_),
    so only ``sum(W)`` matters when all neighbours act alike. Settings:

    ``"none"``
        no neighbours: ``K(t) = 0``.
    ``"always"``
        every neighbour fires at every step ``t >= 1``; as they start from
        ``P_kl(0) = 0`` too, ``K(1) = 0`` and ``K(t) = sum(W)`` for ``t >= 2``
        (the situation of Theorem 4's proof).
    ``"uniform"``
        every neighbour behaves exactly like this neuron (a uniform stimulus on
        an unbounded grid): ``K(t) = sum(W) * P(t - 1)``.
    a sequence of ``n_steps`` values
        ``K(1), ..., K(n_steps)`` as given.

    Parameters
    ----------
    I : float
        External input; :func:`run_batch` runs arrays of inputs.
    params : mapping of str to float
        The model's parameters (ND-CNP: ``alpha, beta, gamma, lam``).
    n_steps : int
        Steps to run.
    neighbours : {"none", "always", "uniform"} or (n_steps,) array_like
        The neighbour setting.
    W : array_like, optional
        Coupling weights; their sum is taken in row-major order over the
        non-zero weights (centre included), as the grid kernel sums ``K``, so a
        uniform periodic grid gives bit-identical spikes.
    sum_W : float, optional
        ``sum(W)`` directly (give ``W`` or ``sum_W``, not both).
    semantics : {"decay", "decay-on-fire"}
        When the units decay; see :mod:`ndtheory.spec`.
    model : NeuronModel
        Any declared model; default ND-CNP.

    Returns
    -------
    NeuronResult
        Traces for ``t = 0..n_steps`` and ``spikes`` for ``t = 1..n_steps``.

    Raises
    ------
    NdcnpInputError
        For invalid parameters, input, steps or neighbour setting.

    References
    ----------
    .. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
       Multi-Focus Image Fusion", Eqs. (1)-(3), (7), Theorem 4.

    Examples
    --------
    >>> from simulate.neuron import simulate_neuron
    >>> params = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
    >>> r = simulate_neuron(2.0, params, 12, neighbours="always", sum_W=1.2)
    >>> "".join(map(str, r.spikes))
    '101111111111'
    """
    model.validate(params)
    if np.ndim(I) != 0:
        raise NdcnpInputError(f"I must be a single number; got shape {np.shape(I)}")
    return run_batch(
        I,
        params,
        n_steps,
        neighbours=neighbours,
        W=W,
        sum_W=sum_W,
        semantics=semantics,
        model=model,
    )
