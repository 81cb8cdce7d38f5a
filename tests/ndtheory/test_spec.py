"""The ND-CNP declaration says what the paper's Eqs. (1)-(3) and (7) say."""

import pytest
import sympy as sp

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, PAPER_EXAMPLE, SUM_W, I, K, P


def test_decay_semantics_is_the_analysis_form():
    a, b, g, lam = (ND_CNP.symbols[n] for n in ("alpha", "beta", "gamma", "lam"))
    U, V, T = (ND_CNP.symbols[n] for n in "UVT")
    up = ND_CNP.updates("decay")
    assert sp.simplify(up["U"] - (a * U + I + K)) == 0
    assert sp.simplify(up["V"] - (b * V + K)) == 0
    assert sp.simplify(up["T"] - (g * T + lam * P)) == 0


@pytest.mark.parametrize("fired", [0, 1])
def test_decay_on_fire_applies_consumption_only_after_a_spike(fired):
    a, b, g, lam = (ND_CNP.symbols[n] for n in ("alpha", "beta", "gamma", "lam"))
    U, V, T = (ND_CNP.symbols[n] for n in "UVT")
    up = {k: v.subs(P, fired) for k, v in ND_CNP.updates("decay-on-fire").items()}
    expect_u = (a * U if fired else U) + I + K
    expect_v = (b * V if fired else V) + K
    expect_t = g * T + lam if fired else T
    assert sp.simplify(up["U"] - expect_u) == 0
    assert sp.simplify(up["V"] - expect_v) == 0
    assert sp.simplify(up["T"] - expect_t) == 0


def test_firing_condition_and_initial_state():
    U, V, T = (ND_CNP.symbols[n] for n in "UVT")
    assert ND_CNP.fires == sp.StrictGreaterThan(U * (1 + V), T)
    assert ND_CNP.initial_state() == {"U": 0, "V": 0, "T": 0, "P": 0}
    assert SUM_W.is_nonnegative


def test_validate_accepts_the_paper_example_and_rejects_out_of_range():
    assert ND_CNP.validate(PAPER_EXAMPLE) == PAPER_EXAMPLE
    with pytest.raises(NdcnpInputError, match=r"alpha must be in \(0, 1\); got 1.2"):
        ND_CNP.validate({**PAPER_EXAMPLE, "alpha": 1.2})
    with pytest.raises(NdcnpInputError, match="gamma must be in"):
        ND_CNP.validate({**PAPER_EXAMPLE, "gamma": 1.0})
    with pytest.raises(NdcnpInputError, match="lam must be in"):
        ND_CNP.validate({**PAPER_EXAMPLE, "lam": -1.0})
    with pytest.raises(NdcnpInputError, match="needs parameter lam"):
        ND_CNP.validate({"alpha": 0.8, "beta": 0.2, "gamma": 0.5})
    with pytest.raises(NdcnpInputError, match="not a parameter"):
        ND_CNP.validate({**PAPER_EXAMPLE, "delta": 1.0})


def test_unknown_semantics_is_an_input_error():
    with pytest.raises(NdcnpInputError, match="semantics must be one of"):
        ND_CNP.update("U", "sometimes")


RESERVED_NAMES = [
    *("t", "n", "I", "K", "P", "S", "sum_W"),
    *("where", "power", "exp", "log", "sqrt", "Abs", "Min", "Max", "tanh"),
    *("lambda", "if", "class", "match"),  # Python keywords, soft ones included
    *("_c0", "_new_U", "__import__"),  # the code generator's prefix
]


@pytest.mark.parametrize("name", RESERVED_NAMES)
@pytest.mark.parametrize("role", ["parameter", "unit"])
def test_reserved_names_are_refused_at_declaration_naming_the_name(name, role):
    from ndtheory.model import NeuronModel, Parameter, Unit

    X = sp.Symbol("X")
    units = [Unit("X", X / 2, I)]
    parameters = []
    if role == "parameter":
        parameters.append(Parameter(name, 0.0, 1.0))
    else:
        units.append(Unit(name, sp.S.Zero, I))
    with pytest.raises(NdcnpInputError, match=rf"^m: {role} {name!r} ") as error:
        NeuronModel("m", tuple(units), tuple(parameters), sp.StrictGreaterThan(X, 1))
    assert "\n" not in str(error.value)


def test_a_parameter_called_c0_is_accepted_since_generated_names_start_with_underscore():
    from ndtheory.model import NeuronModel, Parameter, Unit

    X, c0 = sp.Symbol("X"), sp.Symbol("c0")
    model = NeuronModel(
        "m", (Unit("X", c0 * X, I),), (Parameter("c0", 0.0, 1.0),), sp.StrictGreaterThan(X, 1)
    )
    assert model.parameter("c0").name == "c0"


def test_the_shipped_models_are_read_from_their_files_and_equal_the_paper():
    from ndtheory.modelfile import load_model
    from ndtheory.spec import MODEL_FILES, MODELS

    assert [load_model(path).name for path in MODEL_FILES] == list(MODELS)
    assert [p.name for p in ND_CNP.parameters] == ["alpha", "beta", "gamma", "lam"]
    assert ND_CNP.parameter("lam").typical == (0.5, 30.0)
    assert ND_CNP.parameter("alpha").range_text() == "(0, 1)"
    U, V, T = (ND_CNP.symbols[n] for n in "UVT")
    assert ND_CNP.fires == sp.StrictGreaterThan(U * (1 + V), T)


def test_variants_import_on_their_own():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import ndtheory.variants as v; print(v.DTNP.name)"],
        capture_output=True,
        text=True,
    )
    assert run.stdout == "dtnp\n", run.stderr
