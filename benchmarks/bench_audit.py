"""Time ``ndcnp audit`` on every shipped example, each a fresh process from empty caches.

Every run gets new, empty ``XDG_CACHE_HOME`` and ``NUMBA_CACHE_DIR`` folders, so nothing
compiled or cached by an earlier run (numba kernels, ndcnp's generated code) is reused.
Prints wall time and CPU time (user + sys of the child) per file; the target of issue 13
is at most 10 s for ``examples/nd-cnpfuse.toml`` on 2 cores and 30 s for a file with a new
model (docs/audit.md's complete example is timed as one; ``--file PATH`` adds others).

Usage::

    PYTHONPATH=. python benchmarks/bench_audit.py [--file PATH ...] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``ndcnp audit PATH`` in a fresh process with empty caches."""
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as numba:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "NUMBA_CACHE_DIR": numba}
        env["PYTHONPATH"] = str(ROOT)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "fusion", "audit", str(path), "--format", "json"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def doc_example(folder: Path) -> Path:
    """docs/audit.md's complete file (a model no registry knows), written into ``folder``."""
    doc = (ROOT / "docs" / "audit.md").read_text()
    path = folder / "docs-audit-example.toml"
    path.write_text(doc.split("```toml\n")[1].split("```")[0])
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", action="append", type=Path, default=[], help="another file")
    parser.add_argument("--repeats", type=int, default=1, help="runs per file (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = [*sorted((ROOT / "examples").glob("*.toml")), doc_example(Path(folder)), *args.file]
        print(f"{'file':<40} {'wall s':>8} {'cpu s':>8}")
        for path in files:
            runs = [run_once(path) for _ in range(args.repeats)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"{path.name:<40} {wall:8.2f} {cpu:8.2f}")


if __name__ == "__main__":
    main()
