"""Draw docs/img/regimes_paper.png: simulated rate over I with the derived regimes overlaid.

ND-CNP with the paper's parameters (alpha=0.8, beta=0.2, gamma=0.5, lam=15,
sum(W)=1.2) on a uniform grid (K = sum(W) P(t-1)), both semantics. Run from the
repository root:

    PYTHONPATH=. python tools/plot_regimes.py docs/img/regimes_paper.png
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ndtheory.regimes import plot_regimes, regimes
from ndtheory.spec import ND_CNP, PAPER_EXAMPLE
from simulate.analysis import sweep
from simulate.outputs import atomic_write, check_output_path


def main(out: str) -> None:
    path = check_output_path(out)
    inputs = np.linspace(0.0, 2.0, 801)
    fig, axes = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True, layout="constrained")
    for ax, semantics in zip(axes, ("decay", "decay-on-fire"), strict=True):
        found = regimes(ND_CNP, PAPER_EXAMPLE, 1.2, max_length=8, I_max=2.0, semantics=semantics)
        result = sweep(
            "I",
            inputs,
            params=PAPER_EXAMPLE,
            n_steps=1200,
            window=(600, None),
            neighbours="uniform",
            sum_W=1.2,
            semantics=semantics,
        )
        plot_regimes(found, ax=ax, I_max=2.0, labels=semantics == "decay")
        ax.plot(
            inputs, result.rates, ".", ms=1.5, color="k", label="simulated rate, steps 601-1200"
        )
        ax.axvline(1.2, color="C0", ls="--", lw=0.8, label="Theorem 4 bound")
        ax.set_title(f"ND-CNP, paper parameters, uniform grid, {semantics}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img/regimes_paper.png")
