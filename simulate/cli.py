"""``ndcnp simulate`` subcommands: neuron, grid, fig2, regime."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.exact import exact_argument
from ndtheory.spec import ND_CNP, PAPER_EXAMPLE, PAPER_W, SEMANTICS
from simulate.cli_exact import MAX_EXACT_STEPS, add_exact_options
from simulate.outputs import atomic_write, check_distinct, check_output_path

DEFAULT_KERNEL = "0.1,0.5,0,0.5,0.1"
MAX_NEURON_STEPS = 2_000_000
"""Most steps of ``simulate neuron``: its traces take 64 bytes a step (about 10 s at the limit)."""
MAX_GRID_STEPS = 100_000
"""Most steps of ``simulate grid``."""
MAX_GRID_WORK = {"numba": 10**10, "reference": 10**9}
"""Most neuron-steps (neurons times steps) of ``simulate grid`` per engine: about 20 s on one
core (measured 5e8 neuron-steps a second with numba, 6e7 with the NumPy reference)."""
MAX_GRID_NEURONS = 50_000_000
"""Largest stimulus of ``simulate grid``: its state takes about 100 bytes a neuron."""
MAX_SWEEP_WORK = 5_000_000
"""Most neuron-steps (points times steps, twice four setups) of ``simulate regime``; each
neuron-step keeps 64 bytes of traces, so the limit holds the sweep to a few hundred MB."""
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
"""Figure formats the plot options write (matplotlib picks the format from the suffix)."""


def _add_parameters(parser: argparse.ArgumentParser, semantics: bool = True) -> None:
    group = parser.add_argument_group("model parameters (default: the paper's example, Eq. 18)")
    for p in ND_CNP.parameters:
        group.add_argument(
            f"--{p.name}",
            type=exact_argument,
            default=PAPER_EXAMPLE[p.name],
            help=f"{p.description}, in {p.range_text()} (default {PAPER_EXAMPLE[p.name]:g})",
        )
    if semantics:
        parser.add_argument(
            "--semantics", choices=SEMANTICS, default="decay", help="default: decay"
        )


def _params(args: argparse.Namespace) -> dict[str, float]:
    return ND_CNP.validate({p.name: getattr(args, p.name) for p in ND_CNP.parameters})


def _neighbours(text: str) -> Any:
    if text in ("none", "always", "uniform"):
        return text
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise NdcnpInputError(
            f"--neighbours must be none, always, uniform or comma-separated K values; got {text!r}"
        ) from None


def _parse_kernel(text: str) -> np.ndarray:
    """A kernel from ``"a,b,c;d,e,f;..."`` (rows split by ';') or a .npy / text file."""
    path = Path(text)
    if path.suffix in (".npy", ".txt", ".csv") or path.exists():
        if not path.is_file():
            raise NdcnpInputError(f"--kernel file {text} does not exist")
        try:
            kernel = np.load(path) if path.suffix == ".npy" else np.loadtxt(path, delimiter=None)
        except (OSError, ValueError) as error:
            raise NdcnpInputError(f"--kernel file {text} is not a numeric array: {error}") from None
        return np.atleast_2d(kernel)
    try:
        return np.array([[float(v) for v in row.split(",")] for row in text.split(";")])
    except ValueError:
        raise NdcnpInputError(
            f"--kernel must be rows of comma-separated numbers split by ';' or a file; got {text!r}"
        ) from None


def read_stimulus(path: str | Path) -> np.ndarray:
    """A grey stimulus from an image or a .npy file.

    Images are read with Pillow. Colour images become grey with Pillow's
    ``convert("L")`` (ITU-R 601-2 luma, rounded to 8 bits). Integer images are
    divided by their type's maximum (255 for 8-bit, 65535 for 16-bit) so that
    ``I`` lies in [0, 1]; float images (mode ``F``) and ``.npy`` arrays are used
    as they are.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise NdcnpInputError(f"--stimulus {path} does not exist")
    if path.suffix == ".npy":
        return np.load(path)
    try:
        with Image.open(path) as image:
            if image.mode in ("I;16", "I;16B", "I;16L"):
                return np.asarray(image, dtype=np.float64) / 65535.0
            if image.mode == "F":
                return np.asarray(image, dtype=np.float64)
            if image.mode == "I":
                raise NdcnpInputError(f"--stimulus {path}: 32-bit integer images are not supported")
            grey = image if image.mode == "L" else image.convert("L")
            return np.asarray(grey, dtype=np.float64) / 255.0
    except UnidentifiedImageError:
        raise NdcnpInputError(f"--stimulus {path} is not an image Pillow can read") from None


