"""Where does continuous firing from rest start, relative to Theorem 4's B? A census with dask.

For random parameter sets of each registered model whose bound is derivable (ND-CNP, DTNP),
and over a 2-D slice (sum(W) against the model's second parameter, the others at the middle
of their typical range), a neuron with a uniform neighbourhood under ``decay`` is run from
rest (the NumPy reference engine, :func:`simulate.neuron.run_batch`, vectorised over the
parameter sets) and its onset of lasting continuous firing is found by bisection in
``I / B`` on ``[1, hi]``: "continuous" means firing at every one of the last ``tail`` of
``steps`` steps. It assumes the onset set is an interval above its lower end, which is not
always so (docs/findings.md, finding 7), and a transient longer than ``steps - tail``
reads as not continuous, so the float ratio is an estimate from above; ``theory onset``
gives the exact value for one parameter set. Theorem 4 "fails" where the ratio exceeds
1.01.

Chunks of parameter sets are dask tasks: the local scheduler (processes, all cores) by
default, a dask.distributed cluster with ``--scheduler ADDRESS``. Run from the repository
root::

    PYTHONPATH=. python tools/onset_census.py --sets 2000 --slice 24
"""

from __future__ import annotations

import argparse
import time

import numpy as np

MODELS = ("nd-cnp", "dtnp")
ITERATIONS = 14
"""Bisection steps: the ratio is resolved to ``(hi - 1) / 2**14``."""


def _bounds(model, params: dict[str, np.ndarray], sum_w: np.ndarray) -> np.ndarray:
    import sympy as sp

    from ndtheory.continuous_firing import derive_continuous_firing
    from ndtheory.spec import SUM_W

    bound = derive_continuous_firing(model).bound
    names = [p.name for p in model.parameters]
    f = sp.lambdify([model.symbols[n] for n in names] + [SUM_W], bound, modules="numpy")
    return np.broadcast_to(f(*(params[n] for n in names), sum_w), sum_w.shape).astype(float)


def onset_ratios(
    model_name: str,
    params: dict[str, np.ndarray],
    sum_w: np.ndarray,
    steps: int,
    tail: int,
    hi: float,
) -> np.ndarray:
    """``onset / B`` for each parameter set (NaN where ``B <= 0.01`` or ``hi B`` is not
    continuous)."""
    from ndtheory.spec import MODELS as REGISTRY

    model = REGISTRY[model_name]
    bound = _bounds(model, params, sum_w)
    ok = bound > 0.01
    out = np.full(bound.shape, np.nan)
    if not ok.any():
        return out
    sub = {k: v[ok] for k, v in params.items()}
    B, W = bound[ok], sum_w[ok]

    def continuous(ratio: np.ndarray) -> np.ndarray:
        return fires_at_the_end(model, ratio * B, sub, W, steps, tail)

    low, high = np.ones(B.shape), np.full(B.shape, hi)
    top = continuous(high)
    for _ in range(ITERATIONS):
        mid = (low + high) / 2
        c = continuous(mid)
        high, low = np.where(c, mid, high), np.where(c, low, mid)
    out[np.flatnonzero(ok)] = np.where(top, high, np.nan)
    return out


def fires_at_the_end(model, I, params, sum_w, steps: int, tail: int) -> np.ndarray:  # noqa: E741
    """Whether each neuron (uniform neighbourhood, ``decay``, from rest) fires at every one
    of the last ``tail`` of ``steps`` steps: the NumPy reference step of
    :mod:`simulate.reference` on the model's printed update, with ``K = sum(W) P(t-1)``
    per neuron (its own ``sum(W)``), keeping no traces."""
    from simulate import reference
    from simulate.codegen import print_model

    printed = print_model(model, "decay")
    shape = I.shape
    ns = reference.namespace(printed, params)
    for unit, value in printed.initial_values(params).items():
        ns[unit] = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
    ns["I"] = I
    P = np.zeros(shape)
    ok = np.ones(shape, bool)
    for t in range(1, steps + 1):
        ns["K"], ns["P"] = sum_w * P, P
        fired = reference.step(printed, ns, shape)
        P = fired.astype(np.float64)
        if t > steps - tail:
            ok &= fired
    return ok


