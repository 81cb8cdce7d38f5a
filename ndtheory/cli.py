"""``ndcnp theory`` subcommands."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``theory`` subcommand to ``commands``."""
    parser = commands.add_parser("theory", help="derivations and the audit of the paper")
    parser.set_defaults(handler=lambda args: print("ndcnp theory: not built yet") or 0)
