"""A model's printed update step, without SymPy: what the engines run, and its disk cache.

:func:`simulate.codegen.print_model` prints a :class:`~ndtheory.spec.NeuronModel`
(SymPy) into a :class:`PrintedModel`: plain strings of Python source and the
parameter ranges. That is all the engines read, so a printed model can be stored
and read back without SymPy. :func:`printed_model` does so for the shipped models
(``ndtheory/models/*.toml``): the first run prints a model and writes the result
to ``<kernel cache>/printed/``, named by a hash of the model file's text, the
semantics and the code generator's source (:func:`printer_digest`); later runs
read that file back, so ``ndcnp fuse`` imports no SymPy. A changed model file or
code generator gives a new name, so the cache can never serve a stale print; the
model file stays the one declaration.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

import numpy as np

from ndtheory.errors import NdcnpInputError
from ndtheory.parameter import Parameter, validate_values
from ndtheory.shipped import MODEL_FILES, MODEL_NAMES

if TYPE_CHECKING:
    from ndtheory.spec import NeuronModel

NUMPY_NAMESPACE: dict[str, Callable[..., Any]] = {
    "where": np.where,
    "power": np.power,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "Abs": np.abs,
    "Min": np.minimum,
    "Max": np.maximum,
    "tanh": np.tanh,
}
"""What the printed names mean when the reference evaluates them on arrays."""

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
"""The firing comparison by its printed operator."""


@dataclass(frozen=True, eq=False)
class PrintedModel:
    """A model's update step as Python source over engine-neutral names.

    Compared and hashed by identity: :func:`simulate.codegen.print_model` and
    :func:`printed_model` return one per ``(model, semantics)``.

    Attributes
    ----------
    name : str
        The model's name.
    semantics : str
        ``"decay"`` or ``"decay-on-fire"``.
    declared : tuple of Parameter
        The model's parameters, in declaration order, with their ranges.
    input_parameter : Parameter
        The external input's range.
    units : tuple of str
        Unit names in declaration order.
    updates : dict of str to str
        Each unit's value at step ``t`` over step ``t - 1`` values (``P`` the
        neuron's own spike, ``K`` the coupling input, ``I`` the external input).
    fire_lhs, fire_op, fire_rhs : str
        The firing condition ``lhs op rhs`` over the new unit values.
    parameters : tuple of str
        Parameter names that appear directly in the sources.
    constants : dict of str to str
        Parameter-only subexpressions, named ``_c0, _c1, ...`` in the sources,
        each as source over the parameters.
    initial : dict of str to str
        Each unit's value at ``t = 0`` as source over the parameters.
    fire_lhs_label, fire_rhs_label : str
        The two sides of the firing condition as SymPy prints them, e.g. ``U*(V + 1)``.
    """

    name: str
    semantics: str
    declared: tuple[Parameter, ...]
    input_parameter: Parameter
    units: tuple[str, ...]
    updates: dict[str, str]
    fire_lhs: str
    fire_op: str
    fire_rhs: str
    parameters: tuple[str, ...]
    constants: dict[str, str]
    initial: dict[str, str]
    fire_lhs_label: str
    fire_rhs_label: str

    def validate(self, params: Mapping[str, float]) -> dict[str, float]:
        """The model's parameter values as floats, checked against their ranges
        (as :meth:`ndtheory.model.NeuronModel.validate`)."""
        return validate_values(self.name, self.declared, params)

    @functools.cached_property
    def _parameter_code(self) -> dict[str, CodeType]:
        sources = {**{f"const:{k}": v for k, v in self.constants.items()}}
        sources.update({f"init:{k}": v for k, v in self.initial.items()})
        return {k: compile(v, f"<{self.name}:{k}>", "eval") for k, v in sources.items()}

    def _evaluate(self, kind: str, names: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        scope = {p.name: params[p.name] for p in self.declared}
        code = self._parameter_code
        return {k: eval(code[f"{kind}:{k}"], dict(NUMPY_NAMESPACE), scope) for k in names}

    def constant_values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Evaluate the constants for validated parameter values (floats or arrays)."""
        return self._evaluate("const", self.constants, params)

    def initial_values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Unit values at ``t = 0`` from the model's declared initial expressions."""
        return self._evaluate("init", self.initial, params)

    @functools.cached_property
    def code(self) -> dict[str, CodeType]:
        """Compiled code objects of the sources, for :func:`eval` in the reference."""
        sources = dict(self.updates, fire_lhs=self.fire_lhs, fire_rhs=self.fire_rhs)
        return {k: compile(v, f"<{self.name}:{k}>", "eval") for k, v in sources.items()}

    def to_json(self) -> str:
        """The fields as JSON text (:func:`from_json` reads it back)."""
        return json.dumps(asdict(self), indent=1, sort_keys=True)


