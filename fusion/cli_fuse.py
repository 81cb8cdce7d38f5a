"""``ndcnp fuse``, ``ndcnp fuse-dir`` and ``ndcnp reproduce``."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from fusion.decision import WINDOWS
from fusion.images import read_image, write_png
from fusion.pipeline import DEFAULT_RADIUS, DEFAULT_STEPS, DEFAULT_WINDOW, FusionResult, fuse
from fusion.radius import PAPER_RADIUS
from fusion.reproduce import (
    agreement,
    difference_picture,
    find_source,
    image_stems,
)
from ndtheory.errors import NdcnpInputError
from simulate.outputs import atomic_write, check_output_path

SET_FOLDERS = ("far", "near")
"""Sub-folders of a multi-focus set: ``far/NAME`` fuses with ``near/NAME``."""


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
        help=f"iterations t (default {DEFAULT_STEPS})",
    )
    parser.add_argument(
        "--window",
        choices=WINDOWS,
        default=DEFAULT_WINDOW,
        help=f"shape of Eq. (21)'s window of radius r (default {DEFAULT_WINDOW})",
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
    p.add_argument("-o", "--output", required=True, help="fused image (PNG)")
    p.add_argument("--decision-map", metavar="PNG", help="also write the decision map (PNG)")
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
        description="Fuse a multi-focus set laid out as SET/far/NAME and SET/near/NAME; "
        "writes OUT/NAME.png for every NAME present in both.",
    )
    p.add_argument("set", metavar="SET", help="folder with far/ and near/")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    _add_fusion_options(p)
    p.set_defaults(handler=_fuse_dir)

    p = commands.add_parser(
        "reproduce",
        help="compare our fusions with published ones",
        description="Fuse SOURCES/far/NAME with SOURCES/near/NAME for every REFERENCE/NAME and "
        "print the decision-map agreement (over pixels where far and near differ in any "
        "channel) and the share of identical fused pixels, per image and as a mean.",
    )
    p.add_argument("--sources", required=True, metavar="DIR", help="folder with far/ and near/")
    p.add_argument("--reference", required=True, metavar="DIR", help="published fused images")
    p.add_argument("--diff", metavar="OUTDIR", help="write difference pictures here")
    _add_fusion_options(p, radius=PAPER_RADIUS)
    p.set_defaults(handler=_reproduce)


def _write_png(path: Path, image: np.ndarray) -> None:
    atomic_write(path, lambda tmp: write_png(tmp, image))


def _decision_picture(result: FusionResult) -> np.ndarray:
    # Two sources: 255 where the first is copied. More: evenly spaced grey levels by index.
    n = result.counts.shape[0]
    if n == 2:
        return (result.decision_map * 255).astype(np.uint8)
    return (result.choice * (255 // (n - 1))).astype(np.uint8)


def _fuse(args: argparse.Namespace) -> int:
    if len(args.sources) < 2:
        raise NdcnpInputError(f"fusion needs at least two source images; got {len(args.sources)}")
    outputs = [Path(args.output)]
    outputs += [Path(p) for p in (args.decision_map, args.spikes) if p is not None]
    for out in outputs:
        check_output_path(out, args.sources)
    if len({o.resolve() for o in outputs}) != len(outputs):
        raise NdcnpInputError("output paths must differ from each other")
    images = [read_image(p) for p in args.sources]
    result = fuse(
        images, radius=args.radius, n_steps=args.steps, window=args.window, device=args.device
    )
    _write_png(Path(args.output), result.fused)
    if args.decision_map:
        _write_png(Path(args.decision_map), _decision_picture(result))
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
    return 0


def _set_pairs(root: Path) -> list[tuple[str, Path, Path]]:
    for sub in SET_FOLDERS:
        if not (root / sub).is_dir():
            raise NdcnpInputError(f"set {root} has no {sub}/ folder (expected far/ and near/)")
    stems = [s for s in image_stems(root / "far") if s in set(image_stems(root / "near"))]
    if not stems:
        raise NdcnpInputError(f"set {root} has no NAME present in both far/ and near/")
    return [(s, find_source(root / "far", s), find_source(root / "near", s)) for s in stems]


def _fuse_dir(args: argparse.Namespace) -> int:
    root, out = Path(args.set), Path(args.output)
    pairs = _set_pairs(root)
    if (
        out.resolve() in {(root / s).resolve() for s in SET_FOLDERS}
        or out.resolve() == root.resolve()
    ):
        raise NdcnpInputError(f"output folder {out} is an input folder; choose another")
    out.mkdir(parents=True, exist_ok=True)
    for stem, far, near in tqdm(pairs, desc="fuse", unit="pair", disable=None, file=sys.stderr):
        images = [read_image(far), read_image(near)]
        result = fuse(images, radius=args.radius, n_steps=args.steps, window=args.window)
        _write_png(check_output_path(out / f"{stem}.png", [far, near]), result.fused)
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    root, ref_dir = Path(args.sources), Path(args.reference)
    stems = image_stems(ref_dir)
    if not stems:
        raise NdcnpInputError(f"reference folder {ref_dir} has no images")
    diff_dir = Path(args.diff) if args.diff else None
    if diff_dir is not None:
        diff_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"{'image':>8} {'agreement':>10} {'identical':>10} {'compared':>9}")
    for stem in tqdm(stems, desc="reproduce", unit="pair", disable=None, file=sys.stderr):
        far = read_image(find_source(root / "far", stem))
        near = read_image(find_source(root / "near", stem))
        ref = read_image(find_source(ref_dir, stem))
        result = fuse([far, near], radius=args.radius, n_steps=args.steps, window=args.window)
        a = agreement(far, near, ref, result.fused, result.decision_map.astype(bool))
        rows.append(a)
        print(f"{stem:>8} {a.decision:10.2%} {a.identical:10.2%} {a.compared:9d}", flush=True)
        if diff_dir is not None:
            picture = difference_picture(far, near, ref, result.decision_map.astype(bool))
            _write_png(check_output_path(diff_dir / f"{stem}.png", []), picture)
    decision = np.array([r.decision for r in rows])
    identical = np.array([r.identical for r in rows])
    print(f"{'mean':>8} {decision.mean():10.2%} {identical.mean():10.2%}")
    print(f"{'min':>8} {decision.min():10.2%} {identical.min():10.2%}")
    return 0