def _save_figure(fig: Any, path: Path) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=90))


def _check_steps(steps: int, limit: int) -> None:
    if not 1 <= steps <= limit:
        raise NdcnpInputError(f"--steps must be in [1, {limit}]; got {steps}")


def _run_neuron(args: argparse.Namespace) -> int:
    from simulate.analysis import classify, firing_rate
    from simulate.neuron import simulate_neuron

    if args.exact:
        from simulate.cli_exact import run_neuron_exact

        return run_neuron_exact(args)
    _check_steps(args.steps, MAX_NEURON_STEPS)
    csv_out = check_output_path(args.csv, suffixes=(".csv",)) if args.csv else None
    plot_out = check_output_path(args.plot, suffixes=FIGURE_SUFFIXES) if args.plot else None
    check_distinct([csv_out, plot_out])
    params = _params(args)
    neighbours = _neighbours(args.neighbours)
    weights = {}
    if isinstance(neighbours, str) and neighbours != "none":
        weights = {"W": _parse_kernel(args.W)} if args.W else {"sum_W": args.sum_w}
    result = simulate_neuron(
        args.I, params, args.steps, neighbours=neighbours, semantics=args.semantics, **weights
    )
    pattern = classify(result.spikes)
    train = "".join(map(str, result.spikes))
    print(f"spikes (t=1..{args.steps}): {train}")
    print(f"rate: {100 * firing_rate(result.spikes):.1f}%")
    if pattern.regime == "irregular":
        print("regime: irregular (no period found)")
    else:
        print(
            f"regime: {pattern.regime} after {pattern.transient} steps, pattern {pattern.pattern} "
            f"({100 * pattern.rate:.1f}%)"
        )
    if args.csv:

        def write_csv(tmp: Path) -> None:
            names = [*result.traces]
            with open(tmp, "w", newline="") as handle:
                writer = csv.writer(handle)
                # lhs and rhs of the firing test carry their formula: "rhs=T" beside the unit T.
                labels = [f"{n}={result.labels[n]}" if n in result.labels else n for n in names]
                writer.writerow(["t", *labels])
                for t in range(result.n_steps + 1):
                    writer.writerow([t, *[repr(float(result.traces[n][t])) for n in names]])

        atomic_write(csv_out, write_csv)
    if args.plot:
        import matplotlib.pyplot as plt

        from simulate.plots import plot_neuron

        fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
        plot_neuron(result, ax=ax, title=f"I = {args.I:g}, {result.neighbours}, {args.semantics}")
        ax.legend(fontsize=8)
        _save_figure(fig, plot_out)
        plt.close(fig)
    _print_written([csv_out, plot_out])
    return 0


def _print_written(paths: list[Path | None]) -> None:
    written = [str(p) for p in paths if p is not None]
    if written:
        print(f"wrote {', '.join(written)}")


