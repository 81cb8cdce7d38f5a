"""``ndcnp theory`` subcommands.

``ndcnp theory`` alone prints the audit of the paper's equations; actions such as
``ndcnp theory bound`` sit below it as sub-subcommands.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import sympy as sp

from ndtheory.audit import FORMATS
from ndtheory.bound import (
    BOUND_PARAMETERS,
    SUM_W_PARAMETER,
    bound_expr,
    continuous_firing_bound,
    finite_horizon_supremum,
    solve_for,
    threshold_expr,
)
from ndtheory.cli_onset import register_onset
from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.exact import exact_argument
from ndtheory.recurrence import t
from ndtheory.spec import MODELS, ND_CNP, SEMANTICS, SUM_W

MAX_REGIME_LENGTH = 10
"""Longest pattern ``theory regimes`` tries: 2**L / L patterns, about 10 s at L = 10."""

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
        bound.add_argument(
            flag, dest=name, type=exact_argument, default=None, help=_option_help(name)
        )
    bound.add_argument(
        "--solve-for", choices=BOUND_PARAMETERS, default=None, help="parameter to solve for"
    )
    bound.add_argument("--format", choices=("text", "json"), default="text")
    bound.set_defaults(handler=_run_bound)

    regimes = actions.add_parser(
        "regimes",
        help="periodic firing patterns of ND-CNP and the inputs where each exists",
        description=(
            "Derive, for every primitive spike pattern of length <= --max-length, the periodic "
            "orbit (fixed point of the map over one period) and the inputs I at which it "
            "exists (firing holds on its 1-steps, fails on its 0-steps); list those that "
            "exist in [--I-min, --I-max]."
        ),
    )
    for name, flag in _BOUND_OPTIONS.items():
        if name != "I":
            regimes.add_argument(
                flag, dest=name, type=exact_argument, default=None, help=_option_help(name)
            )
    regimes.add_argument(
        "--model",
        choices=sorted(MODELS),
        default=ND_CNP.name,
        help="a registered model (default nd-cnp, whose parameters have their own options)",
    )
    regimes.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of --model (repeat for each); not needed for nd-cnp",
    )
    regimes.add_argument(
        "--max-length",
        type=int,
        default=6,
        help=f"longest pattern, 1 to {MAX_REGIME_LENGTH} (default 6)",
    )
    regimes.add_argument(
        "--I-min", dest="I_min", type=exact_argument, default=0.0, help="default 0"
    )
    regimes.add_argument(
        "--I-max",
        dest="I_max",
        type=exact_argument,
        default=float("inf"),
        help="default: unbounded",
    )
    regimes.add_argument("--semantics", choices=SEMANTICS, default="decay")
    regimes.add_argument(
        "--coupling",
        choices=("uniform", "always"),
        default="uniform",
        help="K = sum(W) P(t-1) (uniform grid, default) or K = sum(W) (neighbours always fire)",
    )
    regimes.add_argument("--format", choices=("text", "json"), default="text")
    regimes.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (shown only on a terminal)"
    )
    regimes.add_argument(
        "--from-rest",
        action="store_true",
        help="instead: the attractor a neuron started from rest actually reaches, for every I "
        "in [--I-min, --I-max] (exact, certified; needs a finite --I-max)",
    )
    regimes.add_argument("--steps", type=int, default=400, help="--from-rest: steps per cell")
    regimes.add_argument("--plot", help="--from-rest: write rate against I here (.png)")
    regimes.set_defaults(handler=_run_regimes)

    register_onset(actions)

    derive = actions.add_parser(
        "derive",
        help="closed forms and continuous-firing condition of a declared model",
        description="A model's continuous-firing closed forms and its bound, or why there is none.",
    )
    derive.add_argument("--model", choices=sorted(MODELS), default=ND_CNP.name)
    derive.set_defaults(handler=_run_derive)


def _option_help(name: str) -> str:
    if name == "I":
        return "largest input I, to put on the bound (only with --solve-for)"
    parameter = SUM_W_PARAMETER if name == "sum_W" else ND_CNP.parameter(name)
    return f"{parameter.description}; in {parameter.range_text()}"


def _run_audit(args: argparse.Namespace) -> int:
    # The audit derives every equation; ``theory bound`` alone need not import it.
    from ndtheory.audit import format_audit
    from ndtheory.findings import summary_lines

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
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        bound = continuous_firing_bound(**params)
        supremum = finite_horizon_supremum(**params)
    if not (math.isfinite(bound) and math.isfinite(supremum.supremum)):
        raise NdcnpInputError(
            "the bound is too large for a float at these parameters ("
            + ", ".join(f"{_BOUND_OPTIONS[n]} {v:g}" for n, v in params.items())
            + "); give smaller values"
        )
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
        bound_text, supremum_text = f"{bound:.12g}", f"{supremum.supremum:.12g}"
    else:
        # The options are decimals the user typed: the bound and I_t are exact rationals.
        exact = {symbol: sp.Rational(repr(params[name])) for name, symbol in _symbols().items()}
        bound_text = _exact_text(bound_expr(ND_CNP).xreplace(exact), bound)
        supremum_text = bound_text
        if supremum.step is not None:
            at_step = threshold_expr(ND_CNP).xreplace({**exact, t: supremum.step})
            supremum_text = _exact_text(at_step, supremum.supremum)
    print(f"continuous-firing bound (Theorem 4, Eq. 17): I > {bound_text}")
    if supremum.step is not None:
        print(
            f"fires at every step from rest iff I > max_t I_t = {supremum_text} "
            f"(reached at t = {supremum.step})"
        )
    else:
        print(
            f"fires at every step from rest iff I >= {supremum_text}: every I_t is "
            "below the bound (approached as t -> oo), so I = bound fires at every step"
        )
    return 0


def _symbols() -> dict[str, sp.Symbol]:
    return {**{p.name: p.symbol for p in ND_CNP.parameters}, "sum_W": SUM_W}


def _exact_text(value: sp.Expr, approx: float) -> str:
    """``62/19 = 3.26315789474`` for a rational that no short decimal writes, else the decimal.

    When ``.12g`` prints the value in full, that decimal is already exact; a
    fraction of more than 12 digits a side is no easier to read than the decimal.
    """
    decimal = f"{approx:.12g}"
    short = value.is_Rational and max(abs(value.p), value.q) < 10**12
    if short and value.q != 1 and sp.Rational(decimal) != value:
        return f"{value.p}/{value.q} = {decimal}"
    return decimal


def _run_regimes(args: argparse.Namespace) -> int:
    from ndtheory.regimes import regimes

    model = MODELS[args.model]
    params = _regime_params(args, model)
    if args.sum_W is None:
        raise NdcnpInputError("regimes needs --sum-w; got none")
    if not (math.isfinite(args.sum_W) and args.sum_W >= 0):
        raise NdcnpInputError(f"--sum-w must be a finite number >= 0; got {args.sum_W:g}")
    if not 1 <= args.max_length <= MAX_REGIME_LENGTH:
        raise NdcnpInputError(
            f"--max-length must be in [1, {MAX_REGIME_LENGTH}]; got {args.max_length}"
        )
    if not (math.isfinite(args.I_min) and 0 <= args.I_min < args.I_max):
        raise NdcnpInputError(
            f"need 0 <= --I-min < --I-max; got --I-min {args.I_min:g} --I-max {args.I_max:g}"
        )
    if args.from_rest:
        return _run_regimes_from_rest(args, model, params)
    from simulate.outputs import progress_factory

    try:
        found = regimes(
            model,
            params,
            args.sum_W,
            max_length=args.max_length,
            I_min=args.I_min,
            I_max=args.I_max,
            semantics=args.semantics,
            coupling=args.coupling,
            progress=progress_factory(desc="regimes", unit="pattern", quiet=args.quiet),
        )
    except NotDerivableError as error:
        raise NdcnpInputError(str(error)) from None
    rows = [
        {
            "pattern": r.pattern,
            "rate": r.rate,
            "I_low": r.bounds[0],
            "I_high": r.bounds[1],
            "low_closed": r.closed[0],
            "high_closed": r.closed[1],
        }
        for r in found
    ]
    if args.format == "json":
        print(json.dumps(rows))
        return 0
    print(
        f"{model.name}: periodic patterns of length <= {args.max_length} ({args.semantics}, "
        f"{args.coupling} coupling) for I in [{args.I_min:g}, {args.I_max:g}]:"
    )
    print(
        "(orbits that EXIST at each I, several at once where intervals overlap; which one a "
        "neuron started from rest reaches: --from-rest)"
    )
    print(f"{'pattern':>12}  {'rate':>5}  I interval")
    for row in rows:
        left = "[" if row["low_closed"] else "("
        right = "]" if row["high_closed"] else ")"
        print(
            f"{row['pattern']:>12}  {row['rate']:5.3f}  "
            f"{left}{row['I_low']:.10g}, {row['I_high']:.10g}{right}"
        )
    return 0


def _run_regimes_from_rest(args: argparse.Namespace, model, params: dict) -> int:
    from ndtheory.cli_onset import plot_reached, print_reached, reached_table

    out = None
    if args.plot:
        from simulate.outputs import atomic_write, check_output_path

        out = check_output_path(args.plot)
    table = reached_table(args, model, params)
    if args.format == "json":
        rows = [
            {
                "kind": r["kind"],
                "pattern": r["pattern"],
                "rate": r["rate"],
                "I_low": str(r["span"].lo),
                "I_high": str(r["span"].hi),
                "coexisting": r["coexisting"],
            }
            for r in table["rows"]
        ]
        print(json.dumps(rows))
    else:
        print_reached(args, model, table)
    if out is not None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        plot_reached(table, ax, f"{model.name}, {args.coupling}, {args.semantics}: rate from rest")
        atomic_write(out, lambda tmp: fig.savefig(tmp, dpi=90, format="png"))
        plt.close(fig)
        if args.format == "text":
            print(f"wrote {out}")
    return 0


def _regime_params(args: argparse.Namespace, model) -> dict[str, float]:
    """The model's parameters from --param NAME=VALUE, or from --alpha.. for ND-CNP."""
    given = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise NdcnpInputError(f"--param must be NAME=VALUE; got {item!r}")
        try:
            given[name.strip()] = float(value)
        except ValueError:
            raise NdcnpInputError(f"--param {name}: {value!r} is not a number") from None
    if model is ND_CNP:
        for name in ("alpha", "beta", "gamma", "lam"):
            if getattr(args, name) is not None:
                given[name] = getattr(args, name)
        missing = [n for n in ("alpha", "beta", "gamma", "lam") if n not in given]
        if missing:
            raise NdcnpInputError(f"regimes needs {_BOUND_OPTIONS[missing[0]]}; got none")
    elif any(getattr(args, n) is not None for n in ("alpha", "beta", "gamma", "lam")):
        raise NdcnpInputError(
            f"--alpha/--beta/--gamma/--lam are nd-cnp's; use --param for {model.name}"
        )
    return model.validate(given)


