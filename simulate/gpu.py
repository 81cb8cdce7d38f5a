"""Many grids at once on an NVIDIA GPU: the batch path behind ``--device cuda``.

One fused kernel launch per step advances every neuron of every grid in the
batch: coupling input, unit updates, firing test and spike count in one pass,
with the spikes double-buffered so that the update stays synchronous. The
update code is generated from the model spec through :mod:`simulate.codegen`
(the source the NumPy reference evaluates), with each arithmetic operation
turned into a correctly rounded CUDA intrinsic (``__dadd_rn``, ``__dmul_rn``,
...). The CUDA compiler fuses ``a*b + c`` into one FMA by default, and numba
offers no switch to stop it; the intrinsics are never fused, so the GPU runs the
reference's operations in the reference's order and its spike counts are the
reference's, bit for bit.

Under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the intrinsics are
plain Python float operations, which round the same way; the tests use it.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel
from simulate.checks import (
    check_border,
    check_input_values,
    check_kernel,
    check_n_steps,
    kernel_offsets,
)
from simulate.codegen import PrintedModel, print_model
from simulate.reference import initial_values

CUDA_MISSING = "--device cuda needs an NVIDIA GPU with CUDA; none was found"
"""The one-line error when the GPU path is asked for on a machine without one."""

_BLOCK = (32, 8, 1)
_SIM_BLOCK = (4, 4, 1)  # the simulator runs one Python thread per GPU thread
_INTRINSICS = {ast.Add: "_add", ast.Mult: "_mul", ast.Div: "_div"}


def _simulator() -> bool:
    from numba import config

    return bool(config.ENABLE_CUDASIM)


def cuda_available() -> bool:
    """Whether numba finds a usable CUDA GPU (or runs its CUDA simulator)."""
    try:
        from numba import cuda

        return bool(cuda.is_available())
    except Exception:  # a broken driver or toolkit means no GPU for us
        return False


def require_cuda() -> None:
    """Raise :class:`NdcnpInputError` with :data:`CUDA_MISSING` if there is no GPU."""
    if not cuda_available():
        raise NdcnpInputError(CUDA_MISSING)


class _RoundedOps(ast.NodeTransformer):
    """Rewrite arithmetic into intrinsic calls, keeping Python's evaluation order."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Sub):
            # libdevice has no __dsub_rn; IEEE a - b is a + (-b), and negation is exact.
            node = ast.BinOp(node.left, ast.Add(), ast.UnaryOp(ast.USub(), node.right))
        name = _INTRINSICS.get(type(node.op))
        if name is None:
            raise NotImplementedError(f"no rounded intrinsic for {ast.unparse(node)}")
        return ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], [])

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "where" and len(node.args) == 3:
            condition, yes, no = node.args
            return ast.IfExp(condition, yes, no)
        raise NotImplementedError(f"the cuda engine cannot evaluate {ast.unparse(node)}")

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.Constant(float(node.value))
        return node


