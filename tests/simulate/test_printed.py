"""The stored prints of the shipped models (simulate.printed): derived, self-invalidating."""

from __future__ import annotations

import math
import shutil

import pytest

from ndtheory.shipped import MODEL_FILES
from simulate import printed as printed_module
from simulate.printed import printed_model, stored_print_path

PCNN_PARAMS = {
    "alpha_F": 0.5,
    "alpha_L": 1.0,
    "alpha_E": 2.0,
    "V_F": 0.1,
    "V_L": 0.2,
    "V_E": 5.0,
    "beta": 0.3,
}


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NDCNP_KERNEL_CACHE", str(tmp_path / "cache"))
    printed_module._shipped.cache_clear()
    yield tmp_path / "cache"
    printed_module._shipped.cache_clear()


def test_a_changed_model_file_gets_another_stored_print(tmp_path, fresh_cache):
    model_file = tmp_path / "nd-cnp.toml"
    shutil.copy(MODEL_FILES[0], model_file)
    first = stored_print_path(model_file, "decay")
    text = model_file.read_text()
    model_file.write_text(text.replace('T = "gamma*T + lam*P"', 'T = "gamma*T + 2*lam*P"'))
    assert stored_print_path(model_file, "decay") != first
    model_file.write_text(text)
    assert stored_print_path(model_file, "decay") == first
    assert stored_print_path(model_file, "decay-on-fire") != first


def test_the_stored_print_is_read_back_as_printed(fresh_cache):
    from ndtheory.spec import PCNN
    from simulate.codegen import print_model

    made = printed_model("pcnn", "decay")  # printed now, and stored
    stored = stored_print_path(MODEL_FILES[3], "decay")
    assert stored.is_file()
    printed_module._shipped.cache_clear()
    read = printed_model("pcnn", "decay")
    assert read is not made and read.to_json() == print_model(PCNN, "decay").to_json()
    # PCNN's hoisted constants are exp(-alpha_F), exp(-alpha_L), exp(-alpha_E)
    assert sorted(read.constant_values(PCNN_PARAMS).values()) == sorted(
        math.exp(-PCNN_PARAMS[k]) for k in ("alpha_F", "alpha_L", "alpha_E")
    )
    assert read.initial_values(PCNN_PARAMS) == {"F": 0, "L": 0, "Theta": 0}


def test_an_unreadable_stored_print_is_printed_again(fresh_cache):
    stored = stored_print_path(MODEL_FILES[0], "decay")
    stored.parent.mkdir(parents=True)
    stored.write_text("{not json")
    assert printed_model("nd-cnp", "decay").updates["U"] == "I + K + U*alpha"
    assert '"updates"' in stored.read_text()
