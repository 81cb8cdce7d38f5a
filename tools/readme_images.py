"""Write the README's pictures of the demo pair into docs/img/ (small PNGs).

    python tools/readme_images.py

- ``demo_decision_map.png``: ND-CNPFuse's decision map of the built-in pair (white = source
  A), with the pixels where it disagrees with the ground-truth mask in red;
- ``demo_fused.png``: the fused image, halved in each direction.

The Fig. 2 and regime pictures come from ``ndcnp simulate fig2 -o docs/img/fig2.png`` and
``ndcnp simulate regime -o docs/img/regime_map.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fusion.demo import DEMO_SIGMA  # noqa: E402
from fusion.pipeline import fuse  # noqa: E402
from fusion.radius import PAPER_RADIUS  # noqa: E402
from fusion.synthetic import focus_mask, multifocus_pair, sample_image  # noqa: E402
from simulate.outputs import atomic_write  # noqa: E402


def main() -> int:
    image = sample_image()
    mask = focus_mask(image.shape[:2])
    a, b = multifocus_pair(image, mask, sigma=DEMO_SIGMA)
    result = fuse([a, b], radius=PAPER_RADIUS)  # the demo's (and the paper's) r = 16
    dm = result.decision_map.astype(bool)
    picture = np.where(dm[..., None], 255, 0).astype(np.uint8).repeat(3, axis=2)
    picture[dm != mask] = (230, 30, 30)
    half = Image.fromarray(result.fused).resize(
        (image.shape[1] // 2, image.shape[0] // 2), Image.Resampling.LANCZOS
    )
    out = ROOT / "docs" / "img"
    atomic_write(
        out / "demo_decision_map.png",
        lambda tmp: Image.fromarray(picture).save(tmp, format="PNG", optimize=True),
    )
    atomic_write(out / "demo_fused.png", lambda tmp: half.save(tmp, format="PNG", optimize=True))
    for name in ("demo_decision_map.png", "demo_fused.png"):
        print(f"wrote docs/img/{name} ({(out / name).stat().st_size // 1024} kB)")
    print(f"decision-map accuracy: {100 * np.mean(dm == mask):.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
