"""Write notebooks/01_theory, 02_simulation and 03_fusion (outputs stripped).

The notebooks are generated, so they stay stripped in git and their code is reviewed here as
plain Python. tests/test_notebooks.py executes them. Rerun after editing:

    python tools/make_notebooks.py            # rewrite the three notebooks
    python tools/make_notebooks.py --check    # exit 1 if a committed notebook differs

Notebook 04 (a new variant) is written by hand elsewhere and is not touched here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

THEORY = [
    (
        "md",
        """# 1. Theory: the paper's neurodynamics, derived and audited

Everything here is derived by `ndtheory` from **one declaration** of the ND-CNP neuron
(`ndtheory.spec.ND_CNP`); the paper's printed formulas are typed in only in the audit, as the
thing being checked. Paper: B. Li et al., *Neurodynamics-Driven Coupled Neural P Systems for
Multi-Focus Image Fusion*, Section 3.2. Background and every number: `docs/theory.md`.""",
    ),
    (
        "code",
        """import sympy as sp
from IPython.display import Markdown, display

from ndtheory.spec import ND_CNP, PAPER_EXAMPLE

ND_CNP  # the spec: each unit's update from step t-1, and the firing condition""",
    ),
    (
        "md",
        """## The update recurrences, under both semantics

`decay`: the decay applies at every step (the form the paper's analysis uses);
`decay-on-fire`: Eqs. (1)-(3) read literally, the consumption only after a spike.""",
    ),
    (
        "code",
        """for semantics in ND_CNP.semantics:
    print(semantics)
    for unit, update in ND_CNP.updates(semantics).items():
        print(f"  {unit}(t) = {update}")
print("fires when", ND_CNP.fires)""",
    ),
    (
        "md",
        """## Theorems 1-3: closed forms, checked

`general_closed_forms` solves each affine recurrence for a general coupling sequence `K(n)`;
`continuous_firing_closed_forms` for the trajectory on which the neuron and its neighbours fire
at every step from rest (`K(0) = 0`, `K(n) = sum(W)` for `n >= 1`). Each form is substituted
back into its recurrence and, where it can, compared with SymPy's `rsolve` (the tests add a
third check: exact iteration on hundreds of random parameter sets).""",
    ),
    (
        "code",
        """from ndtheory.closed_forms import (
    check_closed_forms,
    continuous_firing_closed_forms,
    general_closed_forms,
)

for name, form in general_closed_forms().items():
    display(Markdown(f"general: ${name}(t) = {sp.latex(form)}$"))
for name, form in continuous_firing_closed_forms().items():
    display(Markdown(f"continuous firing: ${name}(t) = {sp.latex(form)}$"))

checks = check_closed_forms()
for c in checks:
    holds = c.substitution[0]
    print(f"{c.unit} {c.form:17}  substitution holds: {holds}   rsolve: {c.rsolve.status}")
assert all(c.substitution[0] for c in checks)""",
    ),
    (
        "md",
        """## Theorem 4 and the paper's 6/5 example

The limit `t -> oo` of the firing margin `U(t)(1 + V(t)) - T(t)` along continuous firing is
affine in `I`; solved for `I` it gives the continuous-firing bound `B` of Eqs. (14)/(17). The
paper's example (Eq. 18) is `B = 6/5`; in exact rationals it is exactly that.""",
    ),
    (
        "code",
        """from ndtheory.audit import PAPER_EXAMPLE_EXACT
from ndtheory.bound import bound_expr, continuous_firing_bound, solve_for

B = bound_expr()
display(Markdown(f"$B = {sp.latex(B)}$"))
exact = sp.nsimplify(B.subs(PAPER_EXAMPLE_EXACT))
print("paper's example, exact:", exact)
assert exact == sp.Rational(6, 5)
print("in floats:", continuous_firing_bound(**PAPER_EXAMPLE, sum_W=1.2))
# Corollary 1 as a solver: the lambda that puts a largest input of 1.2 on the bound
lam = solve_for("lam", I=1.2, alpha=0.8, beta=0.2, gamma=0.5, sum_W=1.2)
print("lam for I_max = 1.2:", lam)
assert abs(lam - 15) < 1e-9""",
    ),
    (
        "md",
        """## The audit of the printed equations

*identical*: printed minus derived simplifies to 0; *equal in the limit*: it does not but
vanishes as `t -> oo`; *differs*: neither. The same table: `ndcnp theory --format markdown`.""",
    ),
    (
        "code",
        """from ndtheory.audit import audit, format_audit

display(Markdown(format_audit(fmt="markdown")))
verdicts = {e.equation: e.verdict for e in audit()}
verdicts""",
    ),
    (
        "md",
        """Eq. (16) is printed with `K(0) = sum(W)` (neighbours that fired before the neuron
started), while the proof of Theorem 1 states `K(0) = 0`: the two agree only in the limit.
Eq. (19) (Corollary 1) says `I <= B` prevents continuous firing; the limit argument proves
only `I < B`, and `I = B` can fire at every step.""",
    ),
    (
        "md",
        """## The exact finite-horizon condition

Step `t` of the continuous-firing trajectory fires iff `I > I_t`. The neuron fires at
**every** step from rest iff `I` exceeds `sup_t I_t`, which for the paper's parameters is
`103/33 = 3.12` at `t = 2`, 2.6 times Theorem 4's `6/5`: Theorem 4 is necessary, not
sufficient.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np

from ndtheory.bound import finite_horizon_supremum, finite_horizon_thresholds

paper = dict(PAPER_EXAMPLE, sum_W=1.2)
thresholds = finite_horizon_thresholds(**paper, n_steps=40)
sup = finite_horizon_supremum(**paper)
print(f"sup I_t = {sup.supremum:.6f} at t = {sup.step}; limit (Theorem 4) = {sup.limit:.6f}")
assert sup.step == 2 and abs(sup.supremum - 103 / 33) < 1e-12

slow = dict(alpha=0.1, beta=0.1, gamma=0.9, lam=1.0, sum_W=1.0)
slow_sup = finite_horizon_supremum(**slow)
print(f"gamma slower than alpha, beta: sup = {slow_sup.supremum:.6f}, reached: {slow_sup.step}")
assert slow_sup.step is None  # approached from below: I = B = 62/19 fires at every step

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
for ax, params, label in ((axes[0], paper, "paper's example"), (axes[1], slow, "62/19 example")):
    values = finite_horizon_thresholds(**params, n_steps=60)
    ax.plot(np.arange(1, 61), values, ".-", lw=0.8, label="$I_t$")
    ax.axhline(continuous_firing_bound(**params), color="k", ls="--", lw=1, label="Theorem 4 bound")
    ax.set_xlabel("step t")
    ax.set_title(label, fontsize=10)
    ax.legend(fontsize=8)""",
    ),
]

