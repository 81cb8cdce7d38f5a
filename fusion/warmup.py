"""Compile the metric kernels before their first use, one group per core (for ``ndcnp demo`` and
``ndcnp evaluate``).

From an empty numba cache the metrics compile for about 15 s of CPU before the first image is
scored, FMIw's window kernel half of it (``benchmarks/bench_metrics.py --first``). Compiled as
two groups of about equal cost in two processes, a first run waits about half as long, and the
processes that score the images then load the kernels from numba's cache (its files are written
atomically). Where the cache already holds them, nothing is started: the check reads two
small index files.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess

import numpy as np

from fusion.evaluate import GT_COLUMNS, evaluate_pair

GROUPS = (("FMIw",), ("Qabf", "SSIM", "SSIM_Y", "PSNR", "QP", "QCB", *GT_COLUMNS))
"""Columns of :func:`fusion.evaluate.evaluate_pair` compiled together: FMIw alone (7.5 s), the
rest (7.9 s; QP 4.4 s of it)."""
SIDE = 128
"""Side of the images compiled on: at least FMIw's 102-tap wavelet, so its own kernel runs."""


def kernels_cached() -> bool:
    """Whether numba's cache holds the heaviest metric kernels for the present sources.

    A heuristic that only decides whether compiling ahead is worth its processes: it reads
    the cache index of FMIw's and QP's kernels (numba's own files, through its private
    ``_cache`` attribute); anything unexpected counts as not cached.
    """
    try:
        from fusion.metrics import _fmi_kernel, _qp_kernel

        heaviest = (_fmi_kernel._scores, _qp_kernel.accumulate_orientation)
        return all(kernel._cache._cache_file._load_index() for kernel in heaviest)
    except Exception:
        return False


def compile_group(columns: Sequence[str]) -> None:
    """Compile (or load) the kernels of these metric columns: score a small random triplet."""
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8) for _ in range(4)]
    evaluate_pair(*images, columns=columns)


def _compile_quietly(columns: Sequence[str]) -> None:
    try:
        compile_group(columns)
    except Exception:  # the scoring process compiles whatever is missing itself
        pass


def start(cpus: int) -> list[BaseProcess]:
    """Start one process per group where the cache lacks the kernels and ``cpus`` >= 2.

    Fresh interpreters (spawn): a fork of a process whose numba threads have run is not
    safe. Returns the processes (none where nothing needs compiling); see :func:`finish`.
    """
    if cpus < 2 or kernels_cached():
        return []
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_compile_quietly, args=(group,), name="ndcnp-warmup", daemon=True)
        for group in GROUPS
    ]
    # Started with SIGINT ignored, which a new interpreter keeps: a Ctrl-C at the terminal
    # reaches the whole group, and only this process reports it (and stops them, finish).
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        for process in processes:
            process.start()
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return processes


def finish(processes: Sequence[BaseProcess], *, stop: bool = False) -> None:
    """Wait for the processes of :func:`start`; stop them instead with ``stop`` (after a
    failure elsewhere), and also if the wait is interrupted (Ctrl-C)."""
    try:
        for process in processes:
            if stop:
                process.terminate()
            process.join()
    except BaseException:
        for process in processes:
            process.terminate()
            process.join()
        raise
