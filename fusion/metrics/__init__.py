"""The paper's six fusion quality metrics, equal to the authors' own MATLAB evaluation.

Each metric takes ``(source_a, source_b, fused)``: arrays of one shape, (M, N) grey or (M, N, 3)
RGB, uint8 (the paper's case), uint16 or floating. The peak value L (``data_range``) is given,
or inferred from the dtype only: 255 for uint8, 65535 for uint16, 1.0 for floating, whose
values must then lie in [0, 1] (a ValueError says so otherwise). Metrics on
grey images convert RGB with MATLAB ``rgb2gray``; PSNR uses the colour images and
``ssim(..., variant="luma")`` the ``rgb2ycbcr`` luma. Definitions: ``docs/metrics.md``.
"""

from fusion.metrics.fmi import fmi
from fusion.metrics.groundtruth import (
    accuracy_against_gt,
    clearly_nearer,
    decision_map_accuracy,
    decision_map_from_fusion,
)
from fusion.metrics.psnr import psnr, psnr_reference
from fusion.metrics.qabf import qabf
from fusion.metrics.qcb import qcb
from fusion.metrics.qp import phase_congruency, qp
from fusion.metrics.ssim import ssim, ssim_reference

__all__ = [
    "accuracy_against_gt",
    "clearly_nearer",
    "decision_map_accuracy",
    "decision_map_from_fusion",
    "fmi",
    "phase_congruency",
    "psnr",
    "psnr_reference",
    "qabf",
    "qcb",
    "qp",
    "ssim",
    "ssim_reference",
]
