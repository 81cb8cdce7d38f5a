"""Writing result files safely: whole or not at all, and never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ndtheory.errors import NdcnpInputError


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Validate an output path before any work is done.

    Parameters
    ----------
    path : path-like
        Where the result will be written.
    inputs : iterable of path-like
        Files the command reads; the output may not be one of them.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.

    Raises
    ------
    NdcnpInputError
        If ``path`` names an input, a directory, or lies in a missing directory.
    """
    out = Path(path)
    for source in inputs:
        if Path(source).exists() and out.exists() and out.resolve() == Path(source).resolve():
            raise NdcnpInputError(f"output {out} is also an input; choose another output path")
    if out.is_dir():
        raise NdcnpInputError(f"output {out} is a directory; give a file name")
    if not out.parent.resolve().is_dir():
        raise NdcnpInputError(f"output directory {out.parent} does not exist")
    return out


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write a file so that it appears whole or not at all.

    ``write`` receives a temporary path in the destination directory (with the
    destination's suffix, so format-sniffing writers behave) and must create the
    file there; it is then renamed over ``path``. If ``write`` raises, nothing
    is left behind.

    Parameters
    ----------
    path : path-like
        Final destination.
    write : callable
        ``write(tmp_path)`` creates the file.

    Returns
    -------
    pathlib.Path
        The destination.
    """
    out = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp makes the file private (0600); a result should read like any new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, out)
    finally:
        tmp_path.unlink(missing_ok=True)
    return out
