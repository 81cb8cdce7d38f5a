"""The two CNP systems of an image pair, run at once on two cores."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel
from simulate.grid import simulate_grid


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

    Each system is :func:`simulate.grid.simulate_grid` with the numba engine;
    the two run in two threads, which the kernel allows by releasing the GIL,
    so on two cores a pair costs about one system.

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
    options = {"model": model, "semantics": semantics, "border": border, "engine": "numba"}
    jobs = [(I_a, params_a), (I_b, params_b)]
    if threads == 1:
        a, b = (simulate_grid(x, p, W, n_steps, **options).counts for x, p in jobs)
        return a, b
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(simulate_grid, x, p, W, n_steps, **options) for x, p in jobs]
        a, b = (f.result().counts for f in futures)
    return a, b
