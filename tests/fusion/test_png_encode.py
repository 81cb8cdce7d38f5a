"""The PNG encoder: pieces deflated side by side make one valid stream, read back by
Pillow and by zlib, with the same bytes for any number of threads."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import fusion.png_encode
from fusion.png_encode import png_bytes

IMAGES = st.sampled_from(
    [((1, 1), np.uint8), ((7, 5), np.uint8), ((9, 4, 3), np.uint8), ((6, 11), np.uint16)]
)


def _idat(blob: bytes) -> bytes:
    """The IDAT bodies of a PNG, joined, after checking every chunk's CRC (the PNG spec)."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos : pos + 4])
        kind, body = blob[pos + 4 : pos + 8], blob[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        data += body if kind == b"IDAT" else b""
        pos += 12 + length
    return data


def _unsub(raw: bytes, image: np.ndarray) -> np.ndarray:
    """Undo the Sub filter by the PNG spec's definition, one byte at a time."""
    bpp = (1 if image.ndim == 2 else 3) * image.dtype.itemsize
    rows = np.frombuffer(raw, np.uint8).reshape(image.shape[0], -1)
    assert (rows[:, 0] == 1).all()
    out = rows[:, 1:].astype(np.int64)
    for x in range(bpp, out.shape[1]):
        out[:, x] = (out[:, x] + out[:, x - bpp]) % 256
    pixels = out.astype(np.uint8).view(image.dtype.newbyteorder(">"))
    return pixels.reshape(image.shape).astype(image.dtype)


@settings(max_examples=30, deadline=None)
@given(
    kind=IMAGES,
    seed=st.integers(0, 2**32 - 1),
    piece=st.integers(1, 64),
    threads=st.integers(2, 4),
    settings_=st.sampled_from(
        [(1, zlib.Z_RLE), (9, zlib.Z_DEFAULT_STRATEGY), (6, zlib.Z_FILTERED)]
    ),
)
def test_pieces_make_one_stream_that_zlib_and_pillow_read(kind, seed, piece, threads, settings_):
    shape, dtype = kind
    image = np.random.default_rng(seed).integers(0, np.iinfo(dtype).max + 1, shape).astype(dtype)
    level, strategy = settings_
    fusion.png_encode.PIECE_BYTES = piece  # many pieces even for a small image
    try:
        blob = png_bytes(image, level=level, strategy=strategy, threads=threads)
        assert blob == png_bytes(image, level=level, strategy=strategy, threads=1)
    finally:
        fusion.png_encode.PIECE_BYTES = 1 << 22
    # zlib checks the header's check bits and the Adler-32 trailer.
    np.testing.assert_array_equal(_unsub(zlib.decompress(_idat(blob)), image), image)
    back = np.asarray(Image.open(io.BytesIO(blob)))
    np.testing.assert_array_equal(back.astype(dtype), image)


@pytest.mark.parametrize(("level", "flag"), [(0, 0), (1, 0), (4, 1), (6, 2), (9, 3)])
def test_the_zlib_header_is_zlibs_own(level, flag):
    # Python's zlib writes the same two header bytes for the level (RFC 1950, FLEVEL).
    header = png_bytes(np.zeros((2, 2), np.uint8), level=level, strategy=zlib.Z_DEFAULT_STRATEGY)
    ours = _idat(header)[:2]
    assert ours == zlib.compress(b"x", level)[:2] and ours[1] >> 6 == flag


def test_a_fusion_sized_rgb_image_is_as_small_as_pillows_at_the_same_level():
    # A smooth ramp with noise, as a photograph: Sub filtering loses little to Pillow's
    # best-of-five filters at level 1.
    rng = np.random.default_rng(3)
    ramp = np.add.outer(np.arange(300), np.arange(400)) // 3
    image = (np.stack([ramp, ramp // 2, 255 - ramp % 256], axis=2) % 256).astype(np.uint8)
    image = np.clip(image.astype(int) + rng.integers(-2, 3, image.shape), 0, 255).astype(np.uint8)
    ours = png_bytes(image, level=1, strategy=zlib.Z_RLE)
    pillow = io.BytesIO()
    Image.fromarray(image).save(pillow, format="PNG", compress_level=1, compress_type=zlib.Z_RLE)
    assert len(ours) < 1.1 * len(pillow.getvalue())
