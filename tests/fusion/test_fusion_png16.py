"""16-bit colour PNG decoding against an encoder written here, one PNG filter per row."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from fusion.images import PNG_COMPRESSION, read_image, write_png
from ndtheory.errors import NdcnpInputError


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _encode(image: np.ndarray) -> bytes:
    h, w, _ = image.shape
    rows = image.astype(">u2").reshape(h, w * 3).view(np.uint8).astype(int)
    bpp, out = 6, bytearray()
    for y in range(h):
        ftype = y % 5  # None, Sub, Up, Average, Paeth in turn
        out.append(ftype)
        for x in range(rows.shape[1]):
            raw = rows[y, x]
            a = rows[y, x - bpp] if x >= bpp else 0
            b = rows[y - 1, x] if y > 0 else 0
            c = rows[y - 1, x - bpp] if x >= bpp and y > 0 else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
            out.append((raw - pred) % 256)

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(out)))
        + chunk(b"IEND", b"")
    )


def test_read_16_bit_colour_png_with_every_filter(tmp_path):
    rng = np.random.default_rng(11)
    image = rng.integers(0, 65536, (10, 7, 3)).astype(np.uint16)
    path = tmp_path / "x.png"
    path.write_bytes(_encode(image))
    got = read_image(path)
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, image)


@pytest.mark.parametrize(
    ("shape", "dtype"), [((30, 41), np.uint8), ((30, 41, 3), np.uint8), ((30, 41, 3), np.uint16)]
)
def test_each_compression_keeps_the_pixels_and_reruns_give_the_same_bytes(tmp_path, shape, dtype):
    rng = np.random.default_rng(5)
    # Smooth ramps plus a little noise: compressible, so the levels differ in size.
    ramp = np.add.outer(np.arange(shape[0]), np.arange(shape[1])) * 3
    ramp = ramp if len(shape) == 2 else np.stack([ramp, ramp // 2, ramp // 3], axis=2)
    image = (ramp + rng.integers(0, 2, shape)).astype(dtype)
    flevels = {}
    for compression in PNG_COMPRESSION:
        first, second = tmp_path / f"{compression}1.png", tmp_path / f"{compression}2.png"
        write_png(first, image, compression=compression)
        write_png(second, image, compression=compression)
        assert first.read_bytes() == second.read_bytes()
        back = read_image(first)
        assert back.dtype == dtype and np.array_equal(back, image)
        blob = first.read_bytes()
        idat = blob.index(b"IDAT") + 4
        flevels[compression] = blob[idat + 1] >> 6  # the zlib header's FLEVEL bits
    # zlib writes FLEVEL 0 for levels 0-1 ("fastest") and 3 for levels 7-9 ("maximum").
    assert flevels == {"fast": 0, "small": 3}


def test_unknown_compression_is_refused(tmp_path):
    with pytest.raises(NdcnpInputError, match="PNG compression must be one of fast, small"):
        write_png(tmp_path / "x.png", np.zeros((2, 2), np.uint8), compression="best")
