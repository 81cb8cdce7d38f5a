"""fusion.percentile.percentile is np.percentile's float, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import fusion.percentile
from fusion.percentile import percentile

# Few distinct values (ties, as the Laplacian of 8-bit images has), zeros, wide ranges.
VALUES = st.one_of(
    st.sampled_from([0.0, 0.25, 1.0, 3.5]),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(-1e300, 1e300, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(
    values=arrays(np.float64, st.integers(1, 400), elements=VALUES),
    q=st.one_of(st.floats(0, 100), st.sampled_from([0.0, 50.0, 99.0, 99.9, 100.0])),
    sample=st.integers(1, 64),
)
def test_equals_np_percentile(values, q, sample):
    expected = float(np.percentile(values, q))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fusion.percentile, "SAMPLE_SIZE", sample)  # sparse samples misjudge
        assert percentile(values, q) == expected


def test_a_fusion_sized_input_takes_the_tail_and_agrees():
    rng = np.random.default_rng(0)
    values = np.round(rng.gamma(0.5, 0.02, (1000, 1500)), 4)  # heavy-tailed, many ties
    calls = []
    original = np.partition

    def spy(a, kth, **kwargs):
        calls.append(a.size)
        return original(a, kth, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(np, "partition", spy)
        ours = percentile(values, 99.9)
    assert ours == float(np.percentile(values, 99.9))
    assert calls and max(calls) < values.size // 50  # only the tail was partitioned


@pytest.mark.parametrize(
    "values",
    [np.array([1.0, np.nan, 2.0]), np.arange(10, dtype=np.int64), np.empty(0), np.ones((3, 4))],
)
def test_other_inputs_are_np_percentiles(values):
    if values.size == 0:
        with pytest.raises(IndexError):
            np.percentile(values, 50)
        return
    expected = float(np.percentile(values, 99.9))
    got = percentile(values, 99.9)
    assert got == expected or (np.isnan(got) and np.isnan(expected))
