"""ND-CNPFuse: multi-focus fusion by comparing the spike counts of ND-CNP systems (Sec. 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.configure import ParameterRule, configure, model_parameters, system_kernel
from fusion.decision import WINDOWS, blend, choose_sources, window_sums
from fusion.images import im2double, rgb2gray
from fusion.radius import PAPER_RADIUS, resolve_radius
from fusion.rule import DEFAULT_RULE
from fusion.sml import modified_laplacian
from ndtheory.errors import NdcnpInputError
from simulate.grid import simulate_grid
from simulate.pair import simulate_pair

DEFAULT_RADIUS = "auto"
"""Coupling radius r of Eq. (21): 2 % of the shorter side (:mod:`fusion.radius`; the paper's
r = 16 for 520x520 Lytro is :data:`fusion.radius.PAPER_RADIUS`)."""
DEFAULT_STEPS = 110
"""Iterations t (Sec. 5.1)."""
DEFAULT_WINDOW = "diamond"
"""Eq. (21)'s window: the pixels within city-block distance r, the reading of "within the
coupling radius" that agrees best with the authors' fusions (docs/reproduction.md, "Round 3")."""


@dataclass(frozen=True)
class FusionResult:
    """What :func:`fuse` returns.

    Attributes
    ----------
    fused : ndarray
        The fused image, same shape and dtype as the sources (Eq. (20)).
    choice : (M, N) ndarray of intp
        Index of the source copied at each pixel; for two sources the decision
        map of Eq. (22) is ``choice == 0``.
    counts : (S, M, N) ndarray of int64
        Spike counts ``SM`` of each source's system.
    window_sums : (S, M, N) ndarray of int64
        ``F`` of each source (Eq. (21)).
    params : list of dict
        The neuron parameters each system ran with.
    radius : int
        The coupling radius ``r`` Eq. (21) summed over (``"auto"`` resolved).
    """

    fused: NDArray
    choice: NDArray[np.intp]
    counts: NDArray[np.int64]
    window_sums: NDArray[np.int64]
    params: list[dict[str, float]]
    radius: int = PAPER_RADIUS

    @property
    def decision_map(self) -> NDArray[np.uint8]:
        """``DM`` of Eq. (22) for two sources: 1 where the first source is copied."""
        return (self.choice == 0).astype(np.uint8)


def check_sources(images: Sequence[NDArray]) -> None:
    """Raise :class:`NdcnpInputError` unless the sources can be fused together.

    Rules: at least two sources; one shape (grey and colour are not mixed:
    convert them first, since a grey source has no colour to copy); one dtype
    (8-bit with 8-bit, 16-bit with 16-bit).
    """
    if len(images) < 2:
        raise NdcnpInputError(f"fusion needs at least two source images; got {len(images)}")
    first = images[0]
    for k, im in enumerate(images[1:], start=2):
        if (im.ndim == 2) != (first.ndim == 2):
            raise NdcnpInputError(
                f"source 1 is {'grey' if first.ndim == 2 else 'colour'} but source {k} is "
                f"{'grey' if im.ndim == 2 else 'colour'}; give all sources in the same mode"
            )
        if im.shape != first.shape:
            raise NdcnpInputError(
                f"source sizes differ: {first.shape[1]}x{first.shape[0]} (source 1) and "
                f"{im.shape[1]}x{im.shape[0]} (source {k})"
            )
        if im.dtype != first.dtype:
            raise NdcnpInputError(
                f"source bit depths differ: {first.dtype} (source 1) and {im.dtype} (source {k})"
            )


def fusion_inputs(images: Sequence[NDArray]) -> list[NDArray[np.float64]]:
    """External inputs: the modified Laplacian of each source's grey image.

    Grey as MATLAB ``rgb2gray`` (rounded to the source's integer type), scaled
    to [0, 1] as ``im2double``, as the authors' ``main.m`` does.
    """
    return [modified_laplacian(im2double(rgb2gray(im))) for im in images]