SIMULATION = [
    (
        "md",
        """# 2. Simulation: Fig. 2, firing regimes, rate against I

`simulate` runs the neuron declared in `ndtheory.spec` (single neurons with prescribed
neighbours, and 2-D grids; NumPy reference and a bit-identical numba kernel). Background:
`docs/simulate.md`, `docs/fig2.md`.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from ndtheory.spec import PAPER_EXAMPLE
from simulate.analysis import classify, firing_rate, sweep
from simulate.fig2 import FIG2_INPUTS, fig2_table, fig2_traces, format_table
from simulate.neuron import simulate_neuron
from simulate.plots import plot_counts, plot_fig2, plot_neuron, plot_rate_sweeps""",
    ),
    (
        "md",
        """## Fig. 2

The paper runs one neuron with alpha = 0.8, beta = 0.2, gamma = 0.5, lambda = 15,
sum(W) = 1.2 at I = 0.5, 1.0, 1.5, 2.0 and reports rates of 60 / 70 / 100 / 100 %. It does not
say what the neighbours do or over which steps the rate is counted. Below: neighbours that fire
at every step, decay every step.""",
    ),
    (
        "code",
        """traces = fig2_traces(neighbours="always", semantics="decay")
fig = plt.figure(figsize=(10, 6), layout="constrained")
plot_fig2(traces, axes=fig.subplots(2, 2, sharex=True).flat);""",
    ),
    (
        "md",
        """Every setup tried, over several windows (**bold** = the paper's four rates). Only a
ten-step window reproduces 60 / 70: the long-run rate at I = 1.0 is 75 % (pattern `1101`).""",
    ),
    (
        "code",
        """rows = fig2_table()
display(Markdown(format_table(rows)))
always = next(r for r in rows if (r.setup.name, r.setup.semantics) == ("always", "decay"))
assert always.matches("91-100") and not always.matches("51-100")""",
    ),
    (
        "md",
        """## Firing regimes

After a transient a neuron settles into continuous firing, a periodic pattern, or silence.
`classify` finds the pattern and its period.""",
    ),
    (
        "code",
        """for value in (0.5, 1.0, 1.3, 2.0):
    result = simulate_neuron(value, PAPER_EXAMPLE, 200, neighbours="uniform", sum_W=1.2)
    pattern = classify(result.spikes)
    print(
        f"I = {value}: {pattern.regime:10} pattern {pattern.pattern!s:8} "
        f"after {pattern.transient} steps, rate {100 * firing_rate(result.spikes, 100):.0f} %"
    )

result = simulate_neuron(1.0, PAPER_EXAMPLE, 60, neighbours="always", sum_W=1.2)
plot_neuron(result, title="I = 1.0, neighbours always firing: pattern 1101");""",
    ),
    (
        "md",
        """## Rate against I

The firing rate over the second half of 400 steps, for 241 inputs, with neighbours that always
fire or that behave like the neuron (a uniform image), under both semantics. The dashed line is
Theorem 4's bound from `ndtheory`.""",
    ),
    (
        "code",
        """from ndtheory.bound import continuous_firing_bound

values = np.linspace(0, 3, 241)
sweeps = {
    f"{neighbours}, {semantics}": sweep(
        "I", values, params=PAPER_EXAMPLE, n_steps=400, window=(200, None),
        neighbours=neighbours, sum_W=1.2, semantics=semantics,
    )
    for neighbours in ("always", "uniform")
    for semantics in ("decay", "decay-on-fire")
}
bound = continuous_firing_bound(**PAPER_EXAMPLE, sum_W=1.2)
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
plot_rate_sweeps(sweeps, ax=ax, bound=bound)
for label, s in sweeps.items():
    continuous = values[[p.regime == "continuous" for p in s.patterns]]
    print(f"{label}: continuous firing from I = {continuous.min():.4g}")""",
    ),
    (
        "md",
        """## A grid

A 2-D ND-CNP system driven by an image: here a smooth ramp with a bright disc, 3x3 coupling.
The fast numba kernel and the NumPy reference give identical spike counts.""",
    ),
    (
        "code",
        """from simulate.grid import simulate_grid

y, x = np.mgrid[0:64, 0:96]
stimulus = 0.4 * x / 95 + 1.2 * ((x - 60) ** 2 + (y - 30) ** 2 < 15**2)
W = np.array([[0.05, 0.1, 0.05], [0.1, 0.0, 0.1], [0.05, 0.1, 0.05]])
fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 110)
reference = simulate_grid(stimulus, PAPER_EXAMPLE, W, 110, engine="reference")
assert np.array_equal(fast.counts, reference.counts)
plot_counts(fast.counts, title="spike counts after 110 steps");""",
    ),
]

