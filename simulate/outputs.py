"""Writing result files safely: whole or not at all, never over an input, with progress.

Every command checks its outputs against its inputs before it computes anything
(:func:`check_output_path`, :func:`check_output_folder`, :func:`check_distinct`),
writes single files through :func:`atomic_write` and whole folders through
:func:`staged_folder`, and shows long loops with :func:`progress`. A batch loop
elsewhere (e.g. a parallel one) uses the same four pieces.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ndtheory.errors import NdcnpInputError

T = TypeVar("T")


def _resolved(path: str | os.PathLike) -> Path:
    # strict=False: an output usually does not exist yet; symlinks on the way are followed.
    return Path(path).expanduser().resolve()


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _existing_ancestor(path: Path) -> Path:
    """The nearest folder at or above ``path`` that exists (refusing a file on the way)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                raise NdcnpInputError(
                    f"output {path} lies under {candidate}, which is a file; give another path"
                )
            return candidate
    return Path("/")  # unreachable: the root exists


def _check_writable(folder: Path, out: Path) -> None:
    """Create and remove a file in ``folder``: the one test that also holds for root."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".ndcnp-probe.", dir=folder)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise NdcnpInputError(f"output {out} cannot be written in {folder}: {reason}") from None
    os.close(fd)
    os.unlink(probe)


def _check_not_input(out: Path, inputs: Iterable[str | os.PathLike], what: str) -> None:
    target = _resolved(out)
    for source in inputs:
        src = _resolved(source)
        # samefile also catches a hard link, which resolving cannot see.
        if target == src or (target.exists() and src.exists() and os.path.samefile(target, src)):
            raise NdcnpInputError(f"{what} {out} is also an input ({source}); choose another")
        if src.is_dir() and _is_within(target, src):
            raise NdcnpInputError(
                f"{what} {out} lies in input folder {source}; write outside the inputs"
            )


def check_output_path(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike] = (),
    *,
    suffixes: Sequence[str] = (),
) -> Path:
    """Validate an output file before any work is done.

    Parameters
    ----------
    path : path-like
        Where the result will be written.
    inputs : iterable of path-like
        Files and folders the command reads. The output may not be one of them
        nor lie in one of the folders (compared resolved, symlinks followed).
    suffixes : sequence of str, optional
        Allowed suffixes (lower case, with the dot), e.g. ``(".png",)``; empty
        allows any.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.

    Raises
    ------
    NdcnpInputError
        If ``path`` names an input or lies in an input folder, is a directory,
        has a suffix not in ``suffixes``, or cannot be created (a missing
        directory, a file on the way, no write permission).
    """
    out = Path(path)
    if str(path) == "" or out.name in ("", ".", ".."):
        raise NdcnpInputError(f"output {str(path)!r} is not a file name")
    _check_not_input(out, inputs, "output")
    if out.is_dir():
        raise NdcnpInputError(f"output {out} is a directory; give a file name")
    if suffixes and out.suffix.lower() not in suffixes:
        raise NdcnpInputError(
            f"output {out} must end in {' or '.join(suffixes)}; got {out.suffix or 'no suffix'!r}"
        )
    parent = out.parent
    if not parent.exists():
        _existing_ancestor(parent)
        raise NdcnpInputError(f"output directory {parent} does not exist")
    if not parent.is_dir():
        raise NdcnpInputError(f"output {out} lies under file {parent}; give another path")
    if out.exists() and not os.access(out, os.W_OK) and os.geteuid() != 0:
        raise NdcnpInputError(f"output {out} exists and is read-only")
    _check_writable(parent, out)
    return out


def check_distinct(paths: Iterable[str | os.PathLike | None]) -> None:
    """Raise unless the given output paths (``None`` skipped) name different files."""
    seen: dict[Path, str] = {}
    for path in paths:
        if path is None:
            continue
        key = _resolved(path)
        if key in seen:
            raise NdcnpInputError(
                f"outputs {seen[key]} and {path} are the same file; give each its own path"
            )
        seen[key] = str(path)


def check_output_folder(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike] = (),
    names: Iterable[str] = (),
) -> Path:
    """Validate an output folder, and every file to be written in it, before any work.

    Parameters
    ----------
    path : path-like
        The folder (it may exist; it is created with its parents at the end).
    inputs : iterable of path-like
        Files and folders the command reads. The folder may not be one of them,
        lie in one, or hold one; no file ``path/NAME`` may be an input.
    names : iterable of str
        The file names that will be written in the folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    NdcnpInputError
        On any overlap with the inputs, if ``path`` is a file or lies under one,
        or if its nearest existing folder cannot be written.
    """
    out = Path(path)
    if str(path) == "":
        raise NdcnpInputError("output folder '' is not a folder name")
    inputs = list(inputs)
    target = _resolved(out)
    for source in inputs:
        src = _resolved(source)
        if _is_within(src, target):
            raise NdcnpInputError(
                f"output folder {out} holds input {source}; choose a folder outside the inputs"
            )
    _check_not_input(out, inputs, "output folder")
    for name in names:
        _check_not_input(out / name, inputs, "output")
    if out.exists() and not out.is_dir():
        raise NdcnpInputError(f"output {out} exists and is not a folder; give a folder")
    existing = _existing_ancestor(out)
    if out.exists():
        for name in names:
            if (out / name).is_dir():
                raise NdcnpInputError(f"output {out / name} is a directory; remove it first")
    _check_writable(existing, out)
    return out


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write a file so that it appears whole or not at all.

    ``write`` receives a temporary path in the destination directory (with the
    destination's suffix, so format-sniffing writers behave) and must create the
    file there; it is then renamed over ``path``. If ``write`` raises (an
    ``OSError`` such as a full disk, or Ctrl-C), nothing is left behind; an
    ``OSError`` comes back as one :class:`NdcnpInputError` sentence.

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
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    except OSError as error:
        raise NdcnpInputError(f"cannot write {out}: {error.strerror or error}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp makes the file private (0600); a result should read like any new file.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, out)
    except OSError as error:
        raise NdcnpInputError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        tmp_path.unlink(missing_ok=True)
    return out


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextmanager
def staged_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A hidden staging folder next to ``path``, moved into place if the block succeeds.

    The block writes every file into the yielded folder. On success a new
    ``path`` appears by one rename; into an existing ``path`` each staged file
    is moved (replacing a file of the same name, each file whole). If the block
    raises, Ctrl-C included, the staging folder is removed and ``path`` is as
    it was.

    Parameters
    ----------
    path : path-like
        The output folder (checked first with :func:`check_output_folder`).

    Yields
    ------
    pathlib.Path
        The staging folder.
    """
    out = Path(path).absolute()  # "." has no name to stage beside
    parent = _existing_ancestor(out.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=parent))
    except OSError as error:
        raise NdcnpInputError(f"cannot write {out}: {error.strerror or error}") from None
    try:
        yield staging
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if not out.exists():
                # mkdtemp makes a private folder; the result should read like any new folder.
                os.chmod(staging, 0o777 & ~_umask())
                os.rename(staging, out)
            else:
                for item in sorted(staging.iterdir()):
                    os.replace(item, out / item.name)
        except OSError as error:
            raise NdcnpInputError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def progress(
    items: Iterable[T], *, desc: str, unit: str, quiet: bool = False, total: int | None = None
) -> Iterable[T]:
    """``items`` with a tqdm bar on stderr, only when stderr is a terminal and not ``quiet``."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(items, desc=desc, unit=unit, total=total, disable=disable, file=sys.stderr)


def progress_factory(*, desc: str, unit: str, quiet: bool = False) -> Callable[..., Any]:
    """A ``progress(iterable, total=...)`` callable for library loops (see :func:`progress`)."""

    def wrap(items: Iterable[T], total: int | None = None, **_: Any) -> Iterable[T]:
        return progress(items, desc=desc, unit=unit, quiet=quiet, total=total)

    return wrap
