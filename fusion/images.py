"""Reading images and converting them to grey exactly as MATLAB does."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from fusion.png16 import png_header, read_png_rgb16
from fusion.png_encode import write_png_bytes
from ndtheory.errors import NdcnpInputError

PNG_COMPRESSION = {"fast": (1, zlib.Z_RLE), "small": (9, zlib.Z_DEFAULT_STRATEGY)}
"""zlib (level, strategy) of the PNG writers. ``"fast"`` (the default: level 1, run-length
matches only, every row Sub-filtered, deflated in pieces on every core:
:mod:`fusion.png_encode`) writes a 4000x6000 RGB fusion in 0.26 s on two cores where
Pillow's encoder at the same level took 1.68 s, for a file 0.3 % larger. ``"small"``
(level 9, Pillow's best filter per row; 16-bit colour, which Pillow cannot write, by
:mod:`fusion.png_encode`) gives the smallest files, about 10x slower. Either gives the
same bytes on every run."""

RGB2GRAY_WEIGHTS = (0.298936021293775, 0.587043074451121, 0.114020904255103)
"""MATLAB ``rgb2gray`` weights (the Rec. 601 luma, as MATLAB rounds them)."""


def read_image(path: str | os.PathLike) -> NDArray:
    """Read an image file as an array, keeping its bit depth.

    Parameters
    ----------
    path : path-like
        Any format Pillow reads.

    Returns
    -------
    (M, N) or (M, N, 3) ndarray of uint8 or uint16
        Grey or RGB, in the file's own bit depth. Palette images become RGB.

    Raises
    ------
    NdcnpInputError
        If the file is missing, unreadable, or has an alpha channel.
    """
    source = Path(path)
    if not source.is_file():
        raise NdcnpInputError(f"image {source} does not exist")
    if png_header(source) == (16, 2):
        # Pillow would drop the low byte of a 16-bit colour PNG.
        return read_png_rgb16(source)
    try:
        with Image.open(source) as im:
            im.load()
            mode = im.mode
            if mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
                mode = im.mode
            if mode in ("RGBA", "LA", "PA"):
                raise NdcnpInputError(
                    f"image {source} has an alpha channel; remove it (fusion uses colour or grey)"
                )
            if mode == "1":
                im = im.convert("L")
            elif mode == "CMYK" or mode == "YCbCr":
                im = im.convert("RGB")
            array = np.asarray(im)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise NdcnpInputError(f"image {source} cannot be read: {error}") from None
    if array.dtype == np.int32 or array.dtype == np.dtype(">u2"):
        array = array.astype(np.uint16)
    if array.dtype not in (np.uint8, np.uint16):
        raise NdcnpInputError(f"image {source} has unsupported pixel type {array.dtype}")
    if array.size == 0:
        raise NdcnpInputError(f"image {source} is empty")
    return array


def write_png(path: str | os.PathLike, image: NDArray, *, compression: str = "fast") -> None:
    """Write an image as PNG in its own bit depth, with deterministic bytes.

    Parameters
    ----------
    path : path-like
        Destination (written directly; wrap in
        :func:`simulate.outputs.atomic_write` for all-or-nothing output).
    image : (M, N) or (M, N, 3) ndarray of uint8 or uint16
        8-bit stays 8-bit and 16-bit stays 16-bit, grey or colour.
    compression : {"fast", "small"}
        zlib level, see :data:`PNG_COMPRESSION`; the pixels are the same.
    """
    if compression not in PNG_COMPRESSION:
        raise NdcnpInputError(
            f"PNG compression must be one of {', '.join(PNG_COMPRESSION)}; got {compression!r}"
        )
    level, strategy = PNG_COMPRESSION[compression]
    if image.dtype not in (np.uint8, np.uint16):
        raise NdcnpInputError(f"PNG output needs uint8 or uint16 pixels; got {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise NdcnpInputError(f"PNG output needs (M, N) or (M, N, 3) pixels; got {image.shape}")
    if compression == "small" and not (image.dtype == np.uint16 and image.ndim == 3):
        # Pillow's choice of the best filter for every row gives the smallest files.
        Image.fromarray(image).save(
            path, format="PNG", compress_level=level, compress_type=strategy
        )
        return
    write_png_bytes(path, image, level=level, strategy=strategy)


def rgb2gray(image: NDArray) -> NDArray:
    """Convert to grey as MATLAB ``rgb2gray`` does for integer images.

    Parameters
    ----------
    image : (M, N) or (M, N, 3) ndarray of uint8 or uint16
        A grey image is returned unchanged.

    Returns
    -------
    (M, N) ndarray
        Same dtype as ``image``: ``round(0.298936021293775 R + 0.587043074451121 G
        + 0.114020904255103 B)``, rounding halves away from zero as MATLAB does
        (not NumPy's round-half-to-even).
    """
    if image.ndim == 2:
        return image
    if image.ndim != 3 or image.shape[2] != 3:
        raise NdcnpInputError(f"image must be (M, N) or (M, N, 3); got shape {image.shape}")
    if image.dtype in (np.uint8, np.uint16):
        from fusion._grey_kernel import rgb2gray_integer

        out = np.empty(image.shape[:2], dtype=image.dtype)
        rgb2gray_integer(np.ascontiguousarray(image), RGB2GRAY_WEIGHTS, out)
        return out
    return rgb2gray_reference(image)


def rgb2gray_reference(image: NDArray) -> NDArray:
    """:func:`rgb2gray` of an integer (M, N, 3) image in NumPy (the kernel's oracle)."""
    r, g, b = (image[..., c].astype(np.float64) for c in range(3))
    wr, wg, wb = RGB2GRAY_WEIGHTS
    grey = wr * r + wg * g + wb * b
    # MATLAB's integer conversion rounds half away from zero; the values are non-negative.
    return np.floor(grey + 0.5).astype(image.dtype)


def im2double(image: NDArray) -> NDArray[np.float64]:
    """Scale an integer image to [0, 1] as MATLAB ``im2double`` does."""
    return image.astype(np.float64) / np.iinfo(image.dtype).max