FUSION = [
    (
        "md",
        """# 3. Fusion: ND-CNPFuse on a multi-focus pair

A Lytro pair from `NDCNP_DATA` when the dataset is there (compared with the authors' own
published fusion), else the built-in demo pair made from matplotlib's sample image (compared
with its exact ground-truth mask). Background: `docs/reproduction.md`, `docs/metrics.md`.""",
    ),
    (
        "code",
        """import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from fusion.images import read_image
from fusion.synthetic import focus_mask, multifocus_pair, sample_image

NAME = "5"  # the hardest Lytro pair for the default rule
data = Path(os.environ.get("NDCNP_DATA", "/nonexistent")) / "lytro"
if (data / "reference" / f"{NAME}.png").is_file():
    far = read_image(data / "far" / f"{NAME}.jpg")
    near = read_image(data / "near" / f"{NAME}.jpg")
    reference = read_image(data / "reference" / f"{NAME}.png")
    mask = None
    print(f"Lytro pair {NAME} from {data}")
else:
    sharp = sample_image()
    mask = focus_mask(sharp.shape[:2])
    far, near = multifocus_pair(sharp, mask, sigma=2.5)
    reference = None
    print("NDCNP_DATA has no Lytro set: the built-in demo pair")""",
    ),
    (
        "md",
        """## Fuse

Each source's modified Laplacian drives one ND-CNP system whose lambda comes from Corollary 1
(`fusion.rule.DEFAULT_RULE`); spike counts summed within the coupling radius (Eq. 21; by
default 2 % of the shorter side, `radius=16` is the paper's) decide which source each pixel
copies (Eqs. 20, 22).""",
    ),
    (
        "code",
        """from fusion.pipeline import fuse
from fusion.rule import DEFAULT_RULE

result = fuse([far, near])
print("parameters of both systems:", result.params[0])
print("sum(W) =", DEFAULT_RULE.kernel.sum())

fig, axes = plt.subplots(1, 4, figsize=(14, 3.8), layout="constrained")
for ax, image, title in zip(
    axes,
    (far, near, result.decision_map, result.fused),
    ("source 1 (far)", "source 2 (near)", "decision map (white = source 1)", "fused"),
):
    ax.imshow(image, cmap="gray")
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()""",
    ),
    (
        "md",
        """## Agreement with the reference

For a Lytro pair: the share of pixels (where the sources differ) at which our decision map
picks the same source as the authors' published fusion. For the demo pair: the share of pixels
where it equals the ground-truth mask.""",
    ),
    (
        "code",
        """from fusion.metrics import decision_map_accuracy, decision_map_from_fusion

if reference is not None:
    their_map, observable = decision_map_from_fusion(far, near, reference)
    score = decision_map_accuracy(result.decision_map, their_map, valid=observable)
    print(f"agreement with the authors' decision map: {100 * score:.2f} %")
    truth = their_map
else:
    score = decision_map_accuracy(result.decision_map, mask)
    print(f"accuracy against the ground-truth mask: {100 * score:.2f} %")
    truth = mask
assert score > 0.9

disagree = result.decision_map.astype(bool) != truth
plt.figure(figsize=(4, 4))
plt.imshow(disagree, cmap="gray")
plt.title(f"pixels that disagree ({100 * disagree.mean():.2f} %)", fontsize=10)
plt.axis("off");""",
    ),
    (
        "md",
        """## The six quality metrics of Table 1

Computed exactly as the authors' MATLAB evaluation does (`SSIM_Y` is the variant that
reproduces the paper's Table 1, `SSIM` the authors' script). For a Lytro pair, the authors'
own fusion is scored beside ours.""",
    ),
    (
        "code",
        """from fusion.evaluate import evaluate_pair

rows = {"ours": evaluate_pair(far, near, result.fused)}
if reference is not None:
    rows["authors' published fusion"] = evaluate_pair(far, near, reference)
columns = list(rows["ours"])
table = ["| fusion | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
table += [
    f"| {name} | " + " | ".join(f"{row[c]:.4f}" for c in columns) + " |"
    for name, row in rows.items()
]
display(Markdown("\\n".join(table)))""",
    ),
]

NOTEBOOKS = {
    "01_theory.ipynb": THEORY,
    "02_simulation.ipynb": SIMULATION,
    "03_fusion.ipynb": FUSION,
}


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A stripped notebook from ``(kind, source)`` pairs."""
    nb = new_notebook(
        cells=[
            new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells
        ],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    # Stable cell ids, so that regenerating an unchanged notebook changes no byte.
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:02d}"
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = ROOT / "notebooks" / name
        text = nbformat.writes(build(cells)) + "\n"
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
            continue
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(stale)}; run python tools/make_notebooks.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
