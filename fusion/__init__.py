"""ND-CNPFuse multi-focus image fusion and the paper's quality metrics."""
