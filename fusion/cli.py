"""The ``ndcnp`` command line: one parser, each package registering its subcommands.

Every handler parses, checks its inputs and outputs, calls one library function,
writes its files atomically, and returns 0 on success. Bad input
(:class:`ndtheory.errors.NdcnpInputError`, an argparse error, an ``OSError``
while reading or writing) prints one line ``ndcnp: error: ...`` and returns 2,
without a traceback; Ctrl-C prints ``ndcnp: interrupted`` and returns 130, after
the handler's staging files are removed.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from ndtheory.errors import NdcnpInputError

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as a shell reports it)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of every other error."""

    def error(self, message: str) -> NoReturn:
        print(f"ndcnp: error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


COMMANDS = {
    "theory": ("ndtheory.cli", "derivations and the audit of the paper"),
    "audit": (
        "ndtheory.cli_audit",
        "check a paper's printed claims about its neuron model (a TOML file)",
    ),
    "simulate": ("simulate.cli", "single-neuron and grid simulation"),
    "demo": (
        "fusion.cli_demo",
        "theory, Fig. 2 and fusion of a built-in pair with known ground truth",
    ),
    "evaluate": (
        "fusion.cli_evaluate",
        "score fused images: Qabf, FMIw, SSIM, SSIM_Y, PSNR, QP, QCB",
    ),
    "fuse": ("fusion.cli_fuse", "fuse multi-focus images with ND-CNPFuse"),
    "fuse-dir": ("fusion.cli_fuse", "fuse every far/NAME with near/NAME of a set"),
    "reproduce": ("fusion.cli_fuse", "compare our fusions with published ones"),
    "paper": (
        "fusion.cli_paper",
        "rerun the paper's experiments: Tables 1-4, Figs. 7-8, the energy estimate",
    ),
}
"""Each command: the module whose ``register`` adds it, and its one-line help.

The line is repeated here so that ``ndcnp --help`` lists every command without importing
its module (sympy, numba and matplotlib make that take seconds); a test keeps it equal to
what ``register`` declares."""


def get_parser(in_full: Collection[str] | None = None) -> argparse.ArgumentParser:
    """Build the ``ndcnp`` argument parser.

    Parameters
    ----------
    in_full : collection of str, optional
        The commands whose modules register them (with their options); every other command
        is a bare entry with its help line, enough for ``ndcnp --help``. Default: all.
    """
    parser = _Parser(
        prog="ndcnp",
        description="Neurodynamics of coupled neural P systems and ND-CNPFuse image fusion.",
        epilog="Bad input: one line 'ndcnp: error: ...', exit 2. Ctrl-C: 'ndcnp: interrupted', "
        "exit 130, nothing written. Outputs appear whole or not at all, never over an input.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = COMMANDS if in_full is None else in_full
    wanted = {COMMANDS[name][0] for name in names}
    registered: set[str] = set()
    for name, (module, text) in COMMANDS.items():
        if module not in wanted:
            commands.add_parser(name, help=text)
        elif module not in registered:
            registered.add(module)
            importlib.import_module(module).register(commands)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option), if known."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in COMMANDS else None


@contextmanager
def frozen_imports(first: bool = True) -> Iterator[None]:
    """Import with the cyclic garbage collector paused, then freeze what exists.

    SymPy, numpy and numba make hundreds of thousands of long-lived objects at import.
    With the collector on, its full collections walk them again and again during the
    imports, and once more at exit; paused, then moved to the permanent generation
    (:func:`gc.freeze`), they are never walked. ``ndcnp theory bound`` takes about 0.2 s
    less CPU, ``ndcnp fuse`` on a Lytro pair about 0.25 s (``benchmarks/README.md``).
    Objects made afterwards are collected as usual. ``first=False`` (what is to be
    imported is already there) does nothing, so a caller that runs commands in-process
    (the tests) freezes its own objects only the first time.
    """
    if not first:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


M_TOP_PAD = -2
"""glibc's ``mallopt`` option: bytes of extra heap to take, and keep, beyond a request."""
TOP_PAD_BYTES = 1 << 28


def keep_freed_memory() -> None:
    """Let glibc keep 256 MiB of freed heap for the next allocations instead of returning it.

    The metrics and the fusion allocate and free arrays of an image's size over and over.
    By default glibc gives the top of its heap back to the system as soon as it is free,
    and takes it again at the next allocation, whose pages then fault on first touch
    (system time, dear in a VM). With a 256 MiB top pad (``MALLOC_TOP_PAD_``), measured
    whole processes: ``ndcnp evaluate`` on the 20 Lytro pairs 0.18 s of system time instead
    of 0.82 (4.1 s wall instead of 4.7), ``fuse-dir`` 0.14 s instead of 0.59, the 24-MP
    ``fuse`` 1.9 s instead of 2.6 for 4 % more peak memory (a 64 MiB pad saved less; the
    mmap and trim thresholds did nothing or worse; ``benchmarks/README.md``). Pages are
    reserved, not touched, until used. Process-wide, so the command line sets it (forked
    workers inherit it), never the library. Does nothing where the C library has no
    ``mallopt`` (not glibc).
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(ctypes.c_int(M_TOP_PAD), ctypes.c_int(TOP_PAD_BYTES))


def numba_without_blas_probe() -> None:
    """Load numba's array-math lowering without its probe for SciPy's BLAS.

    At import ``numba.np.arraymath`` tries ``import scipy.linalg.cython_blas``, which loads
    all of ``scipy.linalg``: 0.2 s of CPU, a fifth of ``ndcnp fuse`` on a Lytro pair and of
    the first image ``ndcnp evaluate`` scores. The answer only chooses how compiled
    ``np.correlate``/``np.convolve`` take inner products; the fusion and metric kernels call
    neither, and these processes run nothing else under numba. So the command line (never
    the library, whose callers may use them) hides the module for that one import, and puts
    it back: a later ``import scipy.linalg`` works as usual.
    """
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    probe = "scipy.linalg.cython_blas"
    sys.modules[probe] = None  # type: ignore[assignment] - makes that import fail at once
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if probe in sys.modules and sys.modules[probe] is None:
            del sys.modules[probe]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ndcnp`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    command = _command(words)
    try:
        # Without a known command, argparse prints the overview or an error: no module is needed.
        module = COMMANDS[command][0] if command is not None else None
        with frozen_imports(module is not None and module not in sys.modules):
            parser = get_parser([] if command is None else [command])
        try:
            args = parser.parse_args(words)
        except SystemExit as stop:  # --help (0) or an argparse error (2, printed)
            return int(stop.code or 0)
        return int(args.handler(args) or 0)
    except NdcnpInputError as error:
        print(f"ndcnp: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"ndcnp: error:{where} {error.strerror or _one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ndcnp: interrupted", file=sys.stderr)
        return INTERRUPTED


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
