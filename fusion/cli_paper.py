"""``ndcnp paper``: rerun every experiment of the paper's Sec. 5 on our own fusions."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from functools import partial
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``paper`` subcommand to ``commands``."""
    parser = commands.add_parser(
        "paper",
        help="rerun the paper's experiments: Tables 1-4, Figs. 7-8, the energy estimate",
        description=(
            "Rerun, from the datasets under NDCNP_DATA (or --data), Table 1's ND-CNPFuse rows "
            "for Lytro, MFFW and MFI-WHU, Table 2 (runtime), Table 3 (without neurodynamic "
            "analysis), Table 4 (without SML), Fig. 7 (quality against r and t), Fig. 8 "
            "(decision maps) and the energy estimate. Writes DIR/paper-results.md (each number "
            "beside the paper's), DIR/paper-results.json and the figures DIR/fig7.png, "
            "DIR/fig8.png."
        ),
    )
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--data", help="datasets folder (default: $NDCNP_DATA)")
    parser.add_argument(
        "--quick", action="store_true", help="a few pairs of each experiment (under a minute)"
    )
    parser.set_defaults(handler=_run)


def _clean(value):
    # JSON has no NaN or infinity: write them as strings, as `ndcnp evaluate` does.
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from fusion import paper
    from ndtheory.errors import NdcnpInputError
    from simulate.outputs import atomic_write

    data = args.data or os.environ.get("NDCNP_DATA")
    if not data:
        raise NdcnpInputError("give --data DIR or set NDCNP_DATA to the datasets folder")
    if not Path(data).is_dir():
        raise NdcnpInputError(f"data folder {data} does not exist")
    out = Path(args.output)
    if out.resolve() == Path(data).resolve() or Path(data).resolve() in out.resolve().parents:
        raise NdcnpInputError(f"output folder {out} is inside the data folder; choose another")
    progress = partial(tqdm, disable=None, file=sys.stderr, leave=False)
    results = paper.run_paper(data, quick=args.quick, progress=progress)
    lytro = paper.dataset_pairs(data, "lytro")
    maps = paper.fig8_maps(
        [p for p in lytro if p.name in paper.FIG8_PAIRS][: 1 if args.quick else 3]
    )
    out.mkdir(parents=True, exist_ok=True)
    figures = {"fig7": "fig7.png", "fig8": "fig8.png"}
    atomic_write(
        out / "fig7.png",
        lambda tmp: paper.fig7_figure(results["fig7"]).savefig(tmp, dpi=80, format="png"),
    )
    atomic_write(
        out / "fig8.png", lambda tmp: paper.fig8_figure(maps).savefig(tmp, dpi=50, format="png")
    )
    text = json.dumps(_clean(results), indent=1) + "\n"
    atomic_write(out / "paper-results.json", lambda tmp: tmp.write_text(text))
    markdown = paper.paper_markdown(results, figures)
    atomic_write(out / "paper-results.md", lambda tmp: tmp.write_text(markdown))
    print(f"wrote {out / 'paper-results.md'}, paper-results.json, fig7.png, fig8.png")
    return 0
