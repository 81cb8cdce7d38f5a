"""Generated code never collides with a model's names (issue 14, item 3).

The compiled engines wrap each model's printed update code in a loop skeleton.
Every name the skeleton or the printer adds starts with an underscore, and the
only functions printed code calls are :data:`simulate.codegen.ENGINE_FUNCTIONS`;
the spec refuses both kinds of name for units and parameters.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_array_equal

from ndtheory.spec import MODELS, I, K, NeuronModel, P, Parameter, Unit
from simulate import _kernel, gpu
from simulate.codegen import ENGINE_FUNCTIONS, NUMPY_NAMESPACE, print_model
from simulate.grid import simulate_grid


def _model(a: str, b: str, c: str, d: str) -> NeuronModel:
    """One neuron whose four parameters are called ``a, b, c, d``.

    ``exp(-a)`` is hoisted as the printer's first constant (``_c0``), so a
    parameter called ``c0`` stands beside it.
    """
    pa, pb, pc, pd = (sp.Symbol(n, positive=True) for n in (a, b, c, d))
    U, T = sp.symbols("U T")
    return NeuronModel(
        name=f"names-{a}",
        units=(
            Unit("U", sp.exp(-pa) * U, I + pb * K),
            Unit("T", pc * T, pd * P + pa * P),
        ),
        parameters=(
            Parameter(a, 0.0, 1.0),
            Parameter(b, 0.0, math.inf),
            Parameter(c, 0.0, 1.0),
            Parameter(d, 0.0, math.inf),
        ),
        firing=sp.StrictGreaterThan(U, T),
    )


@pytest.mark.parametrize("engine", ["numba", "reference"])
@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
def test_parameters_named_like_generated_names_simulate_like_any_other(engine, semantics):
    # Before issue 14 the constant exp(-c0) was printed as c0 and overwrote the
    # parameter c0: the counts were silently wrong.
    clash, plain = _model("c0", "new_U", "flat_U", "lhs"), _model("a", "b", "c", "d")
    values = (0.3, 0.05, 0.6, 2.0)
    stimulus = np.random.default_rng(4).random((7, 9))
    W = np.array([[0.1, 0.2, 0.1], [0.2, 0.0, 0.2], [0.1, 0.2, 0.1]])
    runs = []
    for model, names in ((clash, ("c0", "new_U", "flat_U", "lhs")), (plain, "abcd")):
        params = dict(zip(names, values, strict=True))
        runs.append(
            simulate_grid(
                stimulus, params, W, 30, model=model, semantics=semantics, engine=engine
            ).counts
        )
    assert print_model(clash, semantics).constants.keys() == {"_c0"}
    assert_array_equal(runs[0], runs[1])
    assert 0 < runs[1].min() < runs[1].max() < 30


def _identifiers(source: str) -> set[str]:
    """Names the source binds or reads (attributes and keyword arguments excluded)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name)
    return names


@pytest.mark.parametrize("name", sorted(MODELS))
def test_generated_source_names_only_model_names_engine_functions_or_underscored(name):
    model = MODELS[name]
    for semantics in model.semantics:
        printed = print_model(model, semantics)
        own = set(model.symbols)
        sources = {
            "numba, row patterns": _kernel.kernel_module_source(printed, (3, 3)),
            "numba, other W": _kernel.kernel_module_source(printed, None),
            "cuda": gpu._kernel_source(printed, gpu.tiling((3, 3))),
        }
        for engine, source in sources.items():
            found = _identifiers(source)
            stray = {n for n in found - own - set(ENGINE_FUNCTIONS) if not n.startswith("_")}
            assert not stray, (engine, semantics, sorted(stray))
            assert {"K", "P", "I"} <= found
        # The numba module defines every engine function, as the reference's namespace does.
        assert set(ENGINE_FUNCTIONS) <= _identifiers(_kernel._PRELUDE)
    assert set(NUMPY_NAMESPACE) == set(ENGINE_FUNCTIONS)