def _run_grid(args: argparse.Namespace) -> int:
    from simulate.grid import simulate_grid

    _check_steps(args.steps, MAX_GRID_STEPS)
    inputs = [args.stimulus] + ([args.kernel] if Path(args.kernel).is_file() else [])
    out = check_output_path(args.output, inputs, suffixes=(".npz",))
    png = check_output_path(args.png, inputs, suffixes=FIGURE_SUFFIXES) if args.png else None
    check_distinct([out, png])
    stimulus = read_stimulus(args.stimulus)
    if stimulus.size > MAX_GRID_NEURONS:
        raise NdcnpInputError(
            f"--stimulus has {stimulus.size} neurons, over the limit of {MAX_GRID_NEURONS}"
        )
    limit = MAX_GRID_WORK[args.engine]
    if stimulus.size * args.steps > limit:
        raise NdcnpInputError(
            f"{stimulus.size} neurons x {args.steps} steps is over the {args.engine} engine's "
            f"limit of {limit:.0e} neuron-steps; use fewer steps or a smaller stimulus"
        )
    kernel = _parse_kernel(args.kernel)
    params = _params(args)
    result = simulate_grid(
        stimulus,
        params,
        kernel,
        args.steps,
        semantics=args.semantics,
        border=args.border,
        engine=args.engine,
    )
    counts = result.counts

    def write_npz(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez_compressed(
                handle,
                counts=counts,
                W=kernel,
                n_steps=args.steps,
                border=args.border,
                semantics=args.semantics,
                **params,
            )

    atomic_write(out, write_npz)
    print(
        f"{counts.shape[0]}x{counts.shape[1]} neurons, {args.steps} steps: spikes per neuron "
        f"min {counts.min()}, mean {counts.mean():.2f}, max {counts.max()}; wrote {out}"
    )
    if png:
        import matplotlib.pyplot as plt

        from simulate.plots import plot_counts

        fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
        plot_counts(counts, ax=ax, title=f"spike counts, {args.steps} steps")
        _save_figure(fig, png)
        plt.close(fig)
        print(f"wrote {png}")
    return 0


def _run_fig2(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from simulate.fig2 import (
        FIG2_RATES,
        WINDOWS,
        fig2_table,
        fig2_traces,
        format_table,
    )
    from simulate.plots import plot_fig2

    out = check_output_path(args.output, suffixes=FIGURE_SUFFIXES)
    table_out = check_output_path(args.table) if args.table else None
    check_distinct([out, table_out])
    rows = fig2_table()
    table = format_table(rows)
    print(
        "Fig. 2: alpha=0.8 beta=0.2 gamma=0.5 lam=15 sum(W)=1.2, 100 steps; rates in % at "
        "I = 0.5 / 1.0 / 1.5 / 2.0"
    )
    print(table)
    target = " / ".join(map(str, FIG2_RATES))
    matching = [(r, w) for r in rows for w in WINDOWS if r.matches(w)]
    print(f"\nThe paper reports {target}.")
    for row, window in matching:
        print(f"Reproduced by: {row.setup.name}, {row.setup.semantics}, steps {window}.")
    for row in rows:
        if row.windows_matching and not any(r is row for r, _ in matching):
            print(
                f"Reproduced in {row.windows_matching} ten-step windows by: "
                f"{row.setup.name}, {row.setup.semantics}."
            )
    missing = [
        f"{r.setup.name} ({r.setup.semantics})"
        for r in rows
        if not r.windows_matching and not any(r.matches(w) for w in WINDOWS)
    ]
    print(f"Not reproduced in any window tried: {'; '.join(missing)}.")
    if not any(row.matches("51-100") for row in rows):
        print("No setup gives 60 and 70 as rates over steps 51-100 (its long-run behaviour).")
    if table_out:
        atomic_write(table_out, lambda tmp: tmp.write_text(table + "\n"))

    results = fig2_traces(args.neighbours, args.semantics)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), layout="constrained", sharex=True)
    plot_fig2(results, axes=axes.flat)
    fig.suptitle(
        f"Fig. 2 setup: neighbours {args.neighbours}, semantics {args.semantics}", fontsize=10
    )
    _save_figure(fig, out)
    plt.close(fig)
    _print_written([out, table_out])
    return 0


