"""``ndcnp theory`` subcommands.

``ndcnp theory`` alone prints the audit of the paper's equations; actions such as
``ndcnp theory bound`` sit below it as sub-subcommands.
"""

from __future__ import annotations

import argparse
import json

from ndtheory.audit import FORMATS, format_audit
from ndtheory.bound import (
    BOUND_PARAMETERS,
    SUM_W_PARAMETER,
    continuous_firing_bound,
    finite_horizon_supremum,
    solve_for,
)
from ndtheory.errors import NdcnpInputError
from ndtheory.findings import summary_lines
from ndtheory.spec import ND_CNP

_BOUND_OPTIONS = {
    "alpha": "--alpha",
    "beta": "--beta",
    "gamma": "--gamma",
    "lam": "--lam",
    "sum_W": "--sum-w",
    "I": "--input-max",
}


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``theory`` subcommand (and its actions) to ``commands``."""
    parser = commands.add_parser(
        "theory",
        help="derivations and the audit of the paper",
        description=(
            "Without an action: the audit of the paper's Eqs. 8-19, then (text format) a "
            "summary of what holds and fails of Theorem 4 and Corollary 1."
        ),
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="audit table format (default: text)"
    )
    parser.set_defaults(handler=_run_audit)
    actions = parser.add_subparsers(dest="theory_action", metavar="ACTION")

    bound = actions.add_parser(
        "bound",
        help="Theorem 4's continuous-firing bound, its finite-horizon supremum, or a solver",
        description=(
            "Print the bound of Eq. 17 and the input above which the neuron fires at every "
            "step from rest; with --solve-for, the parameter that puts --input-max on the bound."
        ),
    )
    for name, flag in _BOUND_OPTIONS.items():
        bound.add_argument(flag, dest=name, type=float, default=None, help=_option_help(name))
    bound.add_argument(
        "--solve-for", choices=BOUND_PARAMETERS, default=None, help="parameter to solve for"
    )
    bound.add_argument("--format", choices=("text", "json"), default="text")
    bound.set_defaults(handler=_run_bound)


def _option_help(name: str) -> str:
    if name == "I":
        return "largest input I, to put on the bound (only with --solve-for)"
    parameter = SUM_W_PARAMETER if name == "sum_W" else ND_CNP.parameter(name)
    return f"{parameter.description}; in {parameter.range_text()}"


def _run_audit(args: argparse.Namespace) -> int:
    print(format_audit(fmt=args.format))
    if args.format == "text":
        # the other formats are tables meant for machines or documents; keep them pure
        print()
        print("\n".join(summary_lines()))
    return 0


def _run_bound(args: argparse.Namespace) -> int:
    given = {name: getattr(args, name) for name in _BOUND_OPTIONS}
    solved = None
    if args.solve_for is not None:
        target = args.solve_for
        if given[target] is not None:
            raise NdcnpInputError(f"{_BOUND_OPTIONS[target]} is what --solve-for computes; drop it")
        missing = [n for n in _BOUND_OPTIONS if n != target and given[n] is None]
        if missing:
            raise NdcnpInputError(
                f"--solve-for {target} needs {_BOUND_OPTIONS[missing[0]]}; got none"
            )
        known = {n: v for n, v in given.items() if n != target}
        solved = solve_for(target, **known)
        given[target] = solved
    else:
        missing = [n for n in _BOUND_OPTIONS if n != "I" and given[n] is None]
        if missing:
            raise NdcnpInputError(f"bound needs {_BOUND_OPTIONS[missing[0]]}; got none")
        if given["I"] is not None:
            raise NdcnpInputError("--input-max is only used with --solve-for")
    params = {n: given[n] for n in ("alpha", "beta", "gamma", "lam", "sum_W")}
    bound = continuous_firing_bound(**params)
    supremum = finite_horizon_supremum(**params)
    if args.format == "json":
        print(
            json.dumps(
                {
                    **params,
                    "solved_for": args.solve_for,
                    "input_max": given["I"],
                    "bound": bound,
                    "supremum": supremum.supremum,
                    "supremum_step": supremum.step,
                }
            )
        )
        return 0
    if solved is not None:
        print(f"{args.solve_for} = {solved:.12g}")
    print(f"continuous-firing bound (Theorem 4, Eq. 17): I > {bound:.12g}")
    if supremum.step is not None:
        print(
            f"fires at every step from rest iff I > max_t I_t = {supremum.supremum:.12g} "
            f"(reached at t = {supremum.step})"
        )
    else:
        print(
            f"fires at every step from rest iff I >= {supremum.supremum:.12g}: every I_t is "
            "below the bound (approached as t -> oo), so I = bound fires at every step"
        )
    return 0