def _run_derive(args: argparse.Namespace) -> int:
    from ndtheory.closed_forms import continuous_firing_closed_forms
    from ndtheory.continuous_firing import derive_continuous_firing

    model = MODELS[args.model]
    print(f"{model.name}: {model.source}")
    for name, update in model.updates("decay").items():
        print(f"  {name}(t) = {update}")
    print(f"  P(t) = [{model.fires}]")
    try:
        forms = continuous_firing_closed_forms(model)
        print("continuous firing (neighbours too), t >= 1:")
        for name, form in forms.items():
            print(f"  {name}(t) = {form}")
        condition = derive_continuous_firing(model)
    except NotDerivableError as error:
        print(f"no continuous-firing condition: {error}")
        return 0
    bound = _shortest_form(condition.bound)
    print(f"bound: I {condition.direction}= I*, I* = {bound}")
    for relation in condition.conditions:
        print(f"  valid where {relation}")
    # The explanation names the bound in full; once above is enough.
    print(condition.explanation.replace(str(condition.bound), "I*"))
    return 0


def _shortest_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` or a shorter equal form: collected in one symbol, each coefficient factored.

    A bound that sympy returns as one expanded fraction (the PCNN's, 476 characters)
    reads as ``coefficient * symbol + rest`` in a third of the length.
    """
    best, expanded = expr, sp.expand(expr)
    for symbol in sorted(expr.free_symbols, key=str):
        if any(symbol in e.free_symbols for e in expr.atoms(sp.exp)):
            continue  # collect cannot split exp(symbol) from symbol
        candidate = sp.collect(expanded, symbol, sp.factor)
        if len(str(candidate)) < len(str(best)):
            best = candidate
    return best
