"""Plots of simulation results. Each draws on ``ax`` (or a new figure) and returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from simulate.analysis import Sweep, firing_rate
from simulate.neuron import NeuronResult


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.figure().add_subplot()


def plot_neuron(
    result: NeuronResult,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    window: tuple[int, int] | None = None,
) -> Axes:
    """The two sides of the firing condition over time, with the spike train.

    Parameters
    ----------
    result : NeuronResult
        A single neuron's run (:func:`simulate.neuron.simulate_neuron`).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    title : str, optional
        Panel title.
    window : (int, int), optional
        Steps ``(first, last)`` to shade, e.g. where a rate was counted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    t = np.arange(result.n_steps + 1)
    ax.plot(t[1:], result.traces["lhs"][1:], lw=1.0, label=result.labels["lhs"])
    ax.plot(t[1:], result.traces["rhs"][1:], lw=1.0, label=result.labels["rhs"])
    spikes = np.nonzero(result.spikes)[0] + 1
    top = max(float(result.traces["lhs"].max()), float(result.traces["rhs"].max()), 1.0)
    ax.vlines(spikes, -0.12 * top, -0.02 * top, color="k", lw=0.8, label="spike")
    if window is not None:
        ax.axvspan(window[0] - 0.5, window[1] + 0.5, color="0.9", zorder=0)
    ax.set_xlabel("step t")
    ax.set_xlim(0, result.n_steps + 1)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_rate_sweeps(
    sweeps: Mapping[str, Sweep],
    *,
    ax: Axes | None = None,
    bound: float | None = None,
    bound_label: str = "Theorem 4 bound",
) -> Axes:
    """Firing rate against the swept quantity, one line per labelled sweep.

    Parameters
    ----------
    sweeps : mapping of str to Sweep
        Label to sweep (:func:`simulate.analysis.sweep`), all over the same quantity.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    bound : float, optional
        A value to mark with a vertical line (e.g. Theorem 4's bound on ``I``).
    bound_label : str
        Its legend entry.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    name = "value"
    for label, result in sweeps.items():
        ax.step(result.values, 100 * result.rates, where="mid", lw=1.0, label=label)
        name = result.name
    if bound is not None:
        ax.axvline(bound, color="k", ls="--", lw=1.0, label=f"{bound_label} = {bound:g}")
    ax.set_xlabel(name)
    ax.set_ylabel("firing rate (%)")
    ax.set_ylim(-2, 102)
    ax.legend(fontsize=8)
    return ax


def plot_counts(counts: np.ndarray, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Spike counts of a grid as an image with a colour bar.

    Parameters
    ----------
    counts : (M, N) ndarray
        :attr:`simulate.grid.GridResult.counts`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    image = ax.imshow(counts, cmap="viridis", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="spikes")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_fig2(results: Sequence[NeuronResult], *, axes: Sequence[Axes] | None = None) -> list[Axes]:
    """The four panels of the paper's Fig. 2, one per input of ``FIG2_INPUTS``.

    Each panel is :func:`plot_neuron` with the rate over steps 1-100 and over
    the shaded window 91-100 (the ten steps that give the paper's rates; see
    ``docs/fig2.md``) in its title.

    Parameters
    ----------
    results : sequence of NeuronResult
        :func:`simulate.fig2.fig2_traces`, in the order of ``FIG2_INPUTS``.
    axes : sequence of four matplotlib.axes.Axes, optional
        Where to draw; default a new 2 x 2 figure.

    Returns
    -------
    list of matplotlib.axes.Axes
    """
    from simulate.fig2 import FIG2_INPUTS, WINDOWS

    if axes is None:
        axes = plt.figure(figsize=(10, 6), layout="constrained").subplots(2, 2, sharex=True).flat
    axes = list(axes)
    first, last = WINDOWS["91-100"]
    for ax, value, result, label in zip(axes, FIG2_INPUTS, results, "abcd", strict=True):
        tail = 100 * firing_rate(result.spikes, first, last)
        plot_neuron(
            result,
            ax=ax,
            title=f"({label}) I = {value:g}: rate {100 * firing_rate(result.spikes):.0f}% over "
            f"steps 1-100, {tail:.0f}% over 91-100 (shaded)",
            window=(first + 1, last),
        )
    axes[0].legend(fontsize=8, loc="upper left")
    return axes