def _run_regime(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from simulate.analysis import sweep
    from simulate.plots import plot_rate_sweeps

    out = check_output_path(args.output, suffixes=FIGURE_SUFFIXES)
    params = _params(args)
    if not np.isfinite(args.I_max) or not args.I_max > args.I_min >= 0:
        raise NdcnpInputError(
            f"need 0 <= --I-min < --I-max < inf; got --I-min {args.I_min:g} --I-max {args.I_max:g}"
        )
    if args.points < 2:
        raise NdcnpInputError(f"--points must be >= 2; got {args.points}")
    _check_steps(args.steps, MAX_SWEEP_WORK)
    if args.points * args.steps > MAX_SWEEP_WORK:
        raise NdcnpInputError(
            f"--points {args.points} x --steps {args.steps} is over the limit of "
            f"{MAX_SWEEP_WORK:.0e} neuron-steps; use fewer points or steps"
        )
    if not (np.isfinite(args.sum_w) and args.sum_w >= 0):
        raise NdcnpInputError(f"--sum-w must be a finite number >= 0; got {args.sum_w:g}")
    # The CLI is the top layer, so it may read the bound derived in ndtheory.
    from ndtheory.bound import continuous_firing_bound

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        bound = continuous_firing_bound(**params, sum_W=args.sum_w)
    if not np.isfinite(bound):
        raise NdcnpInputError(
            "Theorem 4's bound is too large for a float at these parameters; give smaller values"
        )
    values = np.linspace(args.I_min, args.I_max, args.points)
    sweeps = {}
    for neighbours in ("always", "uniform"):
        for semantics in SEMANTICS:
            sweeps[f"{neighbours}, {semantics}"] = sweep(
                "I",
                values,
                params=params,
                n_steps=args.steps,
                window=(args.steps // 2, None),
                neighbours=neighbours,
                sum_W=args.sum_w,
                semantics=semantics,
            )
    print(f"Theorem 4 bound (Eq. 17): I > {bound:.6g}")
    for label, result in sweeps.items():
        continuous = values[[p.regime == "continuous" for p in result.patterns]]
        first = f"{continuous.min():.4g}" if continuous.size else "none"
        print(f"{label}: continuous firing from I = {first} in this sweep")
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    plot_rate_sweeps(sweeps, ax=ax, bound=bound)
    ax.set_title(
        f"rate over steps {args.steps // 2 + 1}-{args.steps}; "
        + ", ".join(f"{k}={v:g}" for k, v in params.items())
        + f", sum(W)={args.sum_w:g}",
        fontsize=9,
    )
    _save_figure(fig, out)
    plt.close(fig)
    print(f"wrote {out}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand and its own subcommands to ``commands``."""
    parser = commands.add_parser("simulate", help="single-neuron and grid simulation")
    sub = parser.add_subparsers(dest="simulate_command", required=True, metavar="WHAT")

    neuron = sub.add_parser("neuron", help="one neuron with prescribed neighbours")
    neuron.add_argument(
        "--I", type=exact_argument, required=True, help="external input I >= 0 (e.g. 1.25, 62/19)"
    )
    neuron.add_argument(
        "--steps",
        type=int,
        default=100,
        help=f"steps to run, 1 to {MAX_NEURON_STEPS} (to {MAX_EXACT_STEPS} with --exact; "
        "default 100)",
    )
    neuron.add_argument(
        "--neighbours",
        default="none",
        help="none, always, uniform, or K(1),...,K(steps) comma-separated (default none)",
    )
    neuron.add_argument("--sum-w", type=exact_argument, default=1.2, help="sum(W) (default 1.2)")
    neuron.add_argument("--W", help="weights instead of --sum-w, e.g. 0.1,0.5,0,0.5,0.1")
    neuron.add_argument("--csv", help="write the traces here (.csv)")
    neuron.add_argument(
        "--plot", help="write a plot of U(1+V), T and the spikes here (.png, .pdf or .svg)"
    )
    _add_parameters(neuron)
    add_exact_options(neuron)
    neuron.set_defaults(handler=_run_neuron)

    grid = sub.add_parser("grid", help="a 2-D grid driven by a stimulus image")
    grid.add_argument("--stimulus", required=True, help="image (grey, scaled to [0, 1]) or .npy")
    grid.add_argument(
        "--kernel",
        default=DEFAULT_KERNEL,
        help="W as rows 'a,b,c;d,e,f;g,h,i' or a .npy/.txt file "
        f"(default: the paper's W as one row, {','.join(map(str, PAPER_W))})",
    )
    grid.add_argument(
        "--steps",
        type=int,
        default=110,
        help=f"steps, 1 to {MAX_GRID_STEPS} (default 110, as the paper)",
    )
    grid.add_argument("--border", choices=("zero", "reflect", "periodic"), default="zero")
    grid.add_argument("--engine", choices=("numba", "reference"), default="numba")
    grid.add_argument("-o", "--output", required=True, help="counts as .npz")
    grid.add_argument("--png", help="also write the counts as a figure (.png, .pdf or .svg)")
    _add_parameters(grid)
    grid.set_defaults(handler=_run_grid)

    fig2 = sub.add_parser("fig2", help="the paper's Fig. 2 experiment and rate table")
    fig2.add_argument("-o", "--output", required=True, help="figure (.png, .pdf or .svg)")
    fig2.add_argument("--table", help="also write the rate table (Markdown) here")
    fig2.add_argument("--neighbours", choices=("none", "always", "uniform"), default="always")
    fig2.add_argument("--semantics", choices=SEMANTICS, default="decay")
    fig2.set_defaults(handler=_run_fig2)

    regime = sub.add_parser("regime", help="firing rate over I with Theorem 4's bound")
    regime.add_argument("-o", "--output", required=True, help="figure (.png, .pdf or .svg)")
    regime.add_argument("--I-min", type=float, default=0.0)
    regime.add_argument("--I-max", type=float, default=3.0)
    regime.add_argument(
        "--points",
        type=int,
        default=301,
        help=f"values of I (default 301; points x steps at most {MAX_SWEEP_WORK:.0e})",
    )
    regime.add_argument("--steps", type=int, default=400, help="steps per neuron (default 400)")
    regime.add_argument("--sum-w", type=float, default=1.2, help="sum(W) (default 1.2)")
    _add_parameters(regime, semantics=False)
    regime.set_defaults(handler=_run_regime)
