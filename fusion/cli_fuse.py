"""``ndcnp fuse``, ``ndcnp fuse-dir`` and ``ndcnp reproduce``."""

from __future__ import annotations

import argparse
import io
import sys
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from fusion.batch import check_jobs, in_order, threads_per_pair
from fusion.cli import frozen_imports, keep_freed_memory, numba_without_blas_probe
from fusion.decision import WINDOWS
from fusion.images import PNG_COMPRESSION, read_image, write_png
from fusion.pipeline import (
    DEFAULT_RADIUS,
    DEFAULT_STEPS,
    DEFAULT_WINDOW,
    MAX_STEPS,
    FusionResult,
    fuse,
)
from fusion.radius import PAPER_RADIUS
from fusion.reproduce import (
    agreement,
    difference_picture,
    find_source,
    image_stems,
)
from ndtheory.errors import NdcnpInputError
from simulate.outputs import (
    atomic_write,
    check_distinct,
    check_output_folder,
    check_output_path,
    progress,
    staged_folder,
)

DIFF_LEGEND = (
    "difference pictures: white = both pick far, black = both pick near, grey = far and near "
    "equal, red = we pick far and the reference near, cyan = we pick near and the reference far"
)
"""What the colours of ``reproduce --diff`` mean (:func:`fusion.reproduce.difference_picture`)."""


def _radius(text: str) -> int | str:
    """``--radius``: ``auto`` or an integer (checked against the image by :func:`fuse`)."""
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer or 'auto'; got {text!r}") from None


def _add_fusion_options(
    parser: argparse.ArgumentParser, radius: int | str = DEFAULT_RADIUS
) -> None:
    parser.add_argument(
        "--radius",
        type=_radius,
        default=radius,
        help=f"coupling radius r of Eq. (21), an integer or 'auto' = 2%% of the shorter side "
        f"(default {radius}; the paper's is {PAPER_RADIUS})",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        help=f"iterations t, 1 to {MAX_STEPS} (default {DEFAULT_STEPS})",
    )
    parser.add_argument(
        "--window",
        choices=WINDOWS,
        default=DEFAULT_WINDOW,
        help=f"shape of Eq. (21)'s window of radius r (default {DEFAULT_WINDOW})",
    )
    parser.add_argument(
        "--png",
        choices=tuple(PNG_COMPRESSION),
        default="fast",
        help="PNG compression: fast (zlib level 1, run-length; default) or small (level 9)",
    )


def _add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="pairs fused at once (default: the CPUs available); the output is the same for any N",
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (shown only on a terminal)"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``fuse``, ``fuse-dir`` and ``reproduce`` to ``commands``."""
    p = commands.add_parser(
        "fuse",
        help="fuse multi-focus images with ND-CNPFuse",
        description="Fuse two or more registered multi-focus images (ND-CNPFuse, Sec. 4). "
        "Sources must share size, mode (all grey or all colour) and bit depth; "
        "8-bit gives an 8-bit PNG, 16-bit a 16-bit PNG. Ties go to the later source.",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="source images (two or more)")
    p.add_argument("-o", "--output", required=True, help="fused image (.png)")
    p.add_argument("--decision-map", metavar="PNG", help="also write the decision map (.png)")
    p.add_argument("--spikes", metavar="NPZ", help="also write spike counts and window sums (.npz)")
    p.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="run the CNP systems on the CPU (default) or an NVIDIA GPU",
    )
    _add_fusion_options(p)
    p.set_defaults(handler=_fuse)

    p = commands.add_parser(
        "fuse-dir",
        help="fuse every far/NAME with near/NAME of a set",
        description="Fuse a multi-focus set laid out as SET/far/NAME and SET/near/NAME (or "
        "SET/a/NAME and SET/b/NAME); writes OUT/NAME.png for every NAME. A NAME in only one "
        "of the two folders is an error (a warning with --skip-unmatched). OUT appears whole "
        "or not at all: files are staged beside it and moved in at the end.",
    )
    p.add_argument("set", metavar="SET", help="folder with far/ and near/ (or a/ and b/)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    p.add_argument(
        "--skip-unmatched",
        action="store_true",
        help="fuse the names present in both folders and warn about the others",
    )
    _add_fusion_options(p)
    _add_jobs_option(p)
    _add_quiet(p)
    p.set_defaults(handler=_fuse_dir)

    p = commands.add_parser(
        "reproduce",
        help="compare our fusions with published ones",
        description="Fuse SOURCES/far/NAME with SOURCES/near/NAME for every REFERENCE/NAME and "
        "print the decision-map agreement (over pixels where far and near differ in any "
        "channel) and the share of identical fused pixels, per image and as a mean. "
        f"{DIFF_LEGEND}.",
    )
    p.add_argument(
        "--sources", required=True, metavar="DIR", help="folder with far/ and near/ (or a/, b/)"
    )
    p.add_argument("--reference", required=True, metavar="DIR", help="published fused images")
    p.add_argument(
        "--diff", metavar="OUTDIR", help="write difference pictures here (a folder, not an input)"
    )
    _add_fusion_options(p, radius=PAPER_RADIUS)
    _add_jobs_option(p)
    _add_quiet(p)
    p.set_defaults(handler=_reproduce)


