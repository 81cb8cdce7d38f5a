"""Where the shipped neuron models are declared: ``ndtheory/models/*.toml`` (package data).

A leaf without SymPy, so that code which needs only a file (its hash, its parameter
ranges) need not parse the models; :mod:`ndtheory.spec` parses them.
"""

from __future__ import annotations

from pathlib import Path

MODEL_NAMES: tuple[str, ...] = ("nd-cnp", "cnp-classic", "dtnp", "pcnn")
"""The shipped models, in the order of issue 8; each is declared in ``models/NAME.toml``."""

MODEL_FILES: tuple[Path, ...] = tuple(
    Path(__file__).with_name("models") / f"{name}.toml" for name in MODEL_NAMES
)
"""The shipped declarations, in the order of :data:`MODEL_NAMES`."""
