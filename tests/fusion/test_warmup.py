"""Compiling the metric kernels ahead: the cache check, the groups, starting and stopping."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fusion import warmup
from fusion.evaluate import GT_COLUMNS, TABLE1_COLUMNS, evaluate_pair
from ndtheory.errors import NdcnpInputError

ROOT = Path(__file__).resolve().parents[2]


def test_the_groups_cover_every_column_once():
    columns = [c for group in warmup.GROUPS for c in group]
    assert sorted(columns) == sorted((*TABLE1_COLUMNS, *GT_COLUMNS))


def test_an_empty_numba_cache_is_not_cached(tmp_path):
    probe = "from fusion import warmup; print(warmup.kernels_cached())"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]


def test_compiled_groups_are_cached_and_start_nothing():
    for group in warmup.GROUPS:
        warmup.compile_group(group)
    assert warmup.kernels_cached()
    assert warmup.start(8) == []


def test_one_cpu_starts_nothing(monkeypatch):
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    assert warmup.start(1) == []


def test_columns_select_the_same_values():
    rng = np.random.default_rng(4)
    images = [rng.integers(0, 256, (40, 44, 3), dtype=np.uint8) for _ in range(4)]
    full = evaluate_pair(*images)
    assert list(full) == [*TABLE1_COLUMNS, *GT_COLUMNS]
    some = evaluate_pair(*images, columns=("QCB", "PSNR_gt", "Qabf"))
    assert some == {c: full[c] for c in ("Qabf", "QCB", "PSNR_gt")}
    assert list(some) == ["Qabf", "QCB", "PSNR_gt"]  # the table's order
    with pytest.raises(NdcnpInputError, match="unknown metric columns"):
        evaluate_pair(*images[:3], columns=("PSNR_gt",))  # no ground truth given


def test_finish_stops_processes_when_asked():
    sleeper = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,))
    sleeper.start()
    began = time.monotonic()
    warmup.finish([sleeper], stop=True)
    assert not sleeper.is_alive()
    assert time.monotonic() - began < 30


def _report_sigint(queue):
    import signal

    queue.put(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)


def test_the_processes_start_with_ctrl_c_ignored(monkeypatch):
    # A Ctrl-C reaches the terminal's whole process group: only the parent may report it.
    import signal

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    monkeypatch.setattr(warmup, "kernels_cached", lambda: False)
    monkeypatch.setattr(warmup, "GROUPS", ((),))
    monkeypatch.setattr(warmup, "_compile_quietly", lambda columns: None)
    before = signal.getsignal(signal.SIGINT)
    probe = context.Process(target=_report_sigint, args=(queue,))
    monkeypatch.setattr(context, "Process", lambda **kwargs: probe)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: context)
    processes = warmup.start(2)
    assert processes == [probe]
    assert queue.get(timeout=60) is True
    warmup.finish(processes)
    assert signal.getsignal(signal.SIGINT) is before
