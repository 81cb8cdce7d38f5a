"""Worker counts come from the CPUs this process may use, or from NDCNP_THREADS."""

from __future__ import annotations

import os

import pytest

from ndtheory.errors import NdcnpInputError
from simulate.threads import available_threads


def test_default_is_the_cpus_this_process_may_run_on(monkeypatch):
    monkeypatch.delenv("NDCNP_THREADS", raising=False)
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5, 7})
        assert available_threads() == 3
    else:  # pragma: no cover - macOS, Windows
        assert available_threads() == (os.cpu_count() or 1)


def test_environment_variable_overrides(monkeypatch):
    monkeypatch.setenv("NDCNP_THREADS", "5")
    assert available_threads() == 5


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5"])
def test_bad_environment_variable_is_one_line_error(monkeypatch, text):
    monkeypatch.setenv("NDCNP_THREADS", text)
    with pytest.raises(NdcnpInputError, match="NDCNP_THREADS must be a positive integer"):
        available_threads()
