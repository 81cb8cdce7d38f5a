"""Reading a spike train: rate, transient, continuous and periodic firing, sweeps.

A finite train can only *suggest* what the neuron does for ever. Here a train
is called eventually periodic with period ``p`` after a transient ``tau`` when
``s[t] == s[t + p]`` for every observed ``t >= tau`` and the periodic part
covers at least ``min_repeats`` periods. The state (U, V, T) need not be
periodic for that; a longer run is the only check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, NeuronModel

REGIMES: tuple[str, ...] = ("silent", "periodic", "continuous", "irregular")
"""Regimes :func:`classify` assigns: eventually silent (pattern ``0``), eventually
periodic with some but not all steps firing, eventually firing every step
(pattern ``1``), or no period found within the train."""


def _train(spikes: Any) -> np.ndarray:
    train = np.asarray(spikes)
    if train.ndim != 1:
        raise NdcnpInputError(f"spikes must be a 1-D train; got shape {train.shape}")
    if train.size and not np.all((train == 0) | (train == 1)):
        raise NdcnpInputError("spikes must hold only 0 and 1")
    return train.astype(np.int8)


def firing_rate(spikes: Any, start: int = 0, stop: int | None = None) -> float:
    """Fraction of steps with a spike in ``spikes[start:stop]``.

    Parameters
    ----------
    spikes : (n,) array_like of 0/1
        A spike train, e.g. :attr:`simulate.neuron.NeuronResult.spikes`
        (index 0 is step 1).
    start, stop : int, optional
        The window, as Python slice bounds.

    Returns
    -------
    float
        Spikes over window length.

    Examples
    --------
    >>> firing_rate([1, 0, 1, 1, 0])
    0.6
    """
    window = _train(spikes)[start:stop]
    if window.size == 0:
        raise NdcnpInputError(f"the window [{start}:{stop}] of the spike train is empty")
    return float(window.sum() / window.size)


@dataclass(frozen=True)
class FiringPattern:
    """How a spike train ends.

    Attributes
    ----------
    regime : str
        One of :data:`REGIMES`.
    transient : int
        Steps before the periodic part begins (``None`` if irregular).
    period : int
        Length of the repeating pattern (``None`` if irregular).
    pattern : str
        One period starting right after the transient, e.g. ``"10110"``.
    rate : float
        Firing rate of the periodic part (``pattern`` ones over ``period``);
        for an irregular train, the rate of its second half.
    """

    regime: str
    transient: int | None
    period: int | None
    pattern: str
    rate: float


def classify(spikes: Any, *, min_repeats: int = 3, min_tail: int = 10) -> FiringPattern:
    """Find the shortest transient and then shortest period that explain a train.

    Parameters
    ----------
    spikes : (n,) array_like of 0/1
        The spike train.
    min_repeats : int
        How many times the pattern must be seen for the train to count as
        periodic.
    min_tail : int
        The fewest steps the periodic part must cover, whatever the period
        (so three spikes at the end are not yet "continuous firing").

    Returns
    -------
    FiringPattern

    Examples
    --------
    >>> classify([1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1]).pattern
    '101'
    """
    train = _train(spikes)
    n = train.size
    if min_repeats < 1:
        raise NdcnpInputError(f"min_repeats must be >= 1; got {min_repeats}")
    # The train from tau on has period p iff s[t] == s[t + p] for all t >= tau. Read
    # backwards, that is a common prefix of the reversed train and itself shifted by p,
    # so the shortest transient of every period comes from one Z-function: O(n) in all,
    # where a comparison per period costs O(n^2).
    common = _z_function(train[::-1].tobytes())
    best: tuple[int, int] | None = None
    for period in range(1, n // min_repeats + 1):
        transient = n - period - common[period]
        enough = n - transient >= max(min_repeats * period, min_tail)
        if enough and (best is None or transient < best[0]):
            best = (transient, period)
    if best is None:
        tail = train[n // 2 :]
        rate = float(tail.mean()) if tail.size else 0.0
        return FiringPattern("irregular", None, None, "", rate)
    transient, period = best
    pattern = "".join(map(str, train[transient : transient + period]))
    ones = pattern.count("1")
    regime = "silent" if ones == 0 else "continuous" if ones == period else "periodic"
    return FiringPattern(regime, transient, period, pattern, ones / period)


def _z_function(text: bytes) -> list[int]:
    """``z[i]``: length of the longest common prefix of ``text`` and ``text[i:]`` (O(n)).

    Gusfield, *Algorithms on Strings, Trees and Sequences* (1997), Sec. 1.4: the
    rightmost match ``[left, right)`` found so far bounds each new ``z[i]`` from below.
    """
    n = len(text)
    z = [0] * (n + 1)  # z[n] = 0 spares callers a bounds check
    z[0] = n
    left = right = 0
    for i in range(1, n):
        length = min(right - i, z[i - left]) if i < right else 0
        while i + length < n and text[length] == text[i + length]:
            length += 1
        z[i] = length
        if i + length > right:
            left, right = i, i + length
    return z


def transient_length(spikes: Any, *, min_repeats: int = 3, min_tail: int = 10) -> int | None:
    """Steps before the train becomes periodic (``None`` if no period is found)."""
    return classify(spikes, min_repeats=min_repeats, min_tail=min_tail).transient


def fires_continuously(spikes: Any, *, min_run: int = 10) -> bool:
    """Whether the train ends in a run of at least ``min_run`` spikes.

    Theorem 4 of the paper concerns this *eventual continuous firing*.
    """
    train = _train(spikes)
    if train.size < min_run:
        return False
    return bool(np.all(train[-min_run:] == 1))


@dataclass(frozen=True)
class Sweep:
    """What :func:`sweep` returns: one row per swept value.

    Attributes
    ----------
    name : str
        The swept quantity (``"I"`` or a parameter).
    values : (n,) ndarray
        Its values.
    rates : (n,) ndarray
        Firing rate over the window.
    patterns : list of FiringPattern
        The end state of each train.
    spikes : (n_steps, n) int8 ndarray
        The trains themselves.
    """

    name: str
    values: np.ndarray
    rates: np.ndarray
    patterns: list[FiringPattern]
    spikes: np.ndarray

    @property
    def regimes(self) -> list[str]:
        """The regime of each train."""
        return [p.regime for p in self.patterns]


def sweep(
    name: str,
    values: Sequence[float] | np.ndarray,
    *,
    I: float | None = None,  # noqa: E741 - the paper's symbol
    params: Mapping[str, float],
    n_steps: int,
    window: tuple[int, int | None] = (0, None),
    neighbours: Any = "uniform",
    W: Any = None,
    sum_W: float | None = None,
    semantics: str = "decay",
    model: NeuronModel = ND_CNP,
    min_repeats: int = 3,
) -> Sweep:
    """Firing rate and regime of single neurons over a range of one quantity.

    All neurons run at once as a batch (:func:`simulate.neuron.run_batch`).

    Parameters
    ----------
    name : str
        ``"I"`` or the name of a model parameter.
    values : array_like
        The values to try.
    I : float, optional
        The input when sweeping a parameter.
    params : mapping of str to float
        The other parameters (a swept parameter's entry is ignored).
    n_steps : int
        Steps per neuron.
    window : (int, int or None)
        Slice of the spike train (index 0 = step 1) the rate is measured on.
    neighbours, W, sum_W, semantics, model
        As in :func:`simulate.neuron.simulate_neuron`.
    min_repeats : int
        As in :func:`classify`.

    Returns
    -------
    Sweep
    """
    from simulate.neuron import run_batch

    grid = np.asarray(values, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0:
        raise NdcnpInputError(f"values must be a non-empty 1-D sequence; got shape {grid.shape}")
    all_params = dict(params)
    if name == "I":
        inputs: Any = grid
    else:
        if name not in {p.name for p in model.parameters}:
            raise NdcnpInputError(f"cannot sweep {name!r}: not I or a parameter of {model.name}")
        if I is None:
            raise NdcnpInputError(f"sweeping {name} needs a fixed I")
        all_params[name] = grid
        inputs = I
    result = run_batch(
        inputs,
        all_params,
        n_steps,
        neighbours=neighbours,
        W=W,
        sum_W=sum_W,
        semantics=semantics,
        model=model,
    )
    trains = np.broadcast_to(result.spikes, (n_steps, grid.size))
    rates = np.array([firing_rate(trains[:, k], *window) for k in range(grid.size)])
    patterns = [classify(trains[:, k], min_repeats=min_repeats) for k in range(grid.size)]
    return Sweep(name, grid, rates, patterns, np.array(trains))
