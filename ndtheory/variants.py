"""The three shipped variants besides ND-CNP, by name: classic CNP, DTNP and PCNN.

They are declared as data in ``ndtheory/models/{cnp-classic,dtnp,pcnn}.toml`` (each file's
comments give its equations and sources) and registered in :data:`ndtheory.spec.MODELS`;
this module only names them, for code that imports them from here.
"""

from __future__ import annotations

from ndtheory.spec import CNP_CLASSIC, DTNP, PCNN, NeuronModel

__all__ = ["CNP_CLASSIC", "DTNP", "PCNN", "VARIANTS"]

VARIANTS: tuple[NeuronModel, ...] = (CNP_CLASSIC, DTNP, PCNN)
"""The variants, in the order of issue 8."""