def draw(model_name: str, n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``n`` parameter sets in the typical ranges and ``sum(W)`` in [0.1, 3]."""
    from ndtheory.spec import MODELS as REGISTRY

    rng = np.random.default_rng(seed)
    model = REGISTRY[model_name]
    params = {}
    for p in model.parameters:
        low, high = p.sampling_range
        # keep decays away from 0 and 1, where nothing (or everything) is slow
        params[p.name] = rng.uniform(
            max(low, 0.05) if high <= 1 else low, min(high, 0.95) if high <= 1 else high, n
        )
    return params, rng.uniform(0.1, 3.0, n)


def slice_grid(model_name: str, size: int) -> tuple[dict[str, np.ndarray], np.ndarray, str]:
    """sum(W) against the model's second parameter; the others at their range's middle."""
    from ndtheory.spec import MODELS as REGISTRY
    from ndtheory.spec import PAPER_EXAMPLE

    model = REGISTRY[model_name]
    axis = model.parameters[1]
    low, high = axis.sampling_range
    values = np.linspace(max(low, 0.05), min(high, 0.95), size)
    sums = np.linspace(0.1, 3.0, size)
    grid_p, grid_w = np.meshgrid(values, sums)
    params = {}
    for p in model.parameters:
        if p is axis:
            params[p.name] = grid_p.ravel()
        elif model_name == "nd-cnp":
            params[p.name] = np.full(grid_p.size, PAPER_EXAMPLE[p.name])
        else:
            params[p.name] = np.full(grid_p.size, sum(p.sampling_range) / 2)
    return params, grid_w.ravel(), axis.name


def census(model_name, params, sum_w, *, steps, tail, hi, chunk, scheduler):
    """Onset ratios for all sets, in dask tasks of ``chunk`` sets."""
    import dask

    n = sum_w.size
    tasks = [
        dask.delayed(onset_ratios)(
            model_name,
            {k: v[i : i + chunk] for k, v in params.items()},
            sum_w[i : i + chunk],
            steps,
            tail,
            hi,
        )
        for i in range(0, n, chunk)
    ]
    if scheduler == "sync":  # one process, for the test suite's replay
        parts = dask.compute(*tasks, scheduler="synchronous")
    elif scheduler:
        from distributed import Client

        with Client(scheduler):
            parts = dask.compute(*tasks)
    else:
        parts = dask.compute(*tasks, scheduler="processes")
    return np.concatenate(parts) if parts else np.empty(0)


def summary(ratios: np.ndarray) -> str:
    """``n, failing share, median and 90% ratio`` as one table row."""
    valid = ratios[np.isfinite(ratios)]
    fails = valid > 1.01
    q = np.quantile(valid, [0.5, 0.9, 1.0]) if valid.size else [np.nan] * 3
    return (
        f"{valid.size} | {fails.sum()} ({100 * fails.mean():.1f}%) | {q[0]:.3f} | {q[1]:.3f} | "
        f"{q[2]:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=2000, help="random sets per model")
    parser.add_argument("--slice", type=int, default=24, help="slice grid side")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--tail", type=int, default=200)
    parser.add_argument("--hi", type=float, default=4.0, help="largest I/B tried")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument(
        "--scheduler",
        default=None,
        help="dask.distributed scheduler address (default: dask's local process scheduler; "
        "'sync': one process)",
    )
    parser.add_argument("--plot", default=None, help="figure of the slices (.png)")
    args = parser.parse_args(argv)
    opts = dict(
        steps=args.steps, tail=args.tail, hi=args.hi, chunk=args.chunk, scheduler=args.scheduler
    )
    wall, cpu = time.perf_counter(), time.process_time()
    print(
        "| model | sample | sets with B > 0.01 | Theorem 4 fails (onset > 1.01 B) | median onset/B "
        "| 90% | max |"
    )
    print("|---|---|---|---|---|---|---|")
    slices = {}
    for name in args.models.split(","):
        params, sum_w = draw(name, args.sets, args.seed)
        print(f"| {name} | random | {summary(census(name, params, sum_w, **opts))} |")
        if args.slice:
            params, sum_w, axis = slice_grid(name, args.slice)
            ratios = census(name, params, sum_w, **opts)
            slices[name] = (params[axis], sum_w, ratios, axis)
            print(f"| {name} | slice sum(W) x {axis} | {summary(ratios)} |")
    print(
        f"({time.perf_counter() - wall:.0f} s wall, {time.process_time() - cpu:.1f} s CPU in "
        "the driver; workers' CPU not counted)"
    )
    if args.plot and slices:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(slices), figsize=(5 * len(slices), 4), layout="constrained")
        for ax, (name, (x, w, r, axis)) in zip(np.atleast_1d(axes), slices.items(), strict=True):
            side = args.slice
            image = ax.pcolormesh(
                x.reshape(side, side),
                w.reshape(side, side),
                r.reshape(side, side),
                cmap="viridis",
                shading="nearest",
            )
            ax.set_xlabel(axis)
            ax.set_ylabel("sum(W)")
            ax.set_title(f"{name}: onset / B from rest (uniform, decay)", fontsize=9)
            fig.colorbar(image, ax=ax)
        fig.savefig(args.plot, dpi=80)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