def _spike_counts(
    stimuli: Sequence[NDArray],
    params: Sequence[dict[str, float]],
    rule: ParameterRule,
    n_steps: int,
) -> list[NDArray[np.int64]]:
    """Spike counts of every source's system, two systems at a time on two threads."""
    options = {"model": rule.model, "semantics": rule.semantics, "border": "zero"}
    model_params = [model_parameters(rule, p) for p in params]
    kernels = [system_kernel(rule, p) for p in params]
    counts: list[NDArray[np.int64]] = []
    k = 0
    while k < len(stimuli):
        # simulate_pair shares one W; systems whose rule rescaled W run alone.
        if k + 1 < len(stimuli) and np.array_equal(kernels[k], kernels[k + 1]):
            counts += simulate_pair(
                stimuli[k],
                stimuli[k + 1],
                model_params[k],
                model_params[k + 1],
                kernels[k],
                n_steps,
                **options,
            )
            k += 2
        else:
            grid = simulate_grid(stimuli[k], model_params[k], kernels[k], n_steps, **options)
            counts.append(grid.counts)
            k += 1
    return counts


def _spike_counts_cuda(
    stimuli: Sequence[NDArray],
    params: Sequence[dict[str, float]],
    rule: ParameterRule,
    n_steps: int,
) -> NDArray[np.int64]:
    """Spike counts of every source's system, all in one GPU batch."""
    from simulate.gpu import simulate_grids_cuda

    kernels = [system_kernel(rule, p) for p in params]
    if any(not np.array_equal(w, kernels[0]) for w in kernels):
        raise NdcnpInputError("--device cuda runs one W for all systems; this rule rescales W")
    model_params = [model_parameters(rule, p) for p in params]
    batch = {name: np.array([p[name] for p in model_params]) for name in model_params[0]}
    return simulate_grids_cuda(
        np.stack(stimuli), batch, kernels[0], n_steps, model=rule.model, semantics=rule.semantics
    )


def fuse(
    images: Sequence[NDArray],
    *,
    radius: int | str = DEFAULT_RADIUS,
    n_steps: int = DEFAULT_STEPS,
    rule: ParameterRule = DEFAULT_RULE,
    window: str = DEFAULT_WINDOW,
    device: str = "cpu",
) -> FusionResult:
    """Fuse multi-focus images with ND-CNPFuse.

    Each source's modified Laplacian drives one ND-CNP system
    (:func:`simulate.grid.simulate_grid`; two at a time on two threads by
    :func:`simulate.pair.simulate_pair`) configured by ``rule`` via Corollary 1;
    the spike counts are summed within the coupling radius (Eq. (21)), the
    source with the larger sum wins (Eq. (22)) and its pixel is copied (Eq. (20)).

    Parameters
    ----------
    images : sequence of (M, N) or (M, N, 3) ndarray of uint8 or uint16
        Two or more registered sources of one size, mode and bit depth.
    radius : int or "auto", optional
        Coupling radius ``r`` of Eq. (21), 0 <= r < min(M, N); ``"auto"`` (default) is 2 % of
        the shorter side (:func:`fusion.radius.auto_radius`), the paper's is 16.
    n_steps : int, optional
        Iterations ``t`` >= 1.
    rule : ParameterRule, optional
        The parameter rule; default :data:`fusion.rule.DEFAULT_RULE`.
    window : {"diamond", "disk", "square"}, optional
        Shape of Eq. (21)'s window (:func:`fusion.decision.window_sum`).
    device : {"cpu", "cuda"}, optional
        ``"cuda"`` runs all systems in one batch on an NVIDIA GPU
        (:func:`simulate.gpu.simulate_grids_cuda`, same counts as the CPU).

    Returns
    -------
    FusionResult
    """
    check_sources(images)
    if window not in WINDOWS:
        raise NdcnpInputError(f"window must be one of {', '.join(WINDOWS)}; got {window!r}")
    radius = resolve_radius(radius, images[0].shape)
    if device not in ("cpu", "cuda"):
        raise NdcnpInputError(f"device must be 'cpu' or 'cuda'; got {device!r}")
    if device == "cuda":
        from simulate.gpu import require_cuda

        require_cuda()
    stimuli = fusion_inputs(images)
    params = configure(stimuli, rule)
    if device == "cuda":
        counts = _spike_counts_cuda(stimuli, params, rule, n_steps)
    else:
        counts = np.stack(_spike_counts(stimuli, params, rule, n_steps))
    sums = window_sums(counts, radius, window=window)
    choice = choose_sources(list(sums))
    return FusionResult(blend(images, choice), choice, counts, sums, params, radius)
