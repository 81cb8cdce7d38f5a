"""The paper's six fusion quality metrics, equal to the authors' own MATLAB evaluation.

Each metric takes ``(source_a, source_b, fused)``: arrays of one shape, (M, N) grey or (M, N, 3)
RGB, uint8 (the paper's case), uint16, or floating grey levels on the 0-255 scale. Metrics on
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