def _rounded(source: str) -> str:
    """``source`` with each ``+ - * /`` as a call of ``_add``, ``_mul``, ``_div``."""
    tree = _RoundedOps().visit(ast.parse(source, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def _kernel_source(printed: PrintedModel, rounded: bool = True) -> str:
    """Python source of the one-step kernel for ``printed``.

    Arrays carry a leading underscore so that the model's own names (``I``,
    ``U``, ``alpha``, ``c0``) are free for the printed expressions. With
    ``rounded=False`` the arithmetic stays plain operators, which the CUDA
    compiler may contract (the tests' control).
    """
    _rounded_or_plain = _rounded if rounded else (lambda source: source)
    scalars = [*printed.parameters, *printed.constants]
    units = printed.units
    body = [
        "def _step(_I, _state, _P_old, _P_new, _count, _off_r, _off_c, _weights, _values):",
        "    _j, _i, _s = cuda.grid(3)",
        "    _S, _M, _N = _I.shape",
        "    if _s >= _S or _i >= _M or _j >= _N:",
        "        return",
        # K: the non-zero weights of the neighbours that fired, in the reference's
        # row-major order; a silent or outside neighbour adds w*0 = 0 there.
        "    K = 0.0",
        "    for _o in range(_weights.shape[0]):",
        "        _y = _i + _off_r[_o]",
        "        _x = _j + _off_c[_o]",
        "        if _y >= 0 and _y < _M and _x >= 0 and _x < _N and _P_old[_s, _y, _x]:",
        f"            K = {'_add(K, _weights[_o])' if rounded else 'K + _weights[_o]'}",
        "    P = 1.0 if _P_old[_s, _i, _j] else 0.0",
        "    I = _I[_s, _i, _j]",
    ]
    body += [f"    {name} = _values[_s, {k}]" for k, name in enumerate(scalars)]
    body += [f"    {unit} = _state[{k}, _s, _i, _j]" for k, unit in enumerate(units)]
    body += [f"    _new_{unit} = {_rounded_or_plain(printed.updates[unit])}" for unit in units]
    body += [f"    {unit} = _new_{unit}" for unit in units]
    body += [f"    _state[{k}, _s, _i, _j] = {unit}" for k, unit in enumerate(units)]
    lhs, rhs = _rounded_or_plain(printed.fire_lhs), _rounded_or_plain(printed.fire_rhs)
    body += [
        f"    _fired = ({lhs}) {printed.fire_op} ({rhs})",
        "    _P_new[_s, _i, _j] = 1 if _fired else 0",
        "    if _fired:",
        "        _count[_s, _i, _j] += 1",
    ]
    return "\n".join(body) + "\n"


def _intrinsics() -> dict[str, Callable[[float, float], float]]:
    if _simulator():
        # The simulator runs kernels as Python, whose floats round like __d*_rn
        # (its libdevice is a stub).
        return {"_add": operator.add, "_mul": operator.mul, "_div": operator.truediv}
    from numba.cuda import libdevice

    return {"_add": libdevice.dadd_rn, "_mul": libdevice.dmul_rn, "_div": libdevice.ddiv_rn}


def _kernel_function(
    printed: PrintedModel, intrinsics: Mapping[str, Any], rounded: bool = True
) -> Any:
    """The Python function of the one-step kernel, before ``cuda.jit``."""
    from numba import cuda

    try:
        source = _kernel_source(printed, rounded)
    except NotImplementedError as error:
        raise NdcnpInputError(f"{printed.model.name} cannot run on the GPU: {error}") from None
    namespace: dict[str, Any] = {"cuda": cuda, **intrinsics}
    name = f"<ndcnp-cuda:{printed.model.name}:{printed.semantics}>"
    exec(compile(source, name, "exec"), namespace)
    return namespace["_step"]


@functools.cache
def _kernel(model: NeuronModel, semantics: str, simulator: bool) -> Any:
    from numba import cuda

    return cuda.jit(_kernel_function(print_model(model, semantics), _intrinsics()))


def _check_stimuli(stimuli: Any, model: NeuronModel) -> np.ndarray:
    I = check_input_values(stimuli, model, "stimuli")  # noqa: E741 - the paper's symbol
    if I.ndim != 3 or I.size == 0:
        raise NdcnpInputError(f"stimuli must be a non-empty (B, M, N) array; got shape {I.shape}")
    return np.ascontiguousarray(I)


def _system_values(
    printed: PrintedModel, params: Mapping[str, Any], n_systems: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-system scalars (parameters, then constants) and initial unit values."""
    model = printed.model
    columns = {}
    for name, value in params.items():
        try:
            columns[name] = np.broadcast_to(np.asarray(value, dtype=object), (n_systems,))
        except ValueError:
            raise NdcnpInputError(
                f"{name} must be one number or one per grid ({n_systems}); "
                f"got shape {np.shape(value)}"
            ) from None
    n_scalars = len(printed.parameters) + len(printed.constants)
    values = np.empty((n_systems, n_scalars))
    initial = np.empty((len(printed.units), n_systems))
    for s in range(n_systems):
        row = model.validate({name: column[s] for name, column in columns.items()})
        constants = printed.constant_values(row)
        values[s] = [row[n] for n in printed.parameters] + [
            float(constants[c]) for c in printed.constants
        ]
        start = initial_values(printed, row)
        initial[:, s] = [float(start[u]) for u in printed.units]
    return values, initial


def simulate_grids_cuda(
    stimuli: Any,
    params: Mapping[str, Any],
    W: Any,
    n_steps: int,
    *,
    model: NeuronModel = ND_CNP,
    semantics: str = "decay",
    border: str = "zero",
) -> np.ndarray:
    """Spike counts of a batch of grids, run together on an NVIDIA GPU.

    Each grid is one CNP system: neuron (i, j) gets the external input
    ``stimuli[s, i, j]`` and the coupling input ``K = sum_kl W_kl P_kl(t-1)``
    (Eqs. (1)-(3) with Eq. (7)'s decay; zero outside the image). All start at 0.

    Parameters
    ----------
    stimuli : array_like, shape (B, M, N)
        External inputs ``I``, one grid per system (for ND-CNPFuse, the SML
        maps of both images of every pair).
    params : mapping of str to float or array_like of shape (B,)
        The model's parameters (``alpha``, ``beta``, ``gamma``, ``lam`` for
        ND-CNP), one value for all systems or one per system.
    W : array_like, shape (2r + 1, 2c + 1)
        Non-negative coupling weights with odd sides, centred on the neuron (a
        correlation, as in :func:`simulate.grid.simulate_grid`).
    n_steps : int
        Steps to run (``t = 1 .. n_steps``).
    model : NeuronModel
        The declared neuron (default ND-CNP).
    semantics : {"decay", "decay-on-fire"}
        When the decay applies (see :mod:`ndtheory.spec`).
    border : {"zero"}
        Spikes outside the image count as 0 (the only border on the GPU).

    Returns
    -------
    numpy.ndarray of int64, shape (B, M, N)
        Spike counts over steps ``1..n_steps`` (the spiking matrices ``SM`` of
        Eq. (21)), equal to ``simulate_grid(...).counts`` of each grid.

    Raises
    ------
    NdcnpInputError
        For invalid input, or with :data:`CUDA_MISSING` when no GPU is present.
    """
    printed = print_model(model, model.check_semantics(semantics))
    I = _check_stimuli(stimuli, model)  # noqa: E741 - the paper's symbol
    kernel = check_kernel(W)
    steps = check_n_steps(n_steps)
    if check_border(border) != "zero":
        raise NdcnpInputError(f"border must be 'zero' on the GPU; got {border!r}")
    values, initial = _system_values(printed, params, I.shape[0])
    off_r, off_c, weights = kernel_offsets(kernel)
    require_cuda()
    from numba import cuda

    step = _kernel(model, semantics, _simulator())
    S, M, N = I.shape
    block = _SIM_BLOCK if _simulator() else _BLOCK
    grid = (math.ceil(N / block[0]), math.ceil(M / block[1]), S)
    state = np.broadcast_to(initial[:, :, None, None], (len(printed.units), S, M, N))
    d_I = cuda.to_device(I)
    d_state = cuda.to_device(np.ascontiguousarray(state))
    d_old = cuda.to_device(np.zeros((S, M, N), dtype=np.uint8))
    d_new = cuda.device_array((S, M, N), dtype=np.uint8)
    d_count = cuda.to_device(np.zeros((S, M, N), dtype=np.int32))
    offsets = [
        cuda.to_device(off_r - kernel.shape[0] // 2),
        cuda.to_device(off_c - kernel.shape[1] // 2),
        cuda.to_device(weights),
    ]
    d_values = cuda.to_device(values)
    for _ in range(steps):
        step[grid, block](d_I, d_state, d_old, d_new, d_count, *offsets, d_values)
        d_old, d_new = d_new, d_old
    return d_count.copy_to_host().astype(np.int64)
