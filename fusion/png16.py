"""16-bit colour PNG, which Pillow reads and writes only as 8-bit.

Pillow opens a 48-bit RGB PNG as 8-bit ``RGB`` (dropping the low bytes) and
cannot write one, so ND-CNPFuse would silently turn 16-bit colour sources into
8-bit results. This module decodes exactly that case (colour type 2, bit depth
16, not interlaced); everything else is read by Pillow. :mod:`fusion.png_encode`
writes every PNG, this case included.
"""

from __future__ import annotations

import os
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from fusion.png_encode import SIGNATURE
from ndtheory.errors import NdcnpInputError


def png_header(path: str | os.PathLike) -> tuple[int, int] | None:
    """``(bit_depth, colour_type)`` from a PNG's IHDR, or None if not a PNG."""
    with open(path, "rb") as f:
        head = f.read(33)
    if len(head) < 33 or head[:8] != SIGNATURE or head[12:16] != b"IHDR":
        return None
    return head[24], head[25]


@cache
def _compiled_unfilter():
    # numba loads (and the decoder compiles) on the first 16-bit colour PNG, not on import.
    import numba

    return numba.njit(cache=True)(_unfilter)


def _unfilter(data, height, stride, bpp):  # pragma: no cover - compiled
    out = np.zeros((height, stride), np.uint8)
    pos = 0
    for y in range(height):
        ftype = data[pos]
        pos += 1
        for x in range(stride):
            raw = np.int64(data[pos + x])
            a = np.int64(out[y, x - bpp]) if x >= bpp else np.int64(0)
            b = np.int64(out[y - 1, x]) if y > 0 else np.int64(0)
            c = np.int64(out[y - 1, x - bpp]) if (x >= bpp and y > 0) else np.int64(0)
            if ftype == 0:
                v = raw
            elif ftype == 1:
                v = raw + a
            elif ftype == 2:
                v = raw + b
            elif ftype == 3:
                v = raw + (a + b) // 2
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                if pa <= pb and pa <= pc:
                    v = raw + a
                elif pb <= pc:
                    v = raw + b
                else:
                    v = raw + c
            else:
                return out, False
            out[y, x] = v & 0xFF
        pos += stride
    return out, True


def read_png_rgb16(path: str | os.PathLike) -> NDArray[np.uint16]:
    """Decode a 16-bit RGB PNG (colour type 2) into an (M, N, 3) uint16 array."""
    blob = Path(path).read_bytes()
    pos, idat, header = 8, [], None
    try:
        while pos < len(blob):
            (length,) = struct.unpack(">I", blob[pos : pos + 4])
            kind = blob[pos + 4 : pos + 8]
            body = blob[pos + 8 : pos + 8 + length]
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat.append(body)
            elif kind == b"IEND":
                break
            pos += 12 + length
        width, height, depth, colour, _, _, interlace = header
        if depth != 16 or colour != 2:
            raise NdcnpInputError(f"image {path} is not a 16-bit RGB PNG")
        if interlace:
            raise NdcnpInputError(f"image {path} is an interlaced 16-bit PNG; save it without")
        data = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    except (struct.error, TypeError, zlib.error) as error:
        raise NdcnpInputError(f"image {path} cannot be read: {error}") from None
    stride = width * 6
    if data.size < height * (stride + 1):
        raise NdcnpInputError(f"image {path} cannot be read: truncated image data")
    rows, ok = _compiled_unfilter()(data, height, stride, 6)
    if not ok:
        raise NdcnpInputError(f"image {path} cannot be read: unknown PNG filter")
    return (
        rows.reshape(height, width * 3, 2)
        .view(">u2")[..., 0]
        .reshape(height, width, 3)
        .astype(np.uint16)
    )
