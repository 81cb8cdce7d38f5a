"""The coupling radius r of Eq. (21): the paper's fixed value, or one scaled to the image.

The paper fixes ``r = 16`` for Lytro's 520x520 images (Sec. 5.3). The window of Eq. (21)
trades two errors: too small, and a pixel in a flat region has no texture within reach to tell
focus from defocus; too large, and the decision map's boundaries smear by up to ``r`` pixels.
Both are lengths in the scene, so the window should keep its share of the scene when the same
scene is sampled more coarsely or finely. ``"auto"`` therefore makes ``r`` a fixed fraction of
the image's shorter side, 1 / :data:`AUTO_SIDES_PER_RADIUS` = 2 %.

How the fraction was chosen (docs/reproduction.md, "A scale-aware radius"): on Lytro,
Qabf and QCB stay within 0.003 of ``r = 16``'s for every ``r`` from 10 to 20 (1.9 % to 3.8 % of
520), so Lytro leaves the fraction free between those bounds; MF-VOC's 224x224 pairs score best
against their ground truth at ``r`` = 3 to 4 (1.3 % to 1.8 %). One fraction fits both, the
round 2 %: r = 10 on Lytro, 4 on MF-VOC. It was read off Lytro and the even-numbered MF-VOC pairs;
the odd-numbered ones are reported separately.
"""

from __future__ import annotations

from ndtheory.errors import NdcnpInputError

PAPER_RADIUS = 16
"""The paper's coupling radius (Sec. 5.1), chosen for 520x520 Lytro images."""
AUTO_SIDES_PER_RADIUS = 50
"""``"auto"`` gives one unit of ``r`` per this many pixels of the shorter side (r = 2 % of it)."""


def auto_radius(shape: tuple[int, ...]) -> int:
    """``r = min(M, N) / 50`` rounded half up, at least 1 and below ``min(M, N)``.

    Parameters
    ----------
    shape : tuple of int
        The image's shape, ``(M, N)`` or ``(M, N, C)``.

    Returns
    -------
    int
        The coupling radius: 10 for 520x520, 4 for 224x224, 1 below 75 pixels.

    Examples
    --------
    >>> auto_radius((520, 520, 3)), auto_radius((224, 224)), auto_radius((8, 8))
    (10, 4, 1)
    """
    if len(shape) < 2 or min(shape[:2]) < 2:
        raise NdcnpInputError(f"an automatic radius needs an image of at least 2x2; got {shape}")
    side = min(shape[:2])
    # side / 50 rounded half up, in integers: exact for every side length
    nearest = (side + AUTO_SIDES_PER_RADIUS // 2) // AUTO_SIDES_PER_RADIUS
    return min(max(1, nearest), side - 1)


def resolve_radius(radius: int | str, shape: tuple[int, ...]) -> int:
    """The integer radius: ``radius`` itself, or :func:`auto_radius` when it is ``"auto"``.

    Raises
    ------
    NdcnpInputError
        If ``radius`` is neither ``"auto"`` nor an integer >= 0 below ``min(M, N)``.
    """
    M, N = shape[:2]
    if isinstance(radius, str):
        if radius != "auto":
            raise NdcnpInputError(f"radius must be an integer >= 0 or 'auto'; got {radius!r}")
        return auto_radius(shape)
    if isinstance(radius, bool) or int(radius) != radius or radius < 0:
        raise NdcnpInputError(f"radius must be an integer >= 0 or 'auto'; got {radius}")
    if radius >= min(M, N):
        raise NdcnpInputError(
            f"radius {radius} is not smaller than the image ({N}x{M}); "
            f"use a radius below {min(M, N)}"
        )
    return int(radius)
