"""Many grids at once on an NVIDIA GPU: the batch path behind ``--device cuda``.

One kernel launch advances every grid of the batch by several steps: each
block takes a tile of one grid with a halo, keeps the spikes of the region in
shared memory and its units in per-thread arrays, and runs coupling input, unit
updates, firing test and spike count for every step before writing the tile
back (see :class:`Tiling`). Spikes are double-buffered, so the update stays
synchronous. The
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
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel
from simulate._step import coupling_term, indent, initial_lines, step_lines
from simulate.checks import check_grid_run, check_input_values, kernel_offsets
from simulate.codegen import print_model
from simulate.printed import PrintedModel

CUDA_MISSING = "--device cuda needs an NVIDIA GPU with CUDA; none was found"
"""The one-line error when the GPU path is asked for on a machine without one."""

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


@dataclass(frozen=True)
class Tiling:
    """How one launch covers the grids: tiles advanced several steps in shared memory.

    A block owns a ``tile`` x ``tile`` square of one grid and holds, around
    it, a halo deep enough for ``steps`` steps of coupling (``steps`` times the
    kernel's half-sides). It runs ``steps`` steps on the whole region with the
    spikes in shared memory and the units in per-thread arrays; after each
    step the outermost ring of the halo no longer matches the full grid, and
    after ``steps`` steps exactly the tile does, which is what it writes back.
    Global memory is read and written once per ``steps`` steps, not every step.
    """

    tile: int
    steps: int
    halo_r: int
    halo_c: int
    threads: int

    @property
    def region(self) -> tuple[int, int]:
        """Rows and columns of the region a block computes."""
        return self.tile + 2 * self.halo_r, self.tile + 2 * self.halo_c

    @property
    def cells(self) -> int:
        """Region cells per thread."""
        rows, cols = self.region
        return -(-(rows * cols) // self.threads)


def tiling(kernel_shape: tuple[int, int], *, simulator: bool = False) -> Tiling:
    """The launch layout for a coupling kernel of ``kernel_shape``.

    Halos stay at most half a tile deep, so a block computes at most about
    four times its tile; the simulator gets a tiny layout (it runs one Python
    thread per GPU thread).
    """
    tile, threads = (4, 16) if simulator else (32, 256)
    r, c = kernel_shape[0] // 2, kernel_shape[1] // 2
    steps = max(1, min(8, (tile // 2) // max(r, c, 1)))
    if simulator:
        steps = 3
    return Tiling(tile, steps, steps * r, steps * c, threads)


def _kernel_source(printed: PrintedModel, layout: Tiling, rounded: bool = True) -> str:
    """Python source of the multi-step kernel for ``printed`` and ``layout``.

    The step of each neuron comes from :mod:`simulate._step`, the template the
    numba CPU kernel fills too; every name this adds starts with an underscore,
    so that the model's own names (``I``, ``U``, ``alpha``) are free for the
    printed expressions. With ``rounded=False`` the arithmetic stays plain
    operators, which the CUDA compiler may contract (the tests' control).
    """
    arith = _rounded if rounded else (lambda source: source)
    scalars = [*printed.parameters, *printed.constants]
    rows, cols = layout.region
    n_units = len(printed.units)

    def cell(indent: int) -> list[str]:
        # Region cell c of this thread: (_ry, _rx) in the region, (_gy, _gx) in the grid.
        pad = " " * indent
        return [
            f"{pad}_idx = _tid + _c * {layout.threads}",
            f"{pad}_ry = _idx // {cols}",
            f"{pad}_rx = _idx - _ry * {cols}",
        ]

    def state(k: int, unit: str) -> str:
        return f"_state[{k}, _c]"

    body = [
        "def _steps(_I, _state_in, _state_out, _P_in, _P_out, _count, _off_r, _off_c,",
        "           _weights, _values, _init, _first, _n):",
        "    _tid = _cuda.threadIdx.x",
        "    _s = _cuda.blockIdx.z",
        "    _S, _M, _N = _I.shape",
        f"    _y0 = _cuda.blockIdx.y * {layout.tile} - {layout.halo_r}",
        f"    _x0 = _cuda.blockIdx.x * {layout.tile} - {layout.halo_c}",
        f"    _P_sh = _cuda.shared.array((2, {rows}, {cols}), _numba.uint8)",
        f"    _state = _cuda.local.array(({n_units}, {layout.cells}), _numba.float64)",
        f"    _I_l = _cuda.local.array({layout.cells}, _numba.float64)",
        f"    _inside = _cuda.local.array({layout.cells}, _numba.uint8)",
        f"    _fired_l = _cuda.local.array({layout.cells}, _numba.int32)",
        f"    for _c in _range({layout.cells}):",
        *cell(8),
        f"        if _idx < {rows * cols}:",
        "            _gy = _y0 + _ry",
        "            _gx = _x0 + _rx",
        "            _in = _gy >= 0 and _gy < _M and _gx >= 0 and _gx < _N",
        "            _inside[_c] = 1 if _in else 0",
        "            _fired_l[_c] = 0",
        "            _P_sh[1, _ry, _rx] = 0",
        "            if _in:",
        "                _I_l[_c] = _I[_s, _gy, _gx]",
        "                _P_sh[0, _ry, _rx] = _P_in[_s, _gy, _gx]",
        "                if _first:",
        indent(initial_lines(printed, state, lambda k, u: f"_init[_s, {k}]"), 5),
        "                else:",
        *[
            f"                    _state[{k}, _c] = _state_in[{k}, _s, _gy, _gx]"
            for k in range(n_units)
        ],
        "            else:",
        # Outside the grid a neuron never fires: the zero border.
        "                _P_sh[0, _ry, _rx] = 0",
        "    _cuda.syncthreads()",
        "    for _t in _range(_n):",
        "        _cur = _t % 2",
        "        _nxt = 1 - _cur",
        f"        for _c in _range({layout.cells}):",
        *cell(12),
        f"            if _idx < {rows * cols} and _inside[_c]:",
        # K in the reference's order (simulate._step); only the halo's outermost
        # ring, which is not written back, misses neighbours outside the region.
        "                K = 0.0",
        "                for _o in _range(_weights.shape[0]):",
        "                    _y = _ry + _off_r[_o]",
        "                    _x = _rx + _off_c[_o]",
        f"                    if _y >= 0 and _y < {rows} and _x >= 0 and _x < {cols}:",
        "                        _p = 1.0 if _P_sh[_cur, _y, _x] else 0.0",
        f"                        K = {coupling_term('K', '_weights[_o]', '_p', arith)}",
        "                P = 1.0 if _P_sh[_cur, _ry, _rx] else 0.0",
        "                I = _I_l[_c]",
        *[f"                {name} = _values[_s, {k}]" for k, name in enumerate(scalars)],
        indent(step_lines(printed, load=state, store=state, arith=arith), 4),
        "                _P_sh[_nxt, _ry, _rx] = 1 if _fired else 0",
        "                if _fired:",
        "                    _fired_l[_c] += 1",
        "        _cuda.syncthreads()",
        f"    for _c in _range({layout.cells}):",
        *cell(8),
        f"        if _idx < {rows * cols} and _inside[_c]:",
        f"            if _ry >= {layout.halo_r} and _ry < {layout.halo_r + layout.tile}:",
        f"                if _rx >= {layout.halo_c} and _rx < {layout.halo_c + layout.tile}:",
        "                    _gy = _y0 + _ry",
        "                    _gx = _x0 + _rx",
        "                    _P_out[_s, _gy, _gx] = _P_sh[_n % 2, _ry, _rx]",
        "                    _count[_s, _gy, _gx] += _fired_l[_c]",
        *[
            f"                    _state_out[{k}, _s, _gy, _gx] = _state[{k}, _c]"
            for k in range(n_units)
        ],
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
    printed: PrintedModel, layout: Tiling, intrinsics: Mapping[str, Any], rounded: bool = True
) -> Any:
    """The Python function of the multi-step kernel, before ``cuda.jit``."""
    import numba
    from numba import cuda

    try:
        source = _kernel_source(printed, layout, rounded)
    except NotImplementedError as error:
        raise NdcnpInputError(f"{printed.name} cannot run on the GPU: {error}") from None
    namespace: dict[str, Any] = {"_cuda": cuda, "_numba": numba, "_range": range, **intrinsics}
    name = f"<ndcnp-cuda:{printed.name}:{printed.semantics}>"
    exec(compile(source, name, "exec"), namespace)
    return namespace["_steps"]


@functools.cache
def _kernel(model: NeuronModel, semantics: str, layout: Tiling, simulator: bool) -> Any:
    from numba import cuda

    printed = print_model(model, semantics)
    return cuda.jit(_kernel_function(printed, layout, _intrinsics()))


def _check_stimuli(stimuli: Any, model: NeuronModel) -> np.ndarray:
    I = check_input_values(stimuli, model, "stimuli")  # noqa: E741 - the paper's symbol
    if I.ndim != 3 or I.size == 0:
        raise NdcnpInputError(f"stimuli must be a non-empty (B, M, N) array; got shape {I.shape}")
    return np.ascontiguousarray(I)


def _system_values(
    printed: PrintedModel, params: Mapping[str, Any], n_systems: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-system scalars (parameters, then constants) and initial unit values."""

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
        row = printed.validate({name: column[s] for name, column in columns.items()})
        constants = printed.constant_values(row)
        values[s] = [row[n] for n in printed.parameters] + [
            float(constants[c]) for c in printed.constants
        ]
        start = printed.initial_values(row)
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
    printed, kernel, steps, border = check_grid_run(model, semantics, W, n_steps, border)
    I = _check_stimuli(stimuli, model)  # noqa: E741 - the paper's symbol
    if border != "zero":
        raise NdcnpInputError(f"border must be 'zero' on the GPU; got {border!r}")
    values, initial = _system_values(printed, params, I.shape[0])
    off_r, off_c, weights = kernel_offsets(kernel)
    require_cuda()
    from numba import cuda

    simulator = _simulator()
    layout = tiling(kernel.shape, simulator=simulator)
    run = _kernel(model, semantics, layout, simulator)
    S, M, N = I.shape
    grid = (math.ceil(N / layout.tile), math.ceil(M / layout.tile), S)
    state = (len(printed.units), S, M, N)
    d_I = cuda.to_device(I)
    # The first launch sets the units to their initial values; later ones read them.
    d_state = [cuda.device_array(state), cuda.device_array(state)]
    d_P = [
        cuda.to_device(np.zeros((S, M, N), dtype=np.uint8)),
        cuda.device_array((S, M, N), np.uint8),
    ]
    d_count = cuda.to_device(np.zeros((S, M, N), dtype=np.int32))
    offsets = [
        cuda.to_device(off_r - kernel.shape[0] // 2),
        cuda.to_device(off_c - kernel.shape[1] // 2),
        cuda.to_device(weights),
    ]
    d_values = cuda.to_device(values)
    d_initial = cuda.to_device(np.ascontiguousarray(initial.T))
    done = 0
    while done < steps:
        n = min(layout.steps, steps - done)
        first = int(done == 0)
        run[grid, layout.threads](
            d_I,
            d_state[0],
            d_state[1],
            d_P[0],
            d_P[1],
            d_count,
            *offsets,
            d_values,
            d_initial,
            first,
            n,
        )
        d_state.reverse()
        d_P.reverse()
        done += n
    return d_count.copy_to_host().astype(np.int64)
