"""The two CNP systems of an image pair, run at once on two cores: the fusion hot path."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel
from simulate.checks import check_border, check_kernel, check_n_steps, check_stimulus
from simulate.codegen import PrintedModel, print_model
from simulate.grid import simulate_grid
from simulate.reference import initial_values

SPECIALISED_MAX_PIXELS = 2**19
"""Largest grid (M*N) for the W-specialised kernel. Measured by ``bench_fusion.py``:
it costs 2.4 CPU-ns per neuron update against 2.8 for the grid's numba engine up to
512x512, but 3.4-4.4 against 2.8-3.6 from 1024x1024 on, where the grid engine's
wavefront keeps its rows in cache and this kernel streams them."""


def _run_zero_border(
    printed: PrintedModel, image: np.ndarray, params: dict[str, float], W: np.ndarray, n_steps: int
) -> np.ndarray:
    from simulate._pair_kernel import pair_kernel

    M, N = image.shape
    padded = (M + 2 * (W.shape[0] // 2), N + 2 * (W.shape[1] // 2))
    counts = np.zeros((M, N), dtype=np.int64)
    initial = initial_values(printed, params)
    states = [np.full((M, N), float(initial[u])) for u in printed.units]
    constants = printed.constant_values(params)
    scalars = [float(params[p]) for p in printed.parameters]
    scalars += [float(constants[c]) for c in printed.constants]
    pair_kernel(printed, W)(
        image, np.zeros(padded), np.zeros(padded), counts, n_steps, *states, *scalars
    )
    return counts


def simulate_pair(
    I_a: Any,
    I_b: Any,
    params_a: Mapping[str, float],
    params_b: Mapping[str, float],
    W: Any,
    n_steps: int,
    *,
    model: NeuronModel = ND_CNP,
    semantics: str = "decay",
    border: str = "zero",
    threads: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Spike counts of the systems ``Phi_A`` and ``Phi_B`` of ND-CNPFuse (Sec. 4.2 (b)).

    Each system is the grid of :func:`simulate.grid.simulate_grid`, with the
    same counts bit for bit. For the zero border (the paper's) and grids of up
    to :data:`SPECIALISED_MAX_PIXELS` neurons it runs a kernel specialised to W
    (see :mod:`simulate._pair_kernel`); otherwise the grid's numba engine. The
    two systems run in two threads, which the kernels allow by releasing the
    GIL, so on two cores a pair costs about one system.

    Parameters
    ----------
    I_a, I_b : (M, N) array_like
        External inputs of the two systems (the SML maps of images A and B).
    params_a, params_b : mapping of str to float
        Each system's parameters (ND-CNP: ``alpha, beta, gamma, lam``).
    W : (2r + 1, 2c + 1) array_like
        Coupling weights, shared by both systems.
    n_steps : int
        Steps to run (the paper's fusion uses 110).
    model, semantics, border
        As for :func:`simulate.grid.simulate_grid`.
    threads : {1, 2}
        2 runs the systems at once; 1 one after the other.

    Returns
    -------
    counts_a, counts_b : (M, N) int64 ndarray
        The spiking matrices ``SM_A`` and ``SM_B`` that Eq. (21) sums.

    Raises
    ------
    NdcnpInputError
        For invalid input, as :func:`simulate.grid.simulate_grid` does, or
        ``threads`` other than 1 or 2.
    """
    if threads not in (1, 2) or isinstance(threads, bool):
        raise NdcnpInputError(f"threads must be 1 or 2; got {threads!r}")
    printed = print_model(model, model.check_semantics(semantics))
    checked = [model.validate(params_a), model.validate(params_b)]
    images = [check_stimulus(I_a, model), check_stimulus(I_b, model)]
    kernel = check_kernel(W)
    steps = check_n_steps(n_steps)
    zero_border = check_border(border) == "zero"

    def run(image: np.ndarray, params: dict[str, float]) -> np.ndarray:
        if zero_border and image.size <= SPECIALISED_MAX_PIXELS:
            return _run_zero_border(printed, image, params, kernel, steps)
        options = {"model": model, "semantics": semantics, "border": border}
        return simulate_grid(image, params, kernel, steps, **options).counts

    if threads == 1:
        return run(images[0], checked[0]), run(images[1], checked[1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(run, images, checked)
    return a, b
