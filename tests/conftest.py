"""Shared test configuration: Hypothesis profiles, the dataset fixture, a headless backend."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# numba compiles on first call, so no profile sets a deadline.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The datasets folder from ``NDCNP_DATA``; skips the test when it is absent."""
    root = os.environ.get("NDCNP_DATA")
    if not root:
        pytest.skip("NDCNP_DATA is not set; the dataset tests need ../shared/data")
    path = Path(root)
    if not path.is_dir():
        pytest.skip(f"NDCNP_DATA={root} is not a directory")
    return path
