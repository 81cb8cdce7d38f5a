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
import sys
from collections.abc import Sequence
from typing import NoReturn

from ndtheory.errors import NdcnpInputError

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as a shell reports it)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of every other error."""

    def error(self, message: str) -> NoReturn:
        print(f"ndcnp: error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def get_parser() -> argparse.ArgumentParser:
    """Build the ``ndcnp`` argument parser with every subcommand."""
    from fusion import cli_demo, cli_evaluate, cli_fuse
    from ndtheory import cli as theory_cli
    from ndtheory import cli_audit
    from simulate import cli as simulate_cli

    parser = _Parser(
        prog="ndcnp",
        description="Neurodynamics of coupled neural P systems and ND-CNPFuse image fusion.",
        epilog="Bad input: one line 'ndcnp: error: ...', exit 2. Ctrl-C: 'ndcnp: interrupted', "
        "exit 130, nothing written. Outputs appear whole or not at all, never over an input.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    theory_cli.register(commands)
    cli_audit.register(commands)
    simulate_cli.register(commands)
    cli_demo.register(commands)
    cli_evaluate.register(commands)
    cli_fuse.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ndcnp`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        parser = get_parser()
        try:
            args = parser.parse_args(argv)
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
