"""``ndcnp demo``: the main job on a built-in pair, with no downloaded data."""

from __future__ import annotations

import argparse
import sys


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand to ``commands``."""
    from fusion.demo import DEFAULT_OUTPUT

    parser = commands.add_parser(
        "demo",
        help="theory, Fig. 2 and fusion of a built-in pair with known ground truth",
        description=(
            "Build a multi-focus pair with an exact ground-truth mask from matplotlib's "
            "grace_hopper.jpg, audit the paper's equations, rerun Fig. 2, fuse the pair with "
            "ND-CNPFuse, score it (decision-map accuracy and Table 1's six metrics) and write "
            "everything, with report.md, to one folder."
        ),
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"folder to write (default: ./{DEFAULT_OUTPUT}/; created if missing)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress (shown only on a terminal)"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from fusion.demo import FILES, check_demo_output, run_demo
    from simulate.outputs import check_output_folder

    # Before the minute of work: the folder must be writable and hold no directory
    # where a file goes (the demo reads no input, so nothing else can collide).
    check_demo_output(args.output)
    check_output_folder(args.output, [], FILES)

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    show = sys.stderr.isatty() and not args.quiet
    result = run_demo(args.output, progress=progress if show else None)
    print(f"ndcnp demo: wrote {result.output}/ in {result.timings['total']:.1f} s")
    width = max(map(len, FILES))
    for name, what in FILES.items():
        print(f"  {result.files[name]!s:<{width + len(str(result.output)) + 1}}  {what}")
    print(
        f"decision-map accuracy against the ground truth: {100 * result.accuracy:.2f} % "
        f"(Qabf {result.metrics['Qabf']:.4f}, PSNR {result.metrics['PSNR']:.2f} dB); "
        f"audit: {sum(v != 'identical' for v in result.verdicts.values())} of "
        f"{len(result.verdicts)} printed equations not identical to the derivation"
    )
    return 0
