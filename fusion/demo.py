"""The main job on built-in data: theory, simulation and fusion of a pair with known truth.

:func:`run_demo` needs no download. It builds a multi-focus pair with an exact
ground-truth focus mask from matplotlib's ``grace_hopper.jpg``
(:mod:`fusion.synthetic`), audits the paper's equations (:mod:`ndtheory.audit`),
reruns the Fig. 2 experiment (:mod:`simulate.fig2`), fuses the pair with the
default ND-CNPFuse rule (:func:`fusion.pipeline.fuse`), scores the fusion with the
six quality metrics of Table 1 and the decision map against the mask, and writes
everything to one folder with a ``report.md`` whose every number is computed here.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Sections 3.2 and 4, Eqs. (17)-(22), Fig. 2, Table 1.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from fusion import warmup
from fusion.evaluate import evaluate_pair
from fusion.images import write_png
from fusion.metrics import decision_map_accuracy
from fusion.pipeline import DEFAULT_STEPS, DEFAULT_WINDOW, FusionResult, fuse
from fusion.radius import PAPER_RADIUS
from fusion.rule import DEFAULT_RULE
from fusion.synthetic import focus_mask, multifocus_pair, sample_image
from ndtheory.audit import AuditEntry, audit
from ndtheory.bound import continuous_firing_bound, finite_horizon_supremum
from ndtheory.errors import NdcnpInputError
from ndtheory.findings import summary_lines
from ndtheory.spec import PAPER_EXAMPLE
from simulate.fig2 import FIG2_RATES, PAPER_SUM_W, WINDOWS, Fig2Row, fig2_table, fig2_traces
from simulate.plots import plot_counts, plot_fig2
from simulate.threads import available_threads

DEFAULT_OUTPUT = "ndcnp-demo"
"""Folder ``ndcnp demo`` writes when no ``-o`` is given (relative to the working directory)."""
DEMO_SIGMA = 2.5
"""Standard deviation (pixels) of the Gaussian defocus of the demo pair."""

FILES: dict[str, str] = {
    "report.md": "the report: decision-map accuracy, six metrics, audit verdicts, timings",
    "report.json": "the same numbers, machine-readable",
    "all_in_focus.png": "the sharp image the pair is made from (grace_hopper.jpg)",
    "source_a.png": "source A: sharp inside the ground-truth mask, blurred outside",
    "source_b.png": "source B: blurred inside the mask, sharp outside",
    "ground_truth_mask.png": "the ground-truth focus mask (white = A is sharp)",
    "decision_map.png": "ND-CNPFuse's decision map, Eq. (22) (white = copy A)",
    "fused.png": "the fused image, Eq. (20)",
    "spike_counts.png": "spike counts of the two ND-CNP systems after t steps",
    "fig2.png": "the paper's Fig. 2 experiment rerun",
}
"""Every file the demo writes, with what it holds (in the order printed)."""


@dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` computed and where it wrote it.

    Attributes
    ----------
    output : pathlib.Path
        The folder.
    accuracy : float
        Share of all pixels where the decision map equals the ground-truth mask.
    accuracy_observable : float
        The same over the pixels where the two sources differ (elsewhere either
        choice gives the same fused pixel).
    metrics : dict of str to float
        Table 1's metrics (:func:`fusion.evaluate.evaluate_pair`) and the scores
        against the all-in-focus image.
    verdicts : dict of str to str
        Audit verdict per equation of the paper.
    timings : dict of str to float
        Seconds per stage, and ``"total"``.
    """

    output: Path
    accuracy: float
    accuracy_observable: float
    metrics: dict[str, float]
    verdicts: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, Path]:
        """Path of each file of :data:`FILES`."""
        return {name: self.output / name for name in FILES}


def check_demo_output(output: str | os.PathLike) -> Path:
    """Refuse an output that cannot become the demo folder, before any work is done.

    Raises
    ------
    NdcnpInputError
        If ``output`` (or a folder above it) exists and is not a directory.
    """
    out = Path(output)
    for path in (out, *out.parents):
        if path.exists():
            if not path.is_dir():
                what = "exists and is not a directory" if path == out else f"lies under file {path}"
                raise NdcnpInputError(f"output {out} {what}; give a folder")
            break
    return out