def _write_png(path: Path, image: np.ndarray, compression: str = "fast") -> None:
    atomic_write(path, lambda tmp: write_png(tmp, image, compression=compression))


def _decision_picture(result: FusionResult) -> np.ndarray:
    # Two sources: 255 where the first is copied. More: evenly spaced grey levels by index.
    n = len(result.params)
    if n == 2:
        return (result.decision_map * 255).astype(np.uint8)
    return (result.choice * (255 // (n - 1))).astype(np.uint8)


def _check_fusion_options(args: argparse.Namespace) -> None:
    """The integer options, before any image is read (fuse() checks them again)."""
    if not 1 <= args.steps <= MAX_STEPS:
        raise NdcnpInputError(f"--steps must be in [1, {MAX_STEPS}]; got {args.steps}")
    if args.radius != "auto" and args.radius < 0:
        raise NdcnpInputError(f"--radius must be >= 0; got {args.radius}")


def _load_engine() -> None:
    """Import numba and the fusion engine under :func:`fusion.cli.frozen_imports`.

    numba's import makes about a hundred thousand long-lived objects (classes, typing
    registries); imported with the collector paused and then frozen, the rest of the run
    and the exit never walk them: ``ndcnp fuse`` on a Lytro pair takes about 0.2 s less
    CPU (``benchmarks/README.md``).
    """
    keep_freed_memory()
    with frozen_imports("numba" not in sys.modules):
        numba_without_blas_probe()
        import fusion._window_kernel  # noqa: F401
        import simulate._kernel
        import simulate.pair  # noqa: F401


def _fuse(args: argparse.Namespace) -> int:
    if len(args.sources) < 2:
        raise NdcnpInputError(f"fusion needs at least two source images; got {len(args.sources)}")
    _check_fusion_options(args)
    check_output_path(args.output, args.sources, suffixes=(".png",))
    if args.decision_map:
        check_output_path(args.decision_map, args.sources, suffixes=(".png",))
    if args.spikes:
        check_output_path(args.spikes, args.sources, suffixes=(".npz",))
    check_distinct([args.output, args.decision_map, args.spikes])
    _load_engine()
    images = list(in_order(read_image, args.sources))  # decoded side by side
    result = fuse(
        images,
        radius=args.radius,
        n_steps=args.steps,
        window=args.window,
        device=args.device,
        keep_counts=args.spikes is not None,
    )
    _write_png(Path(args.output), result.fused, args.png)
    written = [args.output]
    if args.decision_map:
        _write_png(Path(args.decision_map), _decision_picture(result), args.png)
        written.append(args.decision_map)
    if args.spikes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            counts=result.counts,
            window_sums=result.window_sums,
            choice=result.choice,
            **{k: np.array([p[k] for p in result.params]) for k in result.params[0]},
        )
        atomic_write(Path(args.spikes), lambda tmp: tmp.write_bytes(buffer.getvalue()))
        written.append(args.spikes)
    height, width = result.fused.shape[:2]
    depth = 16 if result.fused.dtype == np.uint16 else 8
    print(f"wrote {', '.join(written)} ({width}x{height}, {depth}-bit, {len(images)} sources)")
    return 0


def _set_folders(root: Path) -> tuple[Path, Path]:
    if not root.is_dir():
        raise NdcnpInputError(f"set folder {root} does not exist")
    from fusion.evaluate import SOURCE_LAYOUTS  # not at start-up: it loads the metrics

    for first, second in SOURCE_LAYOUTS:
        if (root / first).is_dir() and (root / second).is_dir():
            return root / first, root / second
    raise NdcnpInputError(f"set {root} must contain far/ and near/ (or a/ and b/)")


def _set_pairs(root: Path, skip_unmatched: bool) -> list[tuple[str, Path, Path]]:
    first, second = _set_folders(root)
    a_stems, b_stems = image_stems(first), image_stems(second)
    unmatched = [f"{first.name}/{s}" for s in a_stems if s not in set(b_stems)]
    unmatched += [f"{second.name}/{s}" for s in b_stems if s not in set(a_stems)]
    stems = [s for s in a_stems if s in set(b_stems)]
    if unmatched:
        more = len(unmatched) - 5
        listed = ", ".join(unmatched[:5]) + (f" and {more} more" if more > 0 else "")
        if not skip_unmatched or not stems:
            raise NdcnpInputError(
                f"set {root}: {listed} {'has' if len(unmatched) == 1 else 'have'} no partner "
                "(rename them, or pass --skip-unmatched)"
            )
        print(f"ndcnp: warning: skipping {listed} (no partner)", file=sys.stderr)
    if not stems:
        raise NdcnpInputError(f"set {root} has no images in {first.name}/ and {second.name}/")
    return [(s, find_source(first, s), find_source(second, s)) for s in stems]


def _fuse_dir(args: argparse.Namespace) -> int:
    _check_fusion_options(args)
    root = Path(args.set)
    pairs = _set_pairs(root, args.skip_unmatched)
    inputs = [*_set_folders(root), *(p for _, far, near in pairs for p in (far, near))]
    out = check_output_folder(args.output, inputs, [f"{stem}.png" for stem, _, _ in pairs])
    jobs = check_jobs(args.jobs)
    _load_engine()
    with staged_folder(out) as staging:

        def fuse_one(pair: tuple[str, Path, Path]) -> None:
            stem, far, near = pair
            images = [read_image(far), read_image(near)]
            result = fuse(
                images,
                radius=args.radius,
                n_steps=args.steps,
                window=args.window,
                threads=threads_per_pair(jobs),
                keep_counts=False,
            )
            _write_png(staging / f"{stem}.png", result.fused, args.png)

        done = in_order(fuse_one, pairs, jobs=jobs)
        for _ in progress(done, desc="fuse-dir", unit="pair", quiet=args.quiet, total=len(pairs)):
            pass
    print(f"wrote {len(pairs)} fused images to {out}/")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    _check_fusion_options(args)
    root, ref_dir = Path(args.sources), Path(args.reference)
    first, second = _set_folders(root)
    stems = image_stems(ref_dir)
    if not stems:
        raise NdcnpInputError(f"reference folder {ref_dir} has no images")
    triples = [
        (stem, find_source(first, stem), find_source(second, stem), find_source(ref_dir, stem))
        for stem in stems
    ]
    diff_dir = None
    if args.diff is not None:
        inputs = [first, second, ref_dir, *(p for t in triples for p in t[1:])]
        diff_dir = check_output_folder(args.diff, inputs, [f"{stem}.png" for stem in stems])
    jobs = check_jobs(args.jobs)
    _load_engine()
    with staged_folder(diff_dir) if diff_dir is not None else nullcontext() as staging:

        def compare_one(triple: tuple[str, Path, Path, Path]):
            stem, far_path, near_path, ref_path = triple
            far, near, ref = read_image(far_path), read_image(near_path), read_image(ref_path)
            result = fuse(
                [far, near],
                radius=args.radius,
                n_steps=args.steps,
                window=args.window,
                threads=threads_per_pair(jobs),
                keep_counts=False,
            )
            chosen = result.decision_map.astype(bool)
            scores = agreement(far, near, ref, result.fused, chosen)  # checks the shapes
            if staging is not None:
                picture = difference_picture(far, near, ref, chosen)
                _write_png(staging / f"{stem}.png", picture, args.png)
            return scores

        rows = []
        print(f"{'image':>8} {'agreement':>10} {'identical':>10} {'compared':>9}")
        done = zip(stems, in_order(compare_one, triples, jobs=jobs), strict=True)
        for stem, a in progress(
            done, desc="reproduce", unit="pair", quiet=args.quiet, total=len(stems)
        ):
            rows.append(a)
            print(f"{stem:>8} {a.decision:10.2%} {a.identical:10.2%} {a.compared:9d}", flush=True)
    decision = np.array([r.decision for r in rows])
    identical = np.array([r.identical for r in rows])
    print(f"{'mean':>8} {decision.mean():10.2%} {identical.mean():10.2%}")
    print(f"{'min':>8} {decision.min():10.2%} {identical.min():10.2%}")
    if diff_dir is not None:
        print(f"wrote {len(rows)} difference pictures to {diff_dir}/; {DIFF_LEGEND}")
    return 0
