"""``ndcnp evaluate``: score fused images with the paper's Table 1 metrics."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` subcommand to ``commands``."""
    parser = commands.add_parser(
        "evaluate",
        help="score fused images: Qabf, FMIw, SSIM, SSIM_Y, PSNR, QP, QCB",
        description=(
            "Score every fused image against its two sources with the metrics of the paper's "
            "Table 1 (equal to the authors' MATLAB evaluation). Writes one CSV row per image "
            "plus a mean row, and a JSON file beside the CSV."
        ),
    )
    parser.add_argument(
        "--sources", required=True, help="folder with far/NAME and near/NAME (or a/, b/)"
    )
    parser.add_argument("--fused", required=True, help="folder with the fused NAME.png")
    parser.add_argument("--gt", help="folder with all-in-focus NAME images: adds *_gt columns")
    parser.add_argument("-o", "--output", required=True, help="CSV to write (JSON beside it)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: all CPUs)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (shown only on a terminal)"
    )
    parser.set_defaults(handler=_run)


def _load_metrics() -> None:
    """Import numba and the metric kernels as ``ndcnp fuse`` imports its engine: without
    numba's probe for SciPy's BLAS, with the collector paused, then frozen
    (:func:`fusion.cli.numba_without_blas_probe`, :func:`fusion.cli.frozen_imports`). The
    workers :func:`fusion.evaluate.evaluate_folder` forks inherit them."""
    import importlib
    import pkgutil
    import sys

    from fusion.cli import frozen_imports, keep_freed_memory, numba_without_blas_probe

    keep_freed_memory()
    with frozen_imports("numba" not in sys.modules):
        numba_without_blas_probe()
        import fusion.metrics

        # The metrics import their kernels on first use; the workers should find them here.
        for module in pkgutil.iter_modules(fusion.metrics.__path__, "fusion.metrics."):
            importlib.import_module(module.name)


def _run(args: argparse.Namespace) -> int:
    from fusion import evaluate
    from ndtheory.errors import NdcnpInputError
    from simulate.outputs import atomic_write, check_distinct, check_output_path, progress_factory

    if args.jobs is not None and args.jobs < 1:
        raise NdcnpInputError(f"--jobs must be at least 1; got {args.jobs}")
    triplets = evaluate.find_triplets(args.sources, args.fused, args.gt)
    # The files read and the folders they lie in: the outputs may be neither.
    inputs = [p for t in triplets for p in t[1:] if p is not None]
    inputs += sorted({Path(p).parent for p in inputs})
    csv_path = check_output_path(args.output, inputs)
    if csv_path.suffix.lower() != ".csv":
        raise NdcnpInputError(
            f"output {csv_path} must end in .csv (the JSON is written beside it); "
            f"got {csv_path.suffix or 'no suffix'!r}"
        )
    json_path = check_output_path(csv_path.with_suffix(".json"), inputs)
    check_distinct([csv_path, json_path])
    _load_metrics()  # after every check: a mistyped folder is reported at once
    rows, mean = evaluate.evaluate_folder(
        args.sources,
        args.fused,
        args.gt,
        jobs=args.jobs,
        progress=progress_factory(desc="evaluate", unit="image", quiet=args.quiet),
    )
    meta = {
        "sources": str(Path(args.sources)),
        "fused": str(Path(args.fused)),
        "gt": None if args.gt is None else str(Path(args.gt)),
        "n_images": len(rows),
        "mean": "over finite values per column (an infinite PSNR is left out, as in Table 1)",
    }
    atomic_write(csv_path, lambda tmp: evaluate.write_csv(tmp, rows, mean))
    atomic_write(json_path, lambda tmp: evaluate.write_json(tmp, rows, mean, meta))
    print(f"{len(rows)} images | {evaluate.table1_line(mean)}")
    print(f"wrote {csv_path} and {json_path}")
    return 0
