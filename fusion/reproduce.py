"""Comparing our fusions with published ones: decision-map agreement (issue 6)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ndtheory.errors import NdcnpInputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True)
class Agreement:
    """How far a fusion agrees with a reference fusion of the same two sources.

    Attributes
    ----------
    decision : float
        Decision-map agreement: over the pixels where the two sources differ in
        at least one channel, the share at which our map picks the same source
        as the reference. The reference picks the first source where it equals
        that source in every channel, else the second.
    identical : float
        Share of all pixels where our fused image equals the reference in every
        channel.
    compared : int
        Number of pixels where the sources differ (the denominator of ``decision``).
    unexplained : float
        Share of pixels where the reference equals neither source (0 for a
        decision-map fusion).
    """

    decision: float
    identical: float
    compared: int
    unexplained: float


def _all_channels(mask: NDArray) -> NDArray[np.bool_]:
    return mask if mask.ndim == 2 else mask.all(axis=2)


def reference_decision(first: NDArray, second: NDArray, reference: NDArray) -> NDArray[np.bool_]:
    """The reference's decision map: True where it copies ``first`` in every channel."""
    return _all_channels(reference == first)


def agreement(
    first: NDArray, second: NDArray, reference: NDArray, ours: NDArray, decision: NDArray
) -> Agreement:
    """Compare our fusion with a reference fusion (see :class:`Agreement`).

    Parameters
    ----------
    first, second : ndarray
        The two sources (``far``, ``near``), same shape.
    reference : ndarray
        The published fused image.
    ours : ndarray
        Our fused image.
    decision : (M, N) array_like of bool
        Our decision map (True = first source).
    """
    if not (first.shape == second.shape == reference.shape == ours.shape):
        raise NdcnpInputError(
            f"shapes differ: sources {first.shape}, reference {reference.shape}, ours {ours.shape}"
        )
    differ = ~_all_channels(first == second)
    ref_first = reference_decision(first, second, reference)
    ref_second = _all_channels(reference == second)
    dm = np.asarray(decision, dtype=bool)
    compared = int(differ.sum())
    same = dm[differ] == ref_first[differ]
    return Agreement(
        decision=float(same.mean()) if compared else 1.0,
        identical=float(_all_channels(ours == reference).mean()),
        compared=compared,
        unexplained=float((~ref_first & ~ref_second).mean()),
    )


def difference_picture(first: NDArray, second: NDArray, reference: NDArray, decision: NDArray):
    """An RGB picture of where our decision map and the reference's differ.

    White: both pick the first source; black: both pick the second; grey: the
    sources are equal there; red: we pick the first, the reference the second;
    cyan: we pick the second, the reference the first.
    """
    differ = ~_all_channels(first == second)
    ref_first = reference_decision(first, second, reference)
    dm = np.asarray(decision, dtype=bool)
    out = np.zeros((*dm.shape, 3), np.uint8)
    out[dm & ref_first] = (255, 255, 255)
    out[dm & ~ref_first] = (255, 0, 0)
    out[~dm & ref_first] = (0, 255, 255)
    out[~differ] = (128, 128, 128)
    return out


def find_source(folder: str | os.PathLike, stem: str) -> Path:
    """The image file ``folder/stem.*`` (one of :data:`IMAGE_SUFFIXES`)."""
    for suffix in IMAGE_SUFFIXES:
        for candidate in (
            Path(folder) / f"{stem}{suffix}",
            Path(folder) / f"{stem}{suffix.upper()}",
        ):
            if candidate.is_file():
                return candidate
    raise NdcnpInputError(f"no image {stem}.* in {folder}")


def image_stems(folder: str | os.PathLike) -> list[str]:
    """Stems of the image files in ``folder``, in natural order (2 before 10)."""
    path = Path(folder)
    if not path.is_dir():
        raise NdcnpInputError(f"folder {path} does not exist")
    stems = {p.stem for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()}
    return sorted(stems, key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
