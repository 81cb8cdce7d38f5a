"""The package layout is the architecture: spec -> ndtheory / simulate -> fusion -> CLI.

``simulate`` may read only the leaf modules of ``ndtheory`` (the spec, the error type and the
exact-arithmetic compiler of the spec, ``ndtheory.exact``, which reads only those two);
``ndtheory`` imports neither ``simulate`` nor ``fusion``. A back edge fails here.

Each package's ``cli.py`` belongs to the CLI layer on top of everything (it sits beside its
package only so that a command lives next to the code it calls), so it is exempt.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEAVES = {"ndtheory.spec", "ndtheory.variants", "ndtheory.errors", "ndtheory.exact"}


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        if path.name == "cli.py":
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
