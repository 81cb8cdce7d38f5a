"""How many worker threads (or processes) to use: the CPUs this process may run on."""

from __future__ import annotations

import os

from ndtheory.errors import NdcnpInputError

THREADS_VARIABLE = "NDCNP_THREADS"
"""Environment variable that overrides the count (a positive integer)."""


def available_threads() -> int:
    """Worker count for parallel work: ``NDCNP_THREADS`` if set, else the usable CPUs.

    The usable CPUs are ``os.sched_getaffinity(0)`` where the platform has it (a
    container or ``taskset`` may allow fewer than the machine has), else
    ``os.cpu_count()``.

    Raises
    ------
    NdcnpInputError
        If ``NDCNP_THREADS`` is set to anything but a positive integer.
    """
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if text:
        try:
            count = int(text)
        except ValueError:
            count = 0
        if count < 1:
            raise NdcnpInputError(f"{THREADS_VARIABLE} must be a positive integer; got {text!r}")
        return count
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
