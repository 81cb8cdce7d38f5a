"""``ndcnp theory onset``: the exact set of inputs that end in continuous firing from rest."""

from __future__ import annotations

import argparse
import itertools
import json
from fractions import Fraction

from ndtheory.errors import NdcnpInputError, NotDerivableError
from ndtheory.exact import exact_argument, exact_value, fraction_text
from ndtheory.spec import MODELS, ND_CNP, SEMANTICS

_ND_CNP_OPTIONS = ("alpha", "beta", "gamma", "lam")


def register_onset(actions: argparse._SubParsersAction) -> None:
    """Add ``theory onset`` to the ``theory`` actions."""
    onset = actions.add_parser(
        "onset",
        help="exact set of inputs from which the neuron ends up firing at every step (from rest)",
        description=(
            "The inputs I from which the neuron, started from rest, fires at every step from "
            "some step on, as certified intervals with exact ends (prefix of spikes on which the "
            "margin is affine in I, plus a proven tail bound); Theorem 4's bound B and the "
            "ratio of the onset to it. Values are exact: 0.8 is 4/5, 62/19 is accepted."
        ),
    )
    for name in _ND_CNP_OPTIONS:
        onset.add_argument(f"--{name}", type=exact_argument, default=None, help=f"nd-cnp's {name}")
    onset.add_argument("--sum-w", dest="sum_W", type=exact_argument, required=True, help="sum(W)")
    onset.add_argument("--model", choices=sorted(MODELS), default=ND_CNP.name)
    onset.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="parameter of --model"
    )
    onset.add_argument("--neighbours", choices=("uniform", "always"), default="uniform")
    onset.add_argument("--semantics", choices=SEMANTICS, default="decay")
    onset.add_argument(
        "--I-max",
        dest="I_max",
        type=exact_argument,
        default=None,
        help="upper end of the search (default: sup_t I_t for nd-cnp, above which every step "
        "fires from rest; else 3B + 1)",
    )
    onset.add_argument(
        "--I-min",
        dest="I_min",
        type=exact_argument,
        default=None,
        help="lower end of the search, if above max(B, 0) (to look at one region)",
    )
    onset.add_argument(
        "--steps", type=int, default=400, help="step limit per cell (default 400, at most 5000)"
    )
    onset.add_argument("--format", choices=("text", "json"), default="text")
    onset.set_defaults(handler=run_onset)


def _params(args: argparse.Namespace) -> dict[str, Fraction]:
    model = MODELS[args.model]
    given: dict[str, Fraction] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise NdcnpInputError(f"--param must be NAME=VALUE; got {item!r}")
        given[name.strip()] = exact_value(value.strip(), name.strip())
    if model is ND_CNP:
        for name in _ND_CNP_OPTIONS:
            if getattr(args, name) is not None:
                given[name] = exact_value(getattr(args, name), name)
        missing = [n for n in _ND_CNP_OPTIONS if n not in given]
        if missing:
            raise NdcnpInputError(f"onset needs --{missing[0]}; got none")
    elif any(getattr(args, n) is not None for n in _ND_CNP_OPTIONS):
        raise NdcnpInputError(
            f"--alpha/--beta/--gamma/--lam are nd-cnp's; use --param for {model.name}"
        )
    return given


