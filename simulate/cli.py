"""``ndcnp simulate`` subcommands."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand to ``commands``."""
    parser = commands.add_parser("simulate", help="single-neuron and grid simulation")
    parser.set_defaults(handler=lambda args: print("ndcnp simulate: not built yet") or 0)
