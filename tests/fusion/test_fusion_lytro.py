"""Agreement with the authors' published Lytro fusions (issue 6); needs NDCNP_DATA."""

from __future__ import annotations

import numpy as np
import pytest

from fusion.images import read_image
from fusion.pipeline import fuse
from fusion.radius import PAPER_RADIUS
from fusion.reproduce import agreement

# Measured with the default rule and window (the diamond), at the paper's r = 16, by
# `ndcnp reproduce`
# (docs/reproduction.md): 1: 99.030%, 5: 97.153%, 10: 99.689%, 17: 98.161% (the disk gave
# 98.70, 96.74, 99.60, 98.24; the square 98.27, 96.02, 99.49, 98.22; round 1's rule 98.21, 92.86,
# 99.44, 93.52). The floor leaves room for rounding only.
SUBSET = {"1": 0.99030, "5": 0.97152, "10": 0.99689, "17": 0.98160}


@pytest.mark.needs_data
@pytest.mark.slow
def test_lytro_subset_agreement_does_not_regress(data_dir):
    lytro = data_dir / "lytro"
    got = {}
    for stem in SUBSET:
        far = read_image(lytro / "far" / f"{stem}.jpg")
        near = read_image(lytro / "near" / f"{stem}.jpg")
        ref = read_image(lytro / "reference" / f"{stem}.png")
        result = fuse([far, near], radius=PAPER_RADIUS)
        got[stem] = agreement(far, near, ref, result.fused, result.decision_map == 1).decision
    for stem, floor in SUBSET.items():
        assert got[stem] >= floor - 5e-5, (stem, got[stem])
    assert np.mean(list(got.values())) >= np.mean(list(SUBSET.values())) - 5e-5
