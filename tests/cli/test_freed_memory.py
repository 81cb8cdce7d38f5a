"""The command line keeps freed heap for reuse: fewer page faults, the same results."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import resource, sys, numpy as np
from fusion.cli import keep_freed_memory
if sys.argv[1] == "pad":
    keep_freed_memory()
from fusion.evaluate import evaluate_pair
rng = np.random.default_rng(0)
a, b, f = (rng.integers(0, 256, (320, 320, 3), dtype=np.uint8) for _ in range(3))
first = evaluate_pair(a, b, f)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    assert evaluate_pair(a, b, f) == first
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, first["QP"])
"""


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallopt"), reason="needs glibc's mallopt")
def test_a_top_pad_spares_the_page_faults_of_repeated_metrics():
    # Scoring the same pair again: with the default heap every image-sized temporary is
    # taken from the system afresh and faults in; with the pad it reuses freed memory.
    faults, scores = {}, {}
    for mode in ("none", "pad"):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": "1"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        count, qp = done.stdout.split()
        faults[mode], scores[mode] = int(count), qp
    assert faults["pad"] * 5 < faults["none"], faults
    assert scores["pad"] == scores["none"]
