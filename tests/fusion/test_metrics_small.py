"""Metrics on tiny synthetic images, with values derived by hand, and bad-input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fusion.metrics import (
    decision_map_accuracy,
    decision_map_from_fusion,
    fmi,
    phase_congruency,
    psnr,
    psnr_reference,
    qabf,
    qcb,
    qp,
    ssim,
    ssim_reference,
)
from ndtheory.errors import NdcnpInputError

C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
# Where G = g_F saturates the strength sigmoid (every non-zero g >= 10) and A = 1:
# Q = 0.9994 * 0.9879 / (1 + exp(-22 (1 - 0.8))). The "correct" G = 1 would also multiply by
# 1 / (1 + exp(-15 (1 - 0.5))).
QABF_SATURATED = 0.9994 * 0.9879 / (1 + math.exp(-22 * 0.2))


def textured(seed: int, shape=(24, 20)) -> np.ndarray:
    """uint8 image of multiples of 10 in 0..250, with 0 and 250 present."""
    values = np.random.default_rng(seed).integers(0, 26, size=shape) * 10
    values.flat[0], values.flat[1] = 0, 250
    return values.astype(np.uint8)


def constant(value: int, shape=(16, 16)) -> np.ndarray:
    return np.full(shape, value, dtype=np.uint8)


class TestIdenticalInputs:
    image = textured(1)

    def test_qabf_keeps_the_quirk(self):
        assert qabf(self.image, self.image, self.image) == pytest.approx(QABF_SATURATED, abs=1e-12)

    def test_ssim_is_one(self):
        assert ssim(self.image, self.image, self.image) == pytest.approx(1.0, abs=1e-12)
        rgb = np.stack([self.image, self.image[::-1], self.image[:, ::-1]], axis=2)
        assert ssim(rgb, rgb, rgb, variant="luma") == pytest.approx(1.0, abs=1e-12)

    def test_psnr_is_infinite(self):
        assert psnr(self.image, self.image, self.image) == math.inf

    @pytest.mark.parametrize("feature", ["wavelet", "dct", "pixel"])
    def test_fmi_is_one(self, feature):
        # Every window pair is equal, so every window scores exactly 1.
        assert fmi(self.image, self.image, self.image, feature=feature) == 1.0

    def test_qcb_is_one(self):
        # Q_AF = Q_BF = 1 and lambda_A + lambda_B = 1 at every pixel.
        assert qcb(self.image, self.image, self.image) == pytest.approx(1.0, abs=1e-12)


class TestConstantImages:
    def test_ssim_of_constants(self):
        a, b, f = 40, 200, 90
        # sigma terms vanish: each map value is (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1).
        fa = (2 * f * a + C1) / (f * f + a * a + C1)
        fb = (2 * f * b + C1) / (f * f + b * b + C1)
        expected = (fa + fb) / 2
        assert ssim(constant(a), constant(b), constant(f)) == pytest.approx(expected, rel=1e-12)

    def test_psnr_of_constants(self):
        expected = (10 * math.log10(255**2 / 50**2) + 10 * math.log10(255**2 / 110**2)) / 2
        assert psnr(constant(40), constant(200), constant(90)) == pytest.approx(expected, rel=1e-14)

    def test_undefined_scores_are_nan_as_in_the_reference(self):
        # QCB normalises by (max - min) = 0. No pc exceeds 0.1 (the filters have no DC), so QP
        # divides an empty sum by 0. Qabf sees edges at the zero-padded border of a non-zero
        # constant, but an all-black triple has none: 0/0.
        a, b, f = constant(40), constant(200), constant(90)
        assert math.isnan(qcb(a, b, f))
        assert math.isnan(qp(a, b, f))
        black = constant(0)
        assert math.isnan(qabf(black, black, black))

    def test_phase_congruency_of_a_constant_is_zero(self):
        pc, _, _ = phase_congruency(np.full((16, 16), 7.0))
        assert np.all(pc == 0)

    @pytest.mark.parametrize("feature", ["wavelet", "dct", "pixel"])
    def test_fmi_of_equal_constants_is_one(self, feature):
        c = constant(90)
        assert fmi(c, c, c, feature=feature) == 1.0


def test_fmi_of_different_constants_follows_octave_rounding():
    # Every window is flat, so each side compares two uniform pdfs (1/9 each). In exact
    # arithmetic their deviations from the mean vanish, c = 0 and the score is 0. Octave sums
    # left to right: 9 x (1/9) = 1 + 2^-52, so every deviation is the same tiny d != 0, c = 1,
    # phi = 1, and the joint pmf is the comonotone one: MI = H, score 1 per side.
    assert fmi(constant(40), constant(200), constant(90), feature="pixel") == pytest.approx(
        1.0, abs=1e-9
    )


class TestFusedEqualsOneSource:
    a = textured(2)

    def test_qabf_when_the_other_source_is_flat(self):
        # An all-black B has g_B = 0 (even at the zero-padded border): only the A terms count,
        # and each has the saturated Q.
        assert qabf(self.a, constant(0, self.a.shape), self.a) == pytest.approx(
            QABF_SATURATED, abs=1e-12
        )

    def test_psnr_is_infinite(self):
        assert psnr(self.a, textured(3), self.a) == math.inf

    def test_ssim_of_constants(self):
        a, b = 60, 180
        expected = (1 + (2 * a * b + C1) / (a * a + b * b + C1)) / 2
        assert ssim(constant(a), constant(b), constant(a)) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize("feature", ["pixel", "dct", "wavelet"])
    def test_fmi_with_b_a_scaled_copy(self, feature):
        # F = A: the A side is 1. B = A / 2 (exact): B's normalised windows equal A's, so c = 1,
        # phi = 1, the joint pmf is the comonotone one, MI = H, and the B side is 1 too.
        b = self.a // 2
        assert fmi(self.a, b, self.a, feature=feature) == pytest.approx(1.0, abs=1e-9)

    def test_qcb_with_b_a_scaled_copy(self):
        # normalize1 maps A and A / 2 to the same image, so all contrasts agree: QCB = 1.
        assert qcb(self.a, self.a // 2, self.a) == pytest.approx(1.0, abs=1e-12)


class TestGroundTruth:
    def test_psnr_reference(self):
        assert psnr_reference(constant(90), constant(100)) == pytest.approx(
            10 * math.log10(255**2 / 100), rel=1e-14
        )

    def test_ssim_reference_of_identical_is_one(self):
        image = textured(4)
        assert ssim_reference(image, image) == pytest.approx(1.0, abs=1e-12)

    def test_decision_map_accuracy(self):
        dm = np.array([[1, 0], [1, 1]])
        mask = np.array([[1, 1], [1, 0]], dtype=bool)
        assert decision_map_accuracy(dm, mask) == 0.5
        assert decision_map_accuracy(dm, mask, valid=np.array([[1, 1], [0, 0]], bool)) == 0.5
        assert decision_map_accuracy(dm.astype(float) * 0.9, mask, valid=[[1, 0], [0, 0]]) == 1.0

    def test_decision_map_from_fusion(self):
        a = np.array([[1, 2], [3, 4]], np.uint8)
        b = np.array([[1, 9], [8, 7]], np.uint8)
        f = np.array([[1, 2], [8, 4]], np.uint8)
        dm, valid = decision_map_from_fusion(a, b, f)
        np.testing.assert_array_equal(valid, [[False, True], [True, True]])
        np.testing.assert_array_equal(dm, [[False, True], [False, True]])
        truth = np.array([[1, 1], [0, 0]])  # wrong only at (1, 1)
        assert decision_map_accuracy(dm, truth, valid=valid) == pytest.approx(2 / 3)
        with pytest.raises(NdcnpInputError, match="neither source"):
            decision_map_from_fusion(a, b, np.array([[1, 2], [5, 4]], np.uint8))

    def test_decision_map_errors(self):
        with pytest.raises(NdcnpInputError, match="must match"):
            decision_map_accuracy(np.ones((2, 2)), np.ones((2, 3)))
        with pytest.raises(NdcnpInputError, match=r"\[0, 1\]"):
            decision_map_accuracy(np.full((2, 2), 2.0), np.ones((2, 2)))


METRICS = [qabf, fmi, ssim, psnr, qp, qcb]


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
class TestBadInput:
    good = textured(5, (8, 8))

    def check(self, metric, a, b, f, match):
        with pytest.raises(NdcnpInputError, match=match) as info:
            metric(a, b, f)
        assert "\n" not in str(info.value)

    def test_shapes_differ(self, metric):
        self.check(metric, self.good, self.good[:, :7], self.good, "same shape")

    def test_nan(self, metric):
        bad = self.good.astype(float)
        bad[2, 3] = np.nan
        self.check(metric, self.good, self.good, bad, "NaN")

    def test_empty(self, metric):
        self.check(metric, np.zeros((0, 5), np.uint8), self.good, self.good, "empty")

    def test_four_channels(self, metric):
        self.check(metric, self.good, self.good, np.zeros((8, 8, 4), np.uint8), r"\(M, N, 3\)")

    def test_mixed_bit_depths(self, metric):
        self.check(metric, self.good, self.good.astype(np.uint16), self.good, "16-bit")

    def test_signed_integers(self, metric):
        self.check(metric, self.good.astype(np.int32), self.good, self.good, "uint8, uint16")


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.__name__)
def test_grey_and_rgb_mixed_are_scored_on_grey(metric):
    rgb = np.stack([textured(7, (12, 12)), textured(8, (12, 12)), textured(9, (12, 12))], axis=2)
    grey_a = textured(10, (12, 12))
    from fusion.images import rgb2gray

    assert metric(grey_a, rgb, rgb) == metric(grey_a, rgb2gray(rgb), rgb2gray(rgb))


def test_fmi_rejects_unknown_feature():
    image = textured(6, (8, 8))
    with pytest.raises(NdcnpInputError, match="feature"):
        fmi(image, image, image, feature="edge")


def test_fmi_pixel_needs_3x3():
    image = textured(6, (2, 8))
    with pytest.raises(NdcnpInputError, match="3 x 3"):
        fmi(image, image, image, feature="pixel")


def test_ssim_rejects_unknown_variant():
    image = textured(6, (8, 8))
    with pytest.raises(NdcnpInputError, match="variant"):
        ssim(image, image, image, variant="rgb")


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_evaluate_pair_equals_each_metric_on_the_colour_images(dtype):
    # evaluate_pair converts to grey once and passes grey to five metrics; each must give
    # exactly what it gives on the colour images (its own rgb2gray), for 8- and 16-bit.
    from fusion import metrics
    from fusion.evaluate import evaluate_pair

    rng = np.random.default_rng(7)
    top = np.iinfo(dtype).max
    a, b = (rng.integers(0, top, (24, 27, 3), endpoint=True).astype(dtype) for _ in range(2))
    f = np.where(rng.random((24, 27, 1)) < 0.5, a, b)
    row = evaluate_pair(a, b, f)
    assert row["Qabf"] == metrics.qabf(a, b, f)
    assert row["FMIw"] == metrics.fmi(a, b, f, feature="wavelet")
    assert row["SSIM"] == metrics.ssim(a, b, f, variant="grey")
    assert row["QP"] == metrics.qp(a, b, f)
    assert row["QCB"] == metrics.qcb(a, b, f)
