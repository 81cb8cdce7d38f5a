"""data_range: given, or inferred from the dtype only (uint8 255, uint16 65535, float 1.0)."""

from __future__ import annotations

import numpy as np
import pytest

from fusion import metrics
from ndtheory.errors import NdcnpInputError

TRIPLET_METRICS = {
    "Qabf": metrics.qabf,
    "FMIw": metrics.fmi,
    "SSIM": metrics.ssim,
    "PSNR": metrics.psnr,
    "QP": metrics.qp,
    "QCB": metrics.qcb,
}


def _triplet(dtype=np.uint8, shape=(24, 28, 3)):
    rng = np.random.default_rng(21)
    top = np.iinfo(dtype).max
    a = rng.integers(0, top, shape, endpoint=True).astype(dtype)
    b = ((a.astype(np.int64) + np.roll(a, 1, 0)) // 2).astype(dtype)
    f = a.copy()
    f[:, 14:] = b[:, 14:]
    return a, b, f


def test_psnr_of_floats_in_unit_range_by_hand():
    # MSE = 0.1^2 against a peak of 1: 10 log10(1 / 0.01) = 20 dB for each source.
    zero = np.zeros((4, 5))
    assert metrics.psnr(zero, zero, np.full((4, 5), 0.1)) == pytest.approx(20.0, abs=1e-12)
    # The same floats read on the 0-255 scale: 10 log10(255^2 / 0.01).
    assert metrics.psnr(zero, zero, np.full((4, 5), 0.1), data_range=255) == pytest.approx(
        10 * np.log10(255**2 / 0.01), abs=1e-12
    )


@pytest.mark.parametrize("name", sorted(TRIPLET_METRICS))
def test_unit_range_floats_score_as_the_uint8_images_they_scale(name):
    metric = TRIPLET_METRICS[name]
    # Grey: integer RGB is rounded to grey (MATLAB rgb2gray on uint8) and float RGB is not.
    images = _triplet(shape=(24, 28))
    as_uint8 = metric(*images)
    # x / 255 with L = 1 is the uint8 image with L = 255; only rounding may differ.
    assert metric(*(im / 255.0 for im in images)) == pytest.approx(as_uint8, rel=1e-9, abs=1e-9)
    # Floats on the 0-255 scale with data_range=255 are the uint8 case itself.
    assert metric(*(im.astype(np.float64) for im in images), data_range=255) == pytest.approx(
        as_uint8, rel=1e-12, abs=1e-12
    )
    assert metric(*images, data_range=255) == as_uint8


@pytest.mark.parametrize("name", sorted(TRIPLET_METRICS))
def test_floats_outside_the_unit_range_are_refused_in_one_sentence(name):
    images = [im.astype(np.float64) for im in _triplet()]  # 0-255 floats, no data_range
    with pytest.raises(ValueError, match=r"values outside \[0, 1\].*need data_range=255") as info:
        TRIPLET_METRICS[name](*images)
    assert isinstance(info.value, NdcnpInputError)
    assert str(info.value).count(". ") == 0 and "\n" not in str(info.value)


def test_uint16_infers_65535():
    a, b, f = _triplet(np.uint16)
    assert metrics.ssim(a, b, f) == metrics.ssim(a, b, f, data_range=65535)
    # A uint16 image read as if its peak were 2 * 65535 is darker: PSNR rises by 20 log10(2).
    assert metrics.psnr(a, b, f, data_range=2 * 65535) == pytest.approx(
        metrics.psnr(a, b, f) + 20 * np.log10(2), abs=1e-9
    )


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), float("nan")])
def test_data_range_must_be_positive_and_finite(bad):
    with pytest.raises(NdcnpInputError, match="data_range must be a finite number > 0"):
        metrics.psnr(*_triplet(), data_range=bad)


def test_reference_metrics_take_data_range():
    a, _, f = _triplet(shape=(24, 28))
    assert metrics.psnr_reference(f / 255.0, a / 255.0) == pytest.approx(
        metrics.psnr_reference(f, a), abs=1e-9
    )
    assert metrics.ssim_reference(f / 255.0, a / 255.0) == pytest.approx(
        metrics.ssim_reference(f, a), abs=1e-9
    )
