"""The package layout is the architecture: spec -> ndtheory / simulate -> fusion -> CLI.

``simulate`` may read only the leaf modules of ``ndtheory`` (the spec, the error type and the
exact-arithmetic compiler of the spec, ``ndtheory.exact``, which reads only those two);
``ndtheory`` imports neither ``simulate`` nor ``fusion``. A back edge fails here.

Each package's ``cli.py`` and ``cli_*.py`` belong to the CLI layer on top of everything (they
sit beside their package only so that a command lives next to the code it calls), so they are
exempt; so are ``ndtheory/claims.py`` (the audit of a file's claims) and ``ndtheory/testing.py``
(the public property-testing module): both check derivations against simulated traces, so they
sit above ``ndtheory`` and ``simulate`` alike, and no other module may import them.

The import statements are read statically, and a fresh interpreter checks at run time that
``import simulate.grid`` loads no theory module beyond the leaves.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEAVES = {
    "ndtheory.spec",
    "ndtheory.model",
    "ndtheory.modelfile",
    "ndtheory.variants",
    "ndtheory.errors",
    "ndtheory.exact",
    "ndtheory.parameter",
    "ndtheory.shipped",
}
TOP = {"ndtheory/claims.py", "ndtheory/testing.py"}


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        if path.name == "cli.py" or path.name.startswith("cli_"):
            continue
        if str(path.relative_to(ROOT)) in TOP:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("ndtheory", ("simulate", "fusion")), ("simulate", ("fusion",))],
)
def test_no_back_edges(package, forbidden):
    bad = {
        (where, mod) for where, mod in imported_modules(package) if mod.split(".")[0] in forbidden
    }
    assert not bad, f"{package} must not import {forbidden}: {sorted(bad)}"


def test_simulate_reads_only_the_spec_leaves_of_ndtheory():
    bad = {
        (where, mod)
        for where, mod in imported_modules("simulate")
        if mod.split(".")[0] == "ndtheory" and mod not in LEAVES
    }
    assert not bad, f"simulate may import only {sorted(LEAVES)} from ndtheory: {sorted(bad)}"


def test_spec_and_errors_are_leaves():
    leaf_files = {leaf.replace(".", "/") + ".py" for leaf in LEAVES}
    bad = {
        (where, mod)
        for where, mod in imported_modules("ndtheory")
        if where in leaf_files and mod.split(".")[0] == "ndtheory" and mod not in LEAVES
    }
    assert not bad, f"the spec leaves may import only each other: {sorted(bad)}"


def test_nothing_below_the_top_layer_imports_it():
    top = {where.removesuffix(".py").replace("/", ".") for where in TOP}
    bad = {
        (where, mod)
        for package in ("ndtheory", "simulate", "fusion")
        for where, mod in imported_modules(package)
        if mod in top
    }
    assert not bad, f"only the CLI may import {sorted(top)}: {sorted(bad)}"


def test_importing_the_simulator_loads_only_the_spec_leaves_at_run_time():
    code = (
        "import json, sys; import simulate.grid; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'ndtheory')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    extra = set(json.loads(loaded)) - LEAVES - {"ndtheory"}  # the lazy package itself
    assert not extra, f"import simulate.grid loaded theory modules {sorted(extra)}"
    assert "ndtheory.parameter" in json.loads(loaded)  # the check saw the import at all
