"""The ``ndcnp`` command line: one parser, each package registering its subcommands.

Every handler parses, calls one library function, writes its files atomically,
and returns 0 on success. Bad input (:class:`ndtheory.errors.NdcnpInputError`)
prints one line ``ndcnp: error: ...`` and returns 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ndtheory.errors import NdcnpInputError


def get_parser() -> argparse.ArgumentParser:
    """Build the ``ndcnp`` argument parser with every subcommand."""
    from fusion import cli_demo, cli_evaluate, cli_fuse, cli_paper
    from ndtheory import cli as theory_cli
    from simulate import cli as simulate_cli

    parser = argparse.ArgumentParser(
        prog="ndcnp",
        description="Neurodynamics of coupled neural P systems and ND-CNPFuse image fusion.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    theory_cli.register(commands)
    simulate_cli.register(commands)
    cli_demo.register(commands)
    cli_evaluate.register(commands)
    cli_fuse.register(commands)
    cli_paper.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ndcnp`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = get_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except NdcnpInputError as error:
        print(f"ndcnp: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
