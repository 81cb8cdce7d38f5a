"""Decision accuracy against an all-in-focus ground truth (issue 18 item 3), by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fusion.metrics import accuracy_against_gt, clearly_nearer
from ndtheory.errors import NdcnpInputError

# Grey 2x2, by hand: d_A = |A - GT| = [[0, 90], [0, 1]], d_B = [[90, 0], [0, 3]];
# |d_A - d_B| = [[90, 90], [0, 2]], so with the 2-level margin only the top row is clear
# (2 is not > 2); A is nearer at (0, 0), B at (0, 1).
A = np.array([[10, 100], [50, 50]], dtype=np.uint8)
B = np.array([[100, 10], [50, 54]], dtype=np.uint8)
GT = np.array([[10, 10], [50, 51]], dtype=np.uint8)


def test_clear_pixels_and_nearer_source_by_hand():
    a_nearer, clear = clearly_nearer(A, B, GT)
    assert clear.tolist() == [[True, True], [False, False]]
    assert a_nearer[clear].tolist() == [True, False]


def test_accuracy_counts_the_clear_pixels_only():
    # Takes A everywhere: right at (0, 0), wrong at (0, 1); the bottom row is not scored.
    assert accuracy_against_gt(A, B, A, GT) == 0.5
    assert accuracy_against_gt(A, B, B, GT) == 0.5
    oracle = np.array([[10, 10], [0, 255]], dtype=np.uint8)
    assert accuracy_against_gt(A, B, oracle, GT) == 1.0


def test_a_fused_pixel_equally_near_both_sources_is_wrong():
    halfway = np.array([[55, 55], [50, 50]], dtype=np.uint8)
    assert accuracy_against_gt(A, B, halfway, GT) == 0.0


def test_rgb_margin_is_summed_over_channels_and_scaled_to_16_bit():
    # d_A - d_B = 7 (2 + 2 + 3 levels) is clear; 6 (2 + 2 + 2) is not.
    gt = np.zeros((1, 2, 3), dtype=np.uint8)
    a = gt.copy()
    b = np.array([[[2, 2, 3], [2, 2, 2]]], dtype=np.uint8)
    assert clearly_nearer(a, b, gt)[1].tolist() == [[True, False]]
    # 16 bit: the margin is 2 * 257 per channel (2 of 255 levels of the 0-65535 range).
    b16 = b.astype(np.uint16) * 257
    assert clearly_nearer(a.astype(np.uint16), b16, gt.astype(np.uint16))[1].tolist() == [
        [True, False]
    ]


def test_no_clear_pixel_gives_nan_and_bad_input_is_refused():
    assert math.isnan(accuracy_against_gt(A, A, A, GT))
    with pytest.raises(NdcnpInputError, match="margin"):
        clearly_nearer(A, B, GT, margin=-1)
    with pytest.raises(NdcnpInputError, match="shape"):
        accuracy_against_gt(A, B, A[:1], GT)
