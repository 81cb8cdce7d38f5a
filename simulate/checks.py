"""Validation of simulator inputs, done once at each public entry point."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ndtheory.errors import NdcnpInputError

if TYPE_CHECKING:
    from ndtheory.spec import NeuronModel
    from simulate.printed import PrintedModel

BORDERS: tuple[str, ...] = ("zero", "reflect", "periodic")
"""Border modes of the grid; see :func:`simulate.grid.simulate_grid`."""

NUMPY_PAD_MODE = {"zero": "constant", "reflect": "symmetric", "periodic": "wrap"}
"""The :func:`numpy.pad` mode that draws each border mode."""


def check_n_steps(n_steps: Any) -> int:
    """``n_steps`` as a non-negative int."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps < 0:
        raise NdcnpInputError(f"n_steps must be a non-negative integer; got {n_steps!r}")
    return int(n_steps)


def check_border(border: Any) -> str:
    """``border`` if it names a border mode."""
    if border not in BORDERS:
        raise NdcnpInputError(f"border must be one of {', '.join(BORDERS)}; got {border!r}")
    return border


def check_kernel(W: Any) -> np.ndarray:
    """The coupling kernel as a C-contiguous float64 array with odd sides.

    Raises
    ------
    NdcnpInputError
        Unless ``W`` is a 2-D array of finite non-negative numbers with odd sides.
    """
    try:
        kernel = np.array(W, dtype=np.float64)
    except (TypeError, ValueError):
        raise NdcnpInputError("W must be a 2-D array of numbers") from None
    if kernel.ndim != 2 or kernel.size == 0:
        raise NdcnpInputError(f"W must be a 2-D array; got shape {kernel.shape}")
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise NdcnpInputError(f"W must have odd sides; got shape {kernel.shape}")
    if not np.all(np.isfinite(kernel)) or np.any(kernel < 0):
        raise NdcnpInputError("W must hold finite non-negative weights")
    return np.ascontiguousarray(kernel)


def check_input_values(
    values: Any, model: NeuronModel | PrintedModel, what: str = "I"
) -> np.ndarray:
    """External inputs as float64, each inside the model's input range."""
    try:
        # No copy of float64 input: the engines only read it.
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise NdcnpInputError(f"{what} must hold numbers") from None
    if not array.size:
        return array
    low, high = float(array.min()), float(array.max())
    # min and max propagate NaN and reach any infinity: no separate pass for finiteness.
    if not (np.isfinite(low) and np.isfinite(high)):
        raise NdcnpInputError(f"{what} must be finite")
    rule = model.input_parameter
    if not (rule.contains(low) and rule.contains(high)):
        bad = low if not rule.contains(low) else high
        raise NdcnpInputError(f"{what} must be in {rule.range_text()}; got {bad:g}")
    return array


def check_stimulus(stimulus: Any, model: NeuronModel | PrintedModel) -> np.ndarray:
    """A grid stimulus as a C-contiguous (M, N) float64 array inside the input range."""
    image = check_input_values(stimulus, model, "stimulus")
    if image.ndim != 2 or image.size == 0:
        raise NdcnpInputError(f"stimulus must be a non-empty 2-D array; got shape {image.shape}")
    return np.ascontiguousarray(image)


def kernel_offsets(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero weights and their padded-array offsets, in row-major kernel order.

    This order is the summation order of ``K`` in every engine; keeping it fixed
    is what makes their sums bit-identical.
    """
    rows, cols = np.nonzero(kernel)
    return rows.astype(np.int64), cols.astype(np.int64), kernel[rows, cols].copy()


def sequential_sum(values: np.ndarray) -> float:
    """``0.0 + v0 + v1 + ...`` in order: ``K`` of a neuron whose neighbours all fire."""
    total = 0.0
    for v in np.asarray(values, dtype=np.float64).ravel():
        if v != 0.0:
            total = total + float(v)
    return total


class GridRun(NamedTuple):
    """The checked options every grid engine runs with (:func:`check_grid_run`)."""

    printed: PrintedModel
    kernel: np.ndarray
    n_steps: int
    border: str


def check_grid_run(
    model: NeuronModel | str, semantics: Any, W: Any, n_steps: Any, border: Any
) -> GridRun:
    """The checks every grid entry point makes (grid, pair, GPU), in one order.

    Raises
    ------
    NdcnpInputError
        For semantics the model lacks, a bad W, step count or border.
    """
    from simulate.printed import printed_model  # a shipped model's from disk, without SymPy

    printed = printed_model(model, semantics)
    return GridRun(printed, check_kernel(W), check_n_steps(n_steps), check_border(border))