def run_onset(args: argparse.Namespace) -> int:
    """Print the onset set, its lower end with the certificate, B and the ratio."""
    from ndtheory.onset import onset_set

    if not 1 <= args.steps <= 5000:
        raise NdcnpInputError(f"--steps must be in [1, 5000]; got {args.steps}")
    model = MODELS[args.model]
    try:
        result = onset_set(
            _params(args),
            exact_value(args.sum_W, "sum_W"),
            neighbours=args.neighbours,
            semantics=args.semantics,
            model=model,
            I_max=args.I_max,
            I_min=args.I_min,
            max_steps=args.steps,
        )
    except NotDerivableError as error:
        raise NdcnpInputError(f"no onset for {model.name}: {error}") from None
    intervals = result.intervals()
    has_set = bool(intervals)
    if has_set:
        low, high, below, first = result.lower_end()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "bound": str(result.bound),
                    "top": str(result.top),
                    "set": [[str(s.lo), str(s.hi), s.lo_open, s.hi_open] for s in intervals],
                    "lower_end": str(low) if has_set else None,
                    "lower_end_certified_above": str(high) if has_set else None,
                    "ratio": float(low / result.bound) if has_set and result.bound else None,
                    "unresolved_width": float(sum(p.span.width for p in result.unresolved)),
                }
            )
        )
        return 0
    print(
        f"{model.name}, {args.neighbours} neighbours, {args.semantics}; inputs explored on "
        f"[B, {fraction_text(result.top)}] to {result.steps} steps per cell"
    )
    print(f"Theorem 4's bound B = {fraction_text(result.bound)}")
    if result.top > result.bound:
        print(f"above {fraction_text(result.top)} (sup_t I_t) every step fires from rest")
    if not has_set:
        print("no input of the window ends in continuous firing")
        return 0
    text = " u ".join(s.text() for s in intervals)
    tail = ", and every input above" if result.above_top else ""
    print(f"onset set (continuous firing from some step on): {text}{tail}")
    if low == high:
        print(f"lower end: {fraction_text(low)} (certified exactly)")
    else:
        print(f"lower end: {fraction_text(low)}")
    if result.bound > 0:
        print(f"ratio lower end / B = {float(low / result.bound):.6f}")
    print("certificate:")
    print(
        f"  at and below it: the {len(below.prefix)}-step prefix ...{below.prefix[-24:]} then the "
        f"orbit {below.pattern} for ever, on {below.span.text()} (periodic tail: every phase "
        "keeps its sign, the orbit margin beats the decaying deviation or the dominant "
        "deviation term has the right sign)"
        if below is not None
        else (
            "  below it: Theorem 4's necessity (the limit margin is negative below B)"
            if result.start == max(result.bound, 0)
            else f"  below it: not explored (the search starts at {fraction_text(result.start)})"
        )
    )
    if first.tail_steps < 0:
        print(
            f"  above it: from {_fmt(first.span.lo)} on, certified continuous pieces; the lowest, "
            f"{first.span.text()}, follows the prefix ...{first.prefix[-24:]} "
            f"({len(first.prefix)} steps), then its orbit for ever more periods (more as I "
            "comes down to the end), leaves it at the silent step whose orbit margin is "
            "positive there, and fires for ever after: stepped in interval arithmetic from "
            "the box of states it can leave from until the tail bound "
            "m*(I) > sum_e max|C_e| rho_e^k holds on all of it (m* the limit margin, zero at B)"
        )
    else:
        print(
            f"  above it: from {_fmt(first.span.lo)} on, certified continuous pieces; the lowest "
            f"fires at every step after the prefix ...{first.prefix[-24:]} ({len(first.prefix)} "
            f"steps): {first.tail_steps} margins checked one by one, then the tail bound "
            "m*(I) > sum_e max|C_e| rho_e^k (m* the limit margin, zero at B)"
        )
    if high > low:
        print(
            f"  between: ({_fmt(low)}, {_fmt(high)}], width {float(high - low):.3g}: inputs "
            f"that follow the orbit {below.pattern if below else '?'} for ever more periods "
            f"before leaving it (unresolved after {result.steps} steps)"
        )
    elsewhere = [p for p in result.unresolved if p.span.hi <= low]
    if elsewhere:
        width = float(sum(p.span.width for p in elsewhere))
        print(
            f"unresolved below the lower end: {len(elsewhere)} cells of total width {width:.3g} "
            "(at ends of periodic orbits' existence intervals)"
        )
    print("pieces:")
    for piece, cells in result.merged():
        what = {"continuous": "continuous", "periodic": f"orbit {piece.pattern}"}.get(
            piece.kind, piece.kind
        )
        print(f"  {piece.span.text():>44}  {what} ({cells} cell{'s' if cells > 1 else ''})")
    return 0


def _fmt(x: Fraction) -> str:
    from ndtheory.onset import _short

    return _short(x)