class _Stopwatch:
    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        if self._progress is not None:
            self._progress(f"{name}: {self.timings[name]:.1f} s")


def run_demo(
    output: str | os.PathLike = DEFAULT_OUTPUT,
    *,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run theory, simulation and fusion on the built-in pair and write the demo folder.

    Parameters
    ----------
    output : path-like
        The folder to write (created with its parents; files of an earlier demo
        in it are replaced).
    progress : callable, optional
        Called with one line after each stage.

    Returns
    -------
    DemoResult

    Notes
    -----
    All results are computed before anything is written; the files are staged in
    a hidden sibling folder and moved into place (a new folder appears whole by
    one rename), so a failed run leaves no partial output. Everything but the
    timings is deterministic.
    """
    out = check_demo_output(output)
    watch = _Stopwatch(progress)
    start = time.perf_counter()
    # The metric kernels compile on the spare cores while theory and fusion run (first run).
    warmers = warmup.start(available_threads())

    try:
        with watch.stage("synthetic pair"):
            image = sample_image()
            mask = focus_mask(image.shape[:2])
            source_a, source_b = multifocus_pair(image, mask, sigma=DEMO_SIGMA)
        with watch.stage("theory audit"):
            entries = audit()
            bound = continuous_firing_bound(**PAPER_EXAMPLE, sum_W=PAPER_SUM_W)
            supremum = finite_horizon_supremum(**PAPER_EXAMPLE, sum_W=PAPER_SUM_W)
            findings = summary_lines()
        with watch.stage("Fig. 2 simulation"):
            fig2_rows = fig2_table()
            traces = fig2_traces()
        with watch.stage("fusion"):
            # the paper's r = 16 (Sec. 5.1): the demo shows the paper's method as published
            result = fuse([source_a, source_b], radius=PAPER_RADIUS)
        with watch.stage("metrics"):
            warmup.finish(warmers)
            observable = np.any(source_a != source_b, axis=2)
            accuracy = decision_map_accuracy(result.decision_map, mask)
            accuracy_observable = decision_map_accuracy(result.decision_map, mask, valid=observable)
            metrics = evaluate_pair(source_a, source_b, result.fused, ground_truth=image)
    finally:
        # Only an early failure leaves them running; numba writes its cache files atomically.
        warmup.finish(warmers, stop=True)

    demo = DemoResult(
        output=out,
        accuracy=accuracy,
        accuracy_observable=accuracy_observable,
        metrics=metrics,
        verdicts={e.equation: e.verdict for e in entries},
        timings=watch.timings,
    )
    writing = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=_existing_parent(out)))
    try:
        write_png(staging / "all_in_focus.png", image)
        write_png(staging / "source_a.png", source_a)
        write_png(staging / "source_b.png", source_b)
        write_png(staging / "ground_truth_mask.png", _binary_picture(mask))
        write_png(staging / "decision_map.png", _binary_picture(result.decision_map))
        write_png(staging / "fused.png", result.fused)
        _spike_figure(result).savefig(staging / "spike_counts.png", dpi=90)
        _fig2_figure(traces).savefig(staging / "fig2.png", dpi=90)
        numbers = {
            "bound": bound,
            "supremum": supremum.supremum,
            "supremum_step": supremum.step,
            "observable_share": float(observable.mean()),
            "mask_share": float(mask.mean()),
            "findings": findings,
        }
        # The report's timings cover writing it, up to this point.
        demo.timings["pictures and files"] = time.perf_counter() - writing
        demo.timings["total"] = time.perf_counter() - start
        report = format_report(demo, result, entries, fig2_rows, numbers)
        (staging / "report.md").write_text(report)
        (staging / "report.json").write_text(
            json.dumps(_json_report(demo, result, numbers), indent=1) + "\n"
        )
        _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return demo


def _existing_parent(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return out.parent


def _publish(staging: Path, out: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    if not out.exists():
        # mkdtemp makes a private folder; the result should read like any new folder.
        os.chmod(staging, 0o777 & ~umask)
        os.rename(staging, out)
        return
    for name in FILES:
        os.replace(staging / name, out / name)


def _binary_picture(values: NDArray) -> NDArray[np.uint8]:
    return np.where(np.asarray(values, dtype=bool), 255, 0).astype(np.uint8)


def _spike_figure(result: FusionResult) -> Figure:
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, counts, name in zip(axes, result.counts, "AB", strict=True):
        plot_counts(counts, ax=ax, title=f"source {name}: spike counts, {DEFAULT_STEPS} steps")
    return fig


def _fig2_figure(traces: list) -> Figure:
    fig = Figure(figsize=(10, 6), layout="constrained")
    plot_fig2(traces, axes=fig.subplots(2, 2, sharex=True).flat)
    fig.suptitle("Fig. 2 setup: neighbours always, semantics decay", fontsize=10)
    return fig


def _fusion_parameters(result: FusionResult) -> dict[str, float]:
    # Shared by both systems but beta, which the rule solves per system (A, then B).
    params = dict(result.params[0])
    params["sum_W"] = float(DEFAULT_RULE.kernel.sum())
    params["beta"] = [float(p["beta"]) for p in result.params]
    return params


def _json_report(demo: DemoResult, result: FusionResult, numbers: dict) -> dict:
    return {
        "decision_map_accuracy": demo.accuracy,
        "decision_map_accuracy_observable": demo.accuracy_observable,
        "metrics": demo.metrics,
        "audit_verdicts": demo.verdicts,
        "fusion_parameters": {
            **_fusion_parameters(result),
            "radius": result.radius,
            "window": DEFAULT_WINDOW,
            "n_steps": DEFAULT_STEPS,
        },
        "theory": {k: numbers[k] for k in ("bound", "supremum", "supremum_step")},
        "pair": {
            "sigma": DEMO_SIGMA,
            "mask_share": numbers["mask_share"],
            "observable_share": numbers["observable_share"],
        },
        "timings_s": demo.timings,
    }


_METRIC_NOTES = {
    "Qabf": "edge transfer (Xydeas-Petrovic)",
    "FMIw": "feature mutual information, wavelet features",
    "SSIM": "structural similarity, the authors' script (grey)",
    "SSIM_Y": "structural similarity on luma (the paper's Table 1 SSIM)",
    "PSNR": "dB, mean over the two sources",
    "QP": "phase congruency (Zhao)",
    "QCB": "human perception (Chen-Blum)",
    "PSNR_gt": "dB, against the all-in-focus image",
    "SSIM_gt": "against the all-in-focus image (grey)",
    "SSIM_Y_gt": "against the all-in-focus image (luma)",
    "accuracy_gt": "share of the pixels clearly nearer one source where the fusion took that one",
}


def _audit_lines(entries: tuple[AuditEntry, ...]) -> list[str]:
    lines = ["| Eq. | Subject | Verdict |", "|---|---|---|"]
    lines += [f"| {e.equation} | {e.subject} | {e.verdict} |" for e in entries]
    counts = Counter(e.verdict for e in entries)
    lines += ["", "Verdicts: " + ", ".join(f"{n} {v}" for v, n in counts.items()) + "."]
    return lines


def _fig2_lines(rows: list[Fig2Row]) -> list[str]:
    target = " / ".join(map(str, FIG2_RATES))
    matching = [f"{r.setup.name} ({r.setup.semantics})" for r in rows if r.matches("91-100")]
    long_run = [f"{r.setup.name} ({r.setup.semantics})" for r in rows if r.matches("51-100")]
    shown = next(r for r in rows if (r.setup.name, r.setup.semantics) == ("always", "decay"))
    lines = [
        f"The paper reports {target} % at I = 0.5 / 1.0 / 1.5 / 2.0. Neighbours that always fire, "
        "decay every step (the panels of `fig2.png`):",
        "",
        "| steps | " + " | ".join(WINDOWS) + " |",
        "|---|" + "---|" * len(WINDOWS),
        "| rate (%) | "
        + " | ".join(" / ".join(f"{x:g}" for x in shown.rates[w]) for w in WINDOWS)
        + " |",
        "",
        f"Long-run patterns: {', '.join(shown.patterns)}. Of {len(rows)} setups tried, "
        f"{len(matching)} give {target} over steps 91-100"
        + (f" ({'; '.join(matching)})" if matching else "")
        + f", and {len(long_run)} over steps 51-100 (the long-run rate)"
        + (f" ({'; '.join(long_run)})" if long_run else "")
        + ". All setups and windows: `ndcnp simulate fig2 -o fig2.png`; see docs/fig2.md.",
    ]
    return lines


def format_report(
    demo: DemoResult,
    result: FusionResult,
    entries: tuple[AuditEntry, ...],
    fig2_rows: list[Fig2Row],
    numbers: dict,
) -> str:
    """The Markdown report of a demo run (every number from the arguments)."""
    params = _fusion_parameters(result)
    rows, cols = result.choice.shape
    step = numbers["supremum_step"]
    supremum_text = (
        f"reached at t = {step}" if step is not None else "approached as t -> oo, not reached"
    )
    lines = [
        "# ndcnp demo",
        "",
        "Everything below was computed by `ndcnp demo` in this run; nothing is typed in.",
        "",
        "## The pair",
        "",
        f"matplotlib's `grace_hopper.jpg` ({cols} x {rows}) blurred by a Gaussian of sigma "
        f"{DEMO_SIGMA:g} px outside (source A) or inside (source B) a five-lobed focus mask with "
        f"a band on the left edge ({100 * numbers['mask_share']:.2f} % of the pixels). The "
        f"sources differ at {100 * numbers['observable_share']:.2f} % of the pixels; elsewhere "
        "(flat regions) blurring changes nothing and either choice gives the same pixel.",
        "",
        "## Decision map against the ground truth",
        "",
        "| pixels scored | accuracy |",
        "|---|---:|",
        f"| all | {100 * demo.accuracy:.2f} % |",
        f"| where the sources differ | {100 * demo.accuracy_observable:.2f} % |",
        "",
        f"ND-CNPFuse with the default rule (`fusion.rule.DEFAULT_RULE`): alpha = "
        f"{params['alpha']:g}, gamma = {params['gamma']:g}, sum(W) = {params['sum_W']:g}, "
        f"lam = {params['lam']:.6g} from Corollary 1 at the largest input (with beta = "
        f"{DEFAULT_RULE.beta:g}), then beta from Corollary 1 per system at its own "
        f"{DEFAULT_RULE.own_percentile:g}th percentile: {params['beta'][0]:.6g} (A), "
        f"{params['beta'][1]:.6g} (B); Eq. (21) over the {DEFAULT_WINDOW} of radius r = "
        f"{result.radius}, t = {DEFAULT_STEPS} steps.",
        "",
        "## Quality metrics (the paper's Table 1)",
        "",
        "Of this fusion against its two sources (not comparable with the paper's Lytro values: "
        "another image, another blur); the last three rows score it against the all-in-focus "
        "image.",
        "",
        "| metric | value | what |",
        "|---|---:|---|",
        *(f"| {k} | {v:.4f} | {_METRIC_NOTES.get(k, '')} |" for k, v in demo.metrics.items()),
        "",
        "## Theory: audit of the paper's equations",
        "",
        *_audit_lines(entries),
        "",
        f"Paper's example (alpha = 0.8, beta = 0.2, gamma = 0.5, lam = 15, sum(W) = 1.2): "
        f"Theorem 4's bound I > {numbers['bound']:.6g}; started from rest, the neuron fires at "
        f"every step only for I > {numbers['supremum']:.6g} ({supremum_text}). Full table: "
        "`ndcnp theory`.",
        "",
        "```",
        *numbers["findings"],
        "```",
        "",
        "## Fig. 2",
        "",
        *_fig2_lines(fig2_rows),
        "",
        "## Timings",
        "",
        "| stage | seconds |",
        "|---|---:|",
        *(f"| {k} | {v:.2f} |" for k, v in demo.timings.items()),
        "",
        "Wall-clock seconds in this process (interpreter start-up and imports not included); "
        "the first run on a machine also compiles the numba kernels.",
        "",
        "## Files",
        "",
        *(f"- `{name}`: {what}" for name, what in FILES.items()),
        "",
    ]
    return "\n".join(lines)
