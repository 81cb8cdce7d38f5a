"""``ndcnp audit FILE``: a verdict for each claim of an audit file (``docs/audit.md``)."""

from __future__ import annotations

import argparse

FORMATS: tuple[str, ...] = ("text", "markdown", "latex", "json")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``audit`` subcommand to ``commands``."""
    parser = commands.add_parser(
        "audit",
        help="check a paper's printed claims about its neuron model (a TOML file)",
        description=(
            "Read a neuron model and the claims a paper prints about it from a TOML file "
            "(docs/audit.md) and give each claim a verdict: identical, equal-in-limit, "
            "differs, holds, fails or not-derivable. Exit 0 when the audit ran, 2 for a bad "
            "file; with --strict, 1 when a claim differs or fails."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the audit file (.toml)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any claim differs or fails"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from ndtheory.claims import BAD, audit_file, format_verdicts

    audit, verdicts = audit_file(args.file)
    print(format_verdicts(audit, verdicts, args.format))
    return 1 if args.strict and any(v.verdict in BAD for v in verdicts) else 0
