"""The two CNP systems of an image pair, run at once on two cores: the fusion hot path."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from simulate.checks import check_grid_run, check_stimulus, kernel_offsets
from simulate.grid import _run_numba
from simulate.threads import available_threads

if TYPE_CHECKING:
    from ndtheory.spec import NeuronModel


def simulate_pair(
    I_a: Any,
    I_b: Any,
    params_a: Mapping[str, float],
    params_b: Mapping[str, float],
    W: Any,
    n_steps: int,
    *,
    model: NeuronModel | str = "nd-cnp",
    semantics: str = "decay",
    border: str = "zero",
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Spike counts of the systems ``Phi_A`` and ``Phi_B`` of ND-CNPFuse (Sec. 4.2 (b)).

    Each system is the grid of :func:`simulate.grid.simulate_grid` run by its
    numba engine (a kernel generated for the model and W's shape, see
    :mod:`simulate._kernel`), with the reference's counts bit for bit. The two
    systems run in two threads, which the kernel allows by releasing the GIL, so
    on two cores a pair costs about one system.

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
    threads : int, optional
        Threads to run on: 2 or more runs the systems at once, 1 one after the
        other. Default: :func:`simulate.threads.available_threads` (the CPUs this
        process may use, or ``NDCNP_THREADS``).

    Returns
    -------
    counts_a, counts_b : (M, N) int64 ndarray
        The spiking matrices ``SM_A`` and ``SM_B`` that Eq. (21) sums.

    Raises
    ------
    NdcnpInputError
        For invalid input, as :func:`simulate.grid.simulate_grid` does, or
        ``threads`` that is not a positive integer.
    """
    if threads is None:
        threads = available_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise NdcnpInputError(f"threads must be a positive integer; got {threads!r}")
    printed, kernel, steps, border = check_grid_run(model, semantics, W, n_steps, border)
    checked = [printed.validate(params_a), printed.validate(params_b)]
    images = [check_stimulus(I_a, printed), check_stimulus(I_b, printed)]
    offsets = kernel_offsets(kernel)

    def run(image: np.ndarray, params: dict[str, float]) -> np.ndarray:
        return _run_numba(printed, image, kernel, offsets, params, steps, border, None)[0]

    if threads == 1:
        return run(images[0], checked[0]), run(images[1], checked[1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(run, images, checked)
    return a, b
