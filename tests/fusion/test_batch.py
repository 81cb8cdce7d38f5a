"""fusion.batch.in_order: every item's result, in the items' order, for any number of jobs."""

from __future__ import annotations

import threading
import time

import pytest

from fusion.batch import check_jobs, in_order
from ndtheory.errors import NdcnpInputError


def test_results_come_in_item_order_even_when_later_items_finish_first():
    def slow_first(k: int) -> int:
        time.sleep(0.02 * (5 - k))  # item 0 finishes last
        return k * k

    assert list(in_order(slow_first, range(5), jobs=5)) == [0, 1, 4, 9, 16]


def test_several_jobs_use_several_threads_and_one_job_the_caller():
    seen: set[int] = set()
    barrier = threading.Barrier(2, timeout=5)

    def record(k: int) -> int:
        seen.add(threading.get_ident())
        barrier.wait()  # only returns once two calls run at the same time
        return k

    assert list(in_order(record, range(2), jobs=2)) == [0, 1]
    assert len(seen) == 2
    assert (
        list(in_order(lambda k: threading.get_ident(), range(3), jobs=1))
        == [threading.get_ident()] * 3
    )


def test_an_error_is_raised_and_later_items_are_not_started():
    started = []

    def fail_on_one(k: int) -> int:
        started.append(k)
        if k == 1:
            raise NdcnpInputError("bad pair")
        time.sleep(0.05)
        return k

    with pytest.raises(NdcnpInputError, match="bad pair"):
        list(in_order(fail_on_one, range(50), jobs=2))
    assert len(started) < 50


@pytest.mark.parametrize("jobs", [0, -1, True, 2.0])
def test_jobs_must_be_a_positive_integer(jobs):
    with pytest.raises(NdcnpInputError, match="--jobs must be an integer >= 1"):
        check_jobs(jobs)
