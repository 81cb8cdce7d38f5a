"""The pieces of ``ndcnp paper`` and the baselines, against hand derivations (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from fusion.baselines import box_choice, oracle_choice
from fusion.paper import continuous_share, grey_inputs, kernel_operations
from fusion.study import choice_at_radius
from ndtheory.errors import NdcnpInputError


def test_kernel_operations_count_eq7_by_hand():
    # Eq. (7): U = alpha U + I + K (1 mul, 2 add), V = beta V + K (1 mul, 1 add),
    # T = gamma T + lam P (2 mul, 1 add), firing U (1 + V) > T (1 mul, 1 add, 1 comparison),
    # K over the 3x3 W with zero centre: 8 additions of the weights of neighbours that fired.
    assert kernel_operations() == {"ADD": 5 + 8, "MUL": 5, "CMP": 1}


def test_continuous_share_counts_neurons_firing_at_every_step_after_the_first():
    counts = np.array([[110, 109], [108, 0]])
    assert continuous_share(counts, 110) == 0.5


def test_box_choice_of_side_one_is_the_pixelwise_modified_laplacian():
    # One white pixel in A: its modified Laplacian (grey in [0, 1]) is |2 - 0 - 0| * 2 = 4 there
    # and 1 at its four row and column neighbours, 0 elsewhere; B is flat, 0 everywhere.
    a = np.zeros((5, 5), dtype=np.uint8)
    a[2, 2] = 255
    b = np.zeros_like(a)
    plus = np.zeros((5, 5), dtype=bool)
    plus[2, 1:4] = plus[1:4, 2] = True
    np.testing.assert_array_equal(box_choice([a, b], 1), np.where(plus, 0, 1))
    # A 3x3 box reaches one pixel further: every pixel within a 3x3 box of the plus shape.
    grown = np.zeros((5, 5), dtype=bool)
    grown[1:4, 0:5] = grown[0:5, 1:4] = True
    np.testing.assert_array_equal(box_choice([a, b], 3), np.where(grown, 0, 1))
    with pytest.raises(NdcnpInputError, match="odd"):
        box_choice([a, b], 4)


def test_oracle_takes_the_source_nearer_the_ground_truth_and_b_on_ties():
    gt = np.array([[10, 10, 10]], dtype=np.uint8)
    a = np.array([[10, 30, 20]], dtype=np.uint8)
    b = np.array([[40, 11, 0]], dtype=np.uint8)
    assert oracle_choice(a, b, gt).tolist() == [[0, 1, 1]]


def test_choice_at_radius_zero_compares_counts_pixelwise_ties_to_b():
    counts = np.array([[[3, 1, 2]], [[1, 1, 5]]])
    assert choice_at_radius(counts, 0).tolist() == [[0, 1, 1]]


def test_grey_inputs_are_the_unit_range_grey_image():
    image = np.full((2, 2, 3), 255, dtype=np.uint8)
    (grey,) = grey_inputs([image])
    np.testing.assert_array_equal(grey, np.ones((2, 2)))


def test_ground_truth_study_scores_the_oracle_perfectly(tmp_path):
    from fusion.images import write_png
    from fusion.study import dataset_pairs, ground_truth_study
    from fusion.synthetic import focus_mask, multifocus_pair, sample_image

    sharp = sample_image()[:120, :150]
    a, b = multifocus_pair(sharp, focus_mask(sharp.shape[:2]), sigma=2.5)
    for folder, image in (("a", a), ("b", b), ("gt", sharp)):
        (tmp_path / "mf-voc" / folder).mkdir(parents=True)
        write_png(tmp_path / "mf-voc" / folder / "1.png", image)
    table = ground_truth_study(dataset_pairs(tmp_path, "mf-voc"), (16, "auto"), boxes=(7,))
    assert set(table) == {"r=16", "r=auto", "box 7", "oracle"}
    # 120 rows: r = 120 / 50 rounded = 2; the oracle picks the nearer source at every pixel.
    assert table["r=auto"][0]["radius"] == 2
    assert table["oracle"][0]["accuracy_gt"] == 1.0
    assert table["oracle"][0]["PSNR_gt"] >= max(row[0]["PSNR_gt"] for row in table.values())