def reached_table(args: argparse.Namespace, model, params: dict) -> dict:
    """``theory regimes --from-rest``: the attractor reached from rest over [I_min, I_max].

    Returns the rows (merged pieces with rate and the other orbits that exist there),
    Theorem 4's ``B``, the onset, and the listed orbits' existence intervals, for the
    text output and the plot.
    """
    import math

    from ndtheory.onset import reached_from_rest
    from ndtheory.regimes import canonical, regimes

    if math.isinf(args.I_max):
        raise NdcnpInputError("--from-rest needs a finite --I-max")
    if not 1 <= args.steps <= 5000:
        raise NdcnpInputError(f"--steps must be in [1, 5000]; got {args.steps}")
    # the values as typed (0.8 is 4/5): the validated floats would carry binary noise
    typed = dict(item.partition("=")[::2] for item in args.param)
    typed.update(
        {n: getattr(args, n) for n in _ND_CNP_OPTIONS if getattr(args, n, None) is not None}
    )
    exact = {k: exact_value(typed.get(k, v), k) for k, v in params.items()}
    sum_w = exact_value(args.sum_W, "sum_W")
    try:
        pieces = reached_from_rest(
            exact,
            sum_w,
            exact_value(args.I_min, "I_min"),
            exact_value(args.I_max, "I_max"),
            neighbours=args.coupling,
            semantics=args.semantics,
            model=model,
            max_steps=args.steps,
        )
        listed = regimes(
            model,
            exact,
            float(sum_w),
            max_length=args.max_length,
            I_min=float(args.I_min),
            I_max=float(args.I_max),
            semantics=args.semantics,
            coupling=args.coupling,
        )
    except NotDerivableError as error:
        raise NdcnpInputError(f"no from-rest regimes for {model.name}: {error}") from None
    rows: list[dict] = []
    for piece in pieces:
        pattern = canonical(piece.pattern) if piece.pattern else ""
        kind = piece.kind
        if rows and rows[-1]["kind"] == kind and rows[-1]["pattern"] == pattern:
            rows[-1]["span"] = type(piece.span)(
                rows[-1]["span"].lo, piece.span.hi, rows[-1]["span"].lo_open, piece.span.hi_open
            )
            rows[-1]["cells"] += 1
            continue
        rows.append({"kind": kind, "pattern": pattern, "span": piece.span, "cells": 1})
    for row in rows:
        span = row["span"]
        row["rate"] = row["pattern"].count("1") / len(row["pattern"]) if row["pattern"] else None
        row["coexisting"] = [
            r.pattern
            for r in listed
            if r.pattern != row["pattern"]
            and float(r.interval.inf) <= float(span.hi)
            and float(r.interval.sup) >= float(span.lo)
        ]
    reached = {row["pattern"] for row in rows if row["pattern"]}
    index = next((i for i, row in enumerate(rows) if row["kind"] == "continuous"), None)
    first = None
    if index is not None:  # the certified end below the first continuous piece
        below = [row for row in rows[:index] if row["kind"] != "unresolved"]
        first = below[-1]["span"].hi if below else rows[index]["span"].lo
    from ndtheory.onset import _dynamics

    dyn = _dynamics(model, exact, sum_w, args.coupling, args.semantics)
    bound = dyn.margin(dyn.fixed_point()).root()
    return {
        "rows": rows,
        "bound": bound,
        "onset": first,
        "listed": listed,
        "never_reached": [r.pattern for r in listed if r.pattern not in reached],
    }


def print_reached(args: argparse.Namespace, model, table: dict) -> None:
    """The text output of ``theory regimes --from-rest``."""
    rows = table["rows"]
    print(
        f"{model.name}: the attractor REACHED from rest ({args.semantics}, {args.coupling} "
        f"neighbours) for I in [{args.I_min:g}, {args.I_max:g}], exact, {args.steps} steps per "
        "cell (each piece certified: continuous, or its periodic orbit for ever)"
    )
    print(f"{'I interval':>46}  {'reached':>12}  {'rate':>5}  other orbits that exist there")
    for row in rows:
        what = row["pattern"] if row["kind"] != "unresolved" else "unresolved"
        rate = f"{row['rate']:.3f}" if row["rate"] is not None else "    -"
        others = ", ".join(row["coexisting"]) or "-"
        if row["kind"] == "unresolved":
            others = f"width {float(row['span'].width):.2g}"
        print(f"{row['span'].text():>46}  {what:>12}  {rate:>5}  {others}")
    rates = [(row["span"], row["rate"]) for row in rows if row["rate"] is not None]
    # a breakpoint is the certified end of the lower piece; an unresolved gap above it
    # (inputs that leave the lower orbit ever later) has the width printed in the table
    breaks = [a[0].hi for a, b in itertools.pairwise(rates) if a[1] != b[1]]
    print(f"long-run rate breakpoints: {', '.join(_fmt(x) for x in breaks) or 'none'}")
    drops = [_fmt(a[0].hi) for a, b in itertools.pairwise(rates) if b[1] < a[1]]
    print(
        "the rate is a staircase (constant on each piece), "
        + (f"NOT monotone: it drops at {', '.join(drops)}" if drops else "non-decreasing in I")
    )
    print(f"Theorem 4's bound B = {fraction_text(table['bound'])}")
    if table["onset"] is not None:
        print(f"continuous firing reached from I > {fraction_text(table['onset'])} on")
    if table["never_reached"]:
        print(
            "orbits that exist in the window but are never reached from rest: "
            + ", ".join(table["never_reached"])
        )


def plot_reached(table: dict, ax, title: str) -> None:
    """Rate against I: the reached staircase, B, the onset, the listed orbits' intervals."""
    from ndtheory.regimes import plot_regimes

    plot_regimes(table["listed"], ax=ax, labels=True)
    for row in table["rows"]:
        if row["rate"] is None:
            continue
        span = row["span"]
        ax.plot([float(span.lo), float(span.hi)], [row["rate"]] * 2, color="k", lw=1.5)
    ax.axvline(float(table["bound"]), color="C0", ls="--", lw=1, label="B (Theorem 4)")
    if table["onset"] is not None:
        ax.axvline(float(table["onset"]), color="C2", ls=":", lw=1.5, label="onset from rest")
    ax.plot([], [], color="k", lw=1.5, label="reached from rest")
    ax.plot([], [], color="C3", lw=3, alpha=0.6, label="orbit exists")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(title, fontsize=9)
