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

DEFAULT_RADIUS = "auto"
"""Coupling radius r of Eq. (21): 2 % of the shorter side (:mod:`fusion.radius`; the paper's
r = 16 for 520x520 Lytro is :data:`fusion.radius.PAPER_RADIUS`)."""
DEFAULT_STEPS = 110
"""Iterations t (Sec. 5.1)."""
MAX_STEPS = 10_000
"""Most iterations :func:`fuse` runs (about a minute per 520 x 520 pair on one core); the
paper uses 110 and the counts of longer runs no longer change the decision."""
MAX_PIXELS = 50_000_000
"""Largest source (M * N) :func:`fuse` takes: its work arrays need about 100 bytes per pixel."""
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
    counts : (S, M, N) ndarray of int64, or None
        Spike counts ``SM`` of each source's system (None unless :func:`fuse`
        was asked to keep them).
    window_sums : (S, M, N) ndarray of int64, or None
        ``F`` of each source (Eq. (21)); None as ``counts``.
    params : list of dict
        The neuron parameters each system ran with.
    radius : int
        The coupling radius ``r`` Eq. (21) summed over (``"auto"`` resolved).
    """

    fused: NDArray
    choice: NDArray[np.intp]
    counts: NDArray[np.int64] | None
    window_sums: NDArray[np.int64] | None
    params: list[dict[str, float]]
    radius: int = PAPER_RADIUS

    @property
    def decision_map(self) -> NDArray[np.uint8]:
        """``DM`` of Eq. (22) for two sources: 1 where the first source is copied."""
        return (self.choice == 0).astype(np.uint8)


def check_sources(images: Sequence[NDArray]) -> None:
    """Raise unless the sources can be fused together.

    Rules: a sequence of at least two NumPy arrays; each (M, N) grey or
    (M, N, 3) colour, uint8 or uint16, at most :data:`MAX_PIXELS` pixels; one
    shape (grey and colour are not mixed: convert them first, since a grey
    source has no colour to copy); one dtype (8-bit with 8-bit, 16-bit with 16-bit).

    Raises
    ------
    TypeError
        If ``images`` is not a sequence of ndarrays.
    NdcnpInputError
        (a ``ValueError``) if a rule above is broken.
    """
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        raise TypeError(
            f"images must be a list of arrays (one per source); got {type(images).__name__}"
        )
    if len(images) < 2:
        raise NdcnpInputError(f"fusion needs at least two source images; got {len(images)}")
    for k, im in enumerate(images, start=1):
        if not isinstance(im, np.ndarray):
            raise TypeError(f"source {k} must be a NumPy array; got {type(im).__name__}")
        if im.dtype not in (np.uint8, np.uint16):
            raise NdcnpInputError(
                f"source {k} must be uint8 or uint16 (an image's own pixels); got {im.dtype}"
            )
        if im.ndim not in (2, 3) or (im.ndim == 3 and im.shape[2] != 3):
            raise NdcnpInputError(
                f"source {k} must be (M, N) grey or (M, N, 3) colour; got shape {im.shape}"
            )
        if im.size == 0:
            raise NdcnpInputError(f"source {k} is empty (shape {im.shape})")
        if im.shape[0] * im.shape[1] > MAX_PIXELS:
            raise NdcnpInputError(
                f"source {k} has {im.shape[0] * im.shape[1]} pixels, over the limit of "
                f"{MAX_PIXELS}; fuse it in tiles"
            )
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


ROW_BLOCK_PIXELS = 1 << 18
"""Pixels per row block of the per-pixel steps (grey, Laplacian, window sums, choice): a
few MB of temporaries at any image size, instead of several image-sized float64 arrays."""


def _row_blocks(shape: tuple[int, ...], pixels: int = ROW_BLOCK_PIXELS) -> list[tuple[int, int]]:
    rows = max(1, pixels // max(1, shape[1]))
    return [(top, min(top + rows, shape[0])) for top in range(0, shape[0], rows)]


def fusion_input(image: NDArray, *, pixels: int = ROW_BLOCK_PIXELS) -> NDArray[np.float64]:
    """External input of one source: the modified Laplacian of its grey image.

    Grey as MATLAB ``rgb2gray`` (rounded to the source's integer type), scaled
    to [0, 1] as ``im2double``, as the authors' ``main.m`` does. Computed in
    blocks of about ``pixels`` pixels, each with one row of halo (the Laplacian's
    reach): every value is the same float64 operation as on the whole image.
    """
    M = image.shape[0]
    out = np.empty(image.shape[:2], dtype=np.float64)
    for top, bottom in _row_blocks(image.shape, pixels):
        lo, hi = max(top - 1, 0), min(bottom + 1, M)
        block = modified_laplacian(im2double(rgb2gray(image[lo:hi])))
        # Rows top..bottom-1 see their true neighbours in the halo rows, which are dropped
        # (their own Laplacian would replicate at the cut); the image's first and last rows
        # have no halo and replicate, as on the whole image.
        out[top:bottom] = block[top - lo : top - lo + bottom - top]
    return out


def fusion_inputs(
    images: Sequence[NDArray], *, threads: int | None = None
) -> list[NDArray[np.float64]]:
    """:func:`fusion_input` of every source, ``threads`` sources at a time (default: the CPUs)."""
    from fusion.batch import in_order

    return list(in_order(fusion_input, images, jobs=threads))


def decide(
    counts: Sequence[NDArray],
    radius: int,
    *,
    window: str = DEFAULT_WINDOW,
    threads: int | None = None,
    pixels: int = ROW_BLOCK_PIXELS,
) -> NDArray[np.intp]:
    """The chosen source per pixel (Eqs. (21)-(22)), one block of rows at a time.

    Each block's sums are computed for its own rows only (``window_sums(...,
    rows=...)``, whose windows read the counts ``radius`` rows beyond the block):
    the choice equals ``choose_sources(window_sums(counts, radius))`` exactly,
    without the image-sized sums.
    """
    choice = np.empty(counts[0].shape, dtype=np.intp)
    for top, bottom in _row_blocks(counts[0].shape, pixels):
        rows = (top, bottom)
        sums = window_sums(counts, radius, window=window, threads=threads, rows=rows)
        choice[top:bottom] = choose_sources(list(sums))
    return choice


def _spike_counts(
    stimuli: Sequence[NDArray],
    params: Sequence[dict[str, float]],
    rule: ParameterRule,
    n_steps: int,
    threads: int | None = None,
) -> list[NDArray[np.int64]]:
    """Spike counts of every source's system, two at a time when ``threads`` >= 2."""
    # numba and the code generator load here, not when the command line registers fuse.
    from simulate.grid import simulate_grid
    from simulate.pair import simulate_pair

    options = {"model": rule.engine_model, "semantics": rule.semantics, "border": "zero"}
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
                threads=threads,
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
    threads: int | None = None,
    keep_counts: bool = True,
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
        Iterations ``t``, 1 <= t <= :data:`MAX_STEPS`.
    rule : ParameterRule, optional
        The parameter rule; default :data:`fusion.rule.DEFAULT_RULE`.
    window : {"diamond", "disk", "square"}, optional
        Shape of Eq. (21)'s window (:func:`fusion.decision.window_sum`).
    device : {"cpu", "cuda"}, optional
        ``"cuda"`` runs all systems in one batch on an NVIDIA GPU
        (:func:`simulate.gpu.simulate_grids_cuda`, same counts as the CPU).
    threads : int, optional
        CPU threads for the systems and the window sums (default
        :func:`simulate.threads.available_threads`); a batch running pairs in
        parallel gives each pair 1.
    keep_counts : bool, optional
        Return the spike counts and window sums (the default). ``False`` leaves
        them None and computes the choice in blocks of rows (:func:`decide`, the
        same choice), which keeps the memory of a large image low.

    Returns
    -------
    FusionResult

    Raises
    ------
    TypeError
        If ``images`` is not a sequence of ndarrays or an option has the wrong type.
    NdcnpInputError
        (a ``ValueError``, one sentence) if a value is out of range (:func:`check_sources`).
    """
    check_sources(images)
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)):
        raise TypeError(f"n_steps must be an integer; got {type(n_steps).__name__} {n_steps!r}")
    if isinstance(radius, bool) or not isinstance(radius, (int, np.integer, str)):
        raise TypeError(
            f"radius must be an integer or 'auto'; got {type(radius).__name__} {radius!r}"
        )
    if not 1 <= n_steps <= MAX_STEPS:
        raise NdcnpInputError(f"n_steps must be in [1, {MAX_STEPS}]; got {n_steps}")
    if not isinstance(rule, ParameterRule):
        raise TypeError(f"rule must be a ParameterRule; got {type(rule).__name__}")
    if window not in WINDOWS:
        raise NdcnpInputError(f"window must be one of {', '.join(WINDOWS)}; got {window!r}")
    radius = resolve_radius(radius, images[0].shape)
    if device not in ("cpu", "cuda"):
        raise NdcnpInputError(f"device must be 'cpu' or 'cuda'; got {device!r}")
    if device == "cuda":
        from simulate.gpu import require_cuda

        require_cuda()
    stimuli = fusion_inputs(images, threads=threads)
    params = configure(stimuli, rule)
    if device == "cuda":
        counts = list(_spike_counts_cuda(stimuli, params, rule, n_steps))
    else:
        counts = _spike_counts(stimuli, params, rule, n_steps, threads)
    del stimuli  # the largest arrays; the sums and the fused image need the memory
    if keep_counts:
        stack = np.stack(counts)
        sums = window_sums(stack, radius, window=window, threads=threads)
        choice = choose_sources(list(sums))
        return FusionResult(blend(images, choice), choice, stack, sums, params, radius)
    choice = decide(counts, radius, window=window, threads=threads)
    del counts
    return FusionResult(blend(images, choice), choice, None, None, params, radius)
