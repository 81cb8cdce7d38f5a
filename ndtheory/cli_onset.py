"""``ndcnp theory onset``: the exact set of inputs that end in continuous firing from rest."""

from __future__ import annotations

import argparse
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
