"""Result files appear whole or not at all, with ordinary permissions."""

import os
import stat

import pytest

from ndtheory.errors import NdcnpInputError
from simulate.outputs import atomic_write, check_output_path


def test_written_file_has_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = atomic_write(tmp_path / "x.txt", lambda p: p.write_text("hi"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_text() == "hi"


def test_failed_write_leaves_nothing(tmp_path):
    def broken(path):
        path.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "x.txt", broken)
    assert list(tmp_path.iterdir()) == []


def test_output_may_not_be_an_input(tmp_path):
    source = tmp_path / "a.png"
    source.write_bytes(b"x")
    with pytest.raises(NdcnpInputError, match="also an input"):
        check_output_path(source, [source])
    with pytest.raises(NdcnpInputError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "b.png")
