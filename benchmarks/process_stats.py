"""Peak memory and CPU time of the benchmark's own processes (shared by its scripts)."""

from __future__ import annotations

import resource
import time
from pathlib import Path


def peak_rss_kb() -> int:
    """This process's peak resident memory in KiB.

    Linux's ``ru_maxrss`` keeps the parent's high-water mark across fork and
    exec, so a small child of a big parent would report the parent's size;
    ``VmHWM`` belongs to the process's own memory map.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (some engines run programs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
