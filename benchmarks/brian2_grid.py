"""Run the CNP grid model in Brian2: the peer simulator of ``bench_fusion.py``.

This script runs inside ``benchmarks/.venv-brian2`` (Brian2 2.9.0 needs NumPy < 2)
and imports nothing from ndcnp. ``bench_fusion.py`` hands it a job file holding
the stimuli, the coupling kernel W, the parameters and the model's update
expressions *as printed from* ``ndtheory.spec`` (so no equation is typed in
here), and reads back the spike counts and timings.

The Brian2 model follows ndcnp's synchronous update exactly:

* one Brian2 time step per model step (``dt`` = 1 ms, a unit Brian2 insists on);
* in the ``start`` slot every neuron computes its new U, V, T from the values
  of the previous step, its own previous spike P and the coupling input K,
  then clears K and P;
* the ``thresholds`` slot evaluates the printed firing condition;
* the ``synapses`` slot propagates this step's spikes: ``K_post += w`` for each
  synapse from a neuron to the neighbours its kernel reaches, with weight
  W (no synapse across the image border: the zero border);
* the ``resets`` slot sets P = 1 and counts the spike.

So K read at step t is the sum of W over the neighbours that fired at t - 1,
added in row-major neighbour order, as in ndcnp's reference. Brian2 compiles
with its default flags (``-O3 -ffast-math -march=native``), as a researcher
would run it; the benchmark reports whether its counts still match.

Usage: ``python brian2_grid.py JOB.npz RESULT.npz``.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time

import numpy as np
from process_stats import cpu_seconds as process_cpu_seconds
from process_stats import peak_rss_kb


def _synapse_indices(shape: tuple[int, int], W: np.ndarray) -> tuple[np.ndarray, ...]:
    """Presynaptic and postsynaptic indices and weights for kernel W, zero border.

    Neuron (i, j) receives ``W[a, b] * P[i + a - r, j + b - r]``; synapses are
    created sorted by postsynaptic then presynaptic index, so Brian2 adds the
    inputs of one neuron in row-major neighbour order.
    """
    M, N = shape
    kh, kw = W.shape
    rh, rw = kh // 2, kw // 2
    rows, cols = np.mgrid[0:M, 0:N]
    pre, post, weight = [], [], []
    for a in range(kh):
        for b in range(kw):
            if W[a, b] == 0.0:
                continue
            si, sj = rows + a - rh, cols + b - rw
            inside = (si >= 0) & (si < M) & (sj >= 0) & (sj < N)
            pre.append((si * N + sj)[inside])
            post.append((rows * N + cols)[inside])
            weight.append(np.full(int(inside.sum()), W[a, b]))
    pre_a, post_a, w_a = (np.concatenate(x) for x in (pre, post, weight))
    order = np.lexsort((pre_a, post_a))
    return pre_a[order], post_a[order], w_a[order]


def _brian2_names(job: dict) -> dict:
    """``job`` with the printer's constants ``_c0, _c1, ...`` renamed ``ndcnp_c0, ...``.

    Brian2 reserves names that start with an underscore.
    """
    rename = {c: f"ndcnp{c}" for c in job["constants"]}
    taken = set(rename.values()) & {*job["units"], *job["parameters"]}
    if taken:
        raise ValueError(f"model names {sorted(taken)} clash with renamed constants")

    def sub(source: str) -> str:
        return re.sub(r"\b_c\d+\b", lambda m: rename[m.group(0)], source)

    return {
        **job,
        "updates": {u: sub(e) for u, e in job["updates"].items()},
        "fire_lhs": sub(job["fire_lhs"]),
        "fire_rhs": sub(job["fire_rhs"]),
        "constants": list(rename.values()),
    }


def _model_code(job: dict) -> tuple[str, str, str, str]:
    """Brian2 equations, per-step update code, threshold and reset from the printed model."""
    units = job["units"]
    names = [*units, "P", "K", "I"]
    eqs = "\n".join(f"{n} : 1" for n in [*units, "P", "K"])
    eqs += "\nI : 1 (constant)\ncount : integer"
    eqs += "".join(f"\n{p} : 1 (shared, constant)" for p in job["parameters"])
    eqs += "".join(f"\n{c} : 1 (shared, constant)" for c in job["constants"])
    # Temporaries first, then assignment: every unit is updated from step t - 1 values.
    step = [f"{u}next = {job['updates'][u]}" for u in units]
    step += [f"{u} = {u}next" for u in units]
    step += ["K = 0", "P = 0"]
    threshold = f"({job['fire_lhs']}) {job['fire_op']} ({job['fire_rhs']})"
    for name in names:
        if name + "next" in names:
            raise ValueError(f"unit name {name}next clashes with a temporary")
    return eqs, "\n".join(step), threshold, "P = 1\ncount += 1"


def run_job(job_path: str, result_path: str) -> None:
    """Run every stimulus of the job in Brian2 and write counts and timings."""
    import brian2 as b2

    data = np.load(job_path)
    job = _brian2_names(json.loads(str(data["job"])))
    stimuli = np.asarray(data["stimuli"], dtype=np.float64)
    W = np.asarray(data["W"], dtype=np.float64)
    values = np.asarray(data["values"], dtype=np.float64)  # (S, parameters + constants)
    n_steps = int(job["n_steps"])
    target = job["target"]
    S, M, N = stimuli.shape
    standalone = target == "cpp_standalone"

    t0 = time.perf_counter()
    if standalone:
        b2.set_device("cpp_standalone", build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = int(job.get("threads", 0))
    else:
        b2.prefs.codegen.target = target
    b2.defaultclock.dt = 1 * b2.ms
    eqs, step, threshold, reset = _model_code(job)
    group = b2.NeuronGroup(M * N, eqs, threshold=threshold, reset=reset, name="cnp")
    group.run_regularly(step, when="start", name="cnp_step")
    pre, post, weight = _synapse_indices((M, N), W)
    synapses = b2.Synapses(group, group, "w : 1 (constant)", on_pre="K_post += w", name="coupling")
    synapses.connect(i=pre, j=post)
    synapses.w = weight
    net = b2.Network(group, synapses)
    scalars = [*job["parameters"], *job["constants"]]

    def system_values(s: int) -> dict[str, object]:
        state: dict[str, object] = {n: values[s, k] for k, n in enumerate(scalars)}
        state["I"] = stimuli[s].ravel()
        return state

    repeats = int(job.get("repeats", 1))
    counts = np.empty((S, M, N), dtype=np.int32)
    seconds = np.empty((S, repeats))
    cpu_seconds = np.empty((S, repeats))
    if standalone:
        net.run(n_steps * b2.ms)
        build_dir = tempfile.mkdtemp(prefix="ndcnp-brian2-")
        b2.device.build(directory=build_dir, run=False)
        setup = time.perf_counter() - t0
        for s in range(S):
            for r in range(repeats):
                t1, c1 = time.perf_counter(), process_cpu_seconds()
                b2.device.run(run_args={getattr(group, n): v for n, v in system_values(s).items()})
                seconds[s, r] = time.perf_counter() - t1
                cpu_seconds[s, r] = process_cpu_seconds() - c1
            counts[s] = np.asarray(group.count[:]).reshape(M, N)
    else:
        net.store("initial")
        for name, value in system_values(0).items():
            setattr(group, name, value)
        net.run(1 * b2.ms)  # compiles every code object before the timed runs
        setup = time.perf_counter() - t0
        for s in range(S):
            for r in range(repeats):
                net.restore("initial")
                for name, value in system_values(s).items():
                    setattr(group, name, value)
                t1, c1 = time.perf_counter(), process_cpu_seconds()
                net.run(n_steps * b2.ms)
                seconds[s, r] = time.perf_counter() - t1
                cpu_seconds[s, r] = process_cpu_seconds() - c1
            counts[s] = np.asarray(group.count[:]).reshape(M, N)
    np.savez(
        result_path,
        counts=counts,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        setup_seconds=setup,
        peak_rss_kb=peak_rss_kb(),
        versions=json.dumps({"brian2": b2.__version__, "numpy": np.__version__, "target": target}),
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: brian2_grid.py JOB.npz RESULT.npz")
    run_job(sys.argv[1], sys.argv[2])
