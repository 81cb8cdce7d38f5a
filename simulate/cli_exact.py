"""``ndcnp simulate neuron --exact``: the exact run and where a float run parts from it."""

from __future__ import annotations

import argparse

from ndtheory.errors import NdcnpInputError
from ndtheory.exact import exact_value, fraction_text, parse_exact
from ndtheory.spec import ND_CNP

MAX_EXACT_STEPS = 20_000
"""Most steps of ``simulate neuron --exact``: the rationals' denominators grow with every step,
so a run costs about steps squared (3000 steps: 0.1-0.6 s; the limit: about half a minute)."""


def add_exact_options(parser: argparse.ArgumentParser) -> None:
    """``--exact`` and ``--number`` for ``simulate neuron``."""
    group = parser.add_argument_group(
        "exact arithmetic (inputs and parameters as typed: 62/19, 0.1 = 1/10)"
    )
    group.add_argument(
        "--exact",
        action="store_true",
        help="run in exact rational arithmetic and report where the float run parts from it",
    )
    group.add_argument(
        "--number",
        choices=("auto", "fraction", "flint"),
        default="auto",
        help="exact number type (default auto: python-flint's fmpq if installed, else Fraction)",
    )


def run_neuron_exact(args: argparse.Namespace) -> int:
    """Run ``simulate neuron`` exactly; print the train, its counts and the float comparison."""
    from simulate.analysis import classify
    from simulate.exact import first_difference, resolve_number, simulate_neuron_exact
    from simulate.neuron import simulate_neuron

    if not 1 <= args.steps <= MAX_EXACT_STEPS:
        raise NdcnpInputError(
            f"--steps must be in [1, {MAX_EXACT_STEPS}] with --exact; got {args.steps}"
        )
    if args.csv or args.plot:
        raise NdcnpInputError("--exact prints spikes only; drop --csv and --plot")
    if args.neighbours not in ("none", "always", "uniform"):
        raise NdcnpInputError("--exact takes --neighbours none, always or uniform")
    params = {p.name: exact_value(getattr(args, p.name), p.name) for p in ND_CNP.parameters}
    if args.W:
        sum_w = sum((parse_exact(v, "W") for v in args.W.split(",")), start=parse_exact(0))
    else:
        sum_w = exact_value(args.sum_w, "sum_W") if args.neighbours != "none" else parse_exact(0)
    I = exact_value(args.I, "I")  # noqa: E741 - the paper's symbol
    number = resolve_number(args.number)
    run = simulate_neuron_exact(
        I,
        params,
        args.steps,
        neighbours=args.neighbours,
        sum_W=sum_w,
        semantics=args.semantics,
        number=number,
    )
    floats = simulate_neuron(
        float(I),
        {k: float(v) for k, v in params.items()},
        args.steps,
        neighbours=args.neighbours,
        sum_W=float(sum_w),
        semantics=args.semantics,
    )
    print(f"exact ({number}): I = {fraction_text(I)}, sum(W) = {fraction_text(sum_w)}")
    print(f"spikes (t=1..{args.steps}): {run.train}")
    first = run.first_miss
    print(
        f"fires {run.train.count('1')} of {args.steps} steps; "
        + (f"first miss at step {first}" if first else "no miss")
    )
    pattern = classify(run.spikes) if run.spikes else None
    if pattern is not None and pattern.regime != "irregular":
        print(
            f"regime: {pattern.regime} after {pattern.transient} steps, pattern {pattern.pattern} "
            f"({100 * pattern.rate:.1f}%)"
        )
    elif pattern is not None:
        print("regime: irregular (no period found)")
    parted = first_difference(floats.spikes, run)
    if parted is None:
        print(f"float run (I = {float(I)!r}): same spikes at every step")
    else:
        print(
            f"float run (I = {float(I)!r}) parts from the exact one at step {parted} "
            f"(float {'fires' if floats.spikes[parted - 1] else 'is silent'}, exact "
            f"{'fires' if run.spikes[parted - 1] else 'is silent'}); float fires "
            f"{int(floats.spikes.sum())} of {args.steps}"
        )
    return 0