def from_json(text: str) -> PrintedModel:
    """The :class:`PrintedModel` of :meth:`PrintedModel.to_json`'s text."""
    fields = json.loads(text)
    fields["declared"] = tuple(_parameter(p) for p in fields["declared"])
    fields["input_parameter"] = _parameter(fields["input_parameter"])
    for key in ("units", "parameters"):
        fields[key] = tuple(fields[key])
    return PrintedModel(**fields)


def _parameter(fields: dict[str, Any]) -> Parameter:
    typical = fields.pop("typical")
    return Parameter(**fields, typical=None if typical is None else tuple(typical))


def printer_digest() -> str:
    """A hash of the code generator's source: a new printer makes every stored print stale."""
    digest = hashlib.sha256()
    for module in ("codegen.py", "printed.py"):
        digest.update(Path(__file__).with_name(module).read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    """Where generated kernel modules and numba's compiled code are kept.

    ``NDCNP_KERNEL_CACHE`` if set, else ``$XDG_CACHE_HOME/ndcnp/kernels`` (default
    ``~/.cache/ndcnp/kernels``); ``None`` if it cannot be created or written.
    Printed models go to its ``printed`` folder.
    """
    root = os.environ.get("NDCNP_KERNEL_CACHE")
    path = (
        Path(root)
        if root
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ndcnp" / "kernels"
    )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def stored_print_path(path: str | os.PathLike, semantics: str) -> Path | None:
    """The cache file for the model file at ``path`` under ``semantics`` (None: no cache)."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256()
    for part in (Path(path).read_bytes(), semantics.encode(), printer_digest().encode()):
        digest.update(hashlib.sha256(part).digest())
    return folder / "printed" / f"{Path(path).stem}-{digest.hexdigest()[:24]}.json"


@functools.cache
def _shipped(name: str, semantics: str) -> PrintedModel:
    path = MODEL_FILES[MODEL_NAMES.index(name)]
    stored = stored_print_path(path, semantics)
    if stored is not None:
        try:
            return from_json(stored.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not printed yet, or unreadable: print it again
    from ndtheory.spec import MODELS  # SymPy: only when the stored print is missing
    from simulate.codegen import print_model

    printed = print_model(MODELS[name], MODELS[name].check_semantics(semantics))
    if stored is not None:
        try:
            stored.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{stored.name}.", dir=stored.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(printed.to_json())
            os.replace(tmp, stored)
        except OSError:
            pass  # a read-only cache: print again next time
    return printed


def printed_model(model: NeuronModel | str, semantics: str) -> PrintedModel:
    """The printed update step of ``model`` under ``semantics``.

    Parameters
    ----------
    model : NeuronModel or str
        A declared model, or the name of a shipped one (``"nd-cnp"``, ...), which is
        read from the cache of printed models when it is there (no SymPy).
    semantics : str
        One of the model's semantics.

    Raises
    ------
    NdcnpInputError
        For an unknown model name or semantics the model lacks.
    """
    if isinstance(model, str):
        if model not in MODEL_NAMES:
            raise NdcnpInputError(f"model must be one of {', '.join(MODEL_NAMES)}; got {model!r}")
        # An unknown semantics has no stored print; print_model then refuses it.
        return _shipped(model, semantics)
    from simulate.codegen import print_model

    return print_model(model, model.check_semantics(semantics))
