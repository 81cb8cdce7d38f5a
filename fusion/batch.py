"""Many image pairs at once: one worker thread per pair, results in the pairs' order.

A pair's work is decode, the grey image and modified Laplacian, the CNP systems, the window
sums and the PNG encode. Its heavy parts release the GIL (Pillow's codecs, the numba kernels,
most NumPy operations), so threads overlap them: one pair's decode or encode runs while
another's systems run. Threads, not processes: a worker process would import numba and
sympy again (about a second each) and pickle the images.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ndtheory.errors import NdcnpInputError
from simulate.threads import available_threads

Item = TypeVar("Item")
Result = TypeVar("Result")


def check_jobs(jobs: int | None) -> int:
    """The worker count: ``jobs``, or :func:`simulate.threads.available_threads` if None."""
    if jobs is None:
        return available_threads()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise NdcnpInputError(f"--jobs must be an integer >= 1; got {jobs!r}")
    return jobs


def threads_per_pair(jobs: int) -> int | None:
    """Threads inside one pair's fusion: 1 while pairs run side by side, else the default."""
    return 1 if jobs > 1 else None


def in_order(
    function: Callable[[Item], Result], items: Iterable[Item], *, jobs: int | None = None
) -> Iterator[Result]:
    """``function(item)`` for every item on ``jobs`` threads, yielded in the items' order.

    The results, and anything ``function`` writes, are the same for every ``jobs`` when
    ``function`` depends on its item only. If one call raises, the calls not yet started are
    cancelled and the error is raised here once the running ones end.

    Parameters
    ----------
    function : callable
        The work for one item.
    items : iterable
        The items (pairs, triplets of paths, ...).
    jobs : int, optional
        Worker threads (default :func:`simulate.threads.available_threads`); 1 runs every
        call in the calling thread.
    """
    workers = check_jobs(jobs)
    work = list(items)
    if workers == 1 or len(work) <= 1:
        yield from map(function, work)
        return
    pool = ThreadPoolExecutor(max_workers=min(workers, len(work)))
    try:
        futures = [pool.submit(function, item) for item in work]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
