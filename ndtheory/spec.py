"""The shipped neuron models, each declared once as data in ``ndtheory/models/*.toml``.

Every consumer reads the declarations here: :mod:`ndtheory` derives closed forms
from them and :mod:`simulate` generates its update code from them. No update
equation is written anywhere else. The classes they are values of live in
:mod:`ndtheory.model` (re-exported here); :mod:`ndtheory.modelfile` reads the files.

A new variant is another TOML file (or another :class:`NeuronModel` value); no code
path changes. ``docs/audit.md`` documents the format.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Sections 3.1-3.2.
"""

from __future__ import annotations

from ndtheory.model import (
    RESERVED,
    SEMANTICS,
    SUM_W,
    I,
    K,
    NeuronModel,
    P,
    Parameter,
    Semantics,
    Unit,
    check_name,
)
from ndtheory.modelfile import load_model
from ndtheory.shipped import MODEL_FILES

__all__ = [
    "CNP_CLASSIC",
    "DTNP",
    "MODELS",
    "MODEL_FILES",
    "ND_CNP",
    "PAPER_EXAMPLE",
    "PAPER_W",
    "PCNN",
    "RESERVED",
    "SEMANTICS",
    "SUM_W",
    "I",
    "K",
    "NeuronModel",
    "P",
    "Parameter",
    "Semantics",
    "Unit",
    "check_name",
]

MODELS: dict[str, NeuronModel] = {m.name: m for m in map(load_model, MODEL_FILES)}
"""Every shipped model by name."""

ND_CNP: NeuronModel = MODELS["nd-cnp"]
"""The ND-CNP neuron of [1]_: Eqs. (1)-(3) with Eq. (7)'s linear decay."""
CNP_CLASSIC: NeuronModel = MODELS["cnp-classic"]
"""Classic CNP neuron: Eqs. (1)-(3) of [1]_ read literally (constant spike consumption)."""
DTNP: NeuronModel = MODELS["dtnp"]
"""Dynamic threshold neural P neuron, in its intersecting-cortical-model form."""
PCNN: NeuronModel = MODELS["pcnn"]
"""The classic Eckhorn/Johnson PCNN neuron with a lagged threshold unit."""

PAPER_EXAMPLE: dict[str, float] = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
"""The parameter set of the paper's worked example (Eq. (18))."""
PAPER_W: tuple[float, ...] = (0.1, 0.5, 0.0, 0.5, 0.1)
"""The paper's example W; it only enters through ``sum(W) = 1.2``."""
