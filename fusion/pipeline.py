"""ND-CNPFuse: multi-focus fusion by comparing the spike counts of ND-CNP systems (Sec. 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.configure import ParameterRule, configure
from fusion.decision import blend, choose_sources, window_sum
from fusion.images import im2double, rgb2gray
from fusion.rule import DEFAULT_RULE
from fusion.sml import modified_laplacian
from ndtheory.errors import NdcnpInputError
from simulate.grid import simulate_grid

DEFAULT_RADIUS = 16
"""Coupling radius r of Eq. (21) (Sec. 5.1)."""
DEFAULT_STEPS = 110
"""Iterations t (Sec. 5.1)."""


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
    """

    fused: NDArray
    choice: NDArray[np.intp]
    counts: NDArray[np.int64]
    window_sums: NDArray[np.int64]
    params: list[dict[str, float]]

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


def fuse(
    images: Sequence[NDArray],
    *,
    radius: int = DEFAULT_RADIUS,
    n_steps: int = DEFAULT_STEPS,
    rule: ParameterRule = DEFAULT_RULE,
) -> FusionResult:
    """Fuse multi-focus images with ND-CNPFuse.

    Each source's modified Laplacian drives one ND-CNP system
    (:func:`simulate.grid.simulate_grid`) configured by ``rule`` via Corollary 1;
    the spike counts are summed within the coupling radius (Eq. (21)), the
    source with the larger sum wins (Eq. (22)) and its pixel is copied (Eq. (20)).

    Parameters
    ----------
    images : sequence of (M, N) or (M, N, 3) ndarray of uint8 or uint16
        Two or more registered sources of one size, mode and bit depth.
    radius : int, optional
        Coupling radius ``r`` of Eq. (21), 0 <= r < min(M, N).
    n_steps : int, optional
        Iterations ``t`` >= 1.
    rule : ParameterRule, optional
        The parameter rule; default :data:`fusion.rule.DEFAULT_RULE`.

    Returns
    -------
    FusionResult
    """
    check_sources(images)
    M, N = images[0].shape[:2]
    if isinstance(radius, bool) or int(radius) != radius or radius < 0:
        raise NdcnpInputError(f"radius must be an integer >= 0; got {radius}")
    if radius >= min(M, N):
        raise NdcnpInputError(
            f"radius {radius} is not smaller than the image ({N}x{M}); "
            f"use a radius below {min(M, N)}"
        )
    stimuli = fusion_inputs(images)
    params = configure(stimuli, rule)
    counts = np.stack(
        [
            simulate_grid(
                s,
                p,
                rule.kernel,
                n_steps,
                model=rule.model,
                semantics=rule.semantics,
                border="zero",
            ).counts
            for s, p in zip(stimuli, params, strict=True)
        ]
    ).astype(np.int64)
    sums = np.stack([window_sum(c, int(radius)) for c in counts])
    choice = choose_sources(list(sums))
    return FusionResult(blend(images, choice), choice, counts, sums, params)
