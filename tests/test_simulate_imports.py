"""simulate depends on ndtheory's leaf modules only, and never on fusion."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIMULATE = Path(__file__).resolve().parents[1] / "simulate"
ALLOWED_NDTHEORY = {"ndtheory.spec", "ndtheory.errors"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(SIMULATE.glob("*.py")), ids=lambda p: p.name)
def test_no_back_edges(path):
    for name in _imports(path):
        top = name.split(".")[0]
        assert top != "fusion", f"{path.name} imports {name}"
        if top == "ndtheory":
            assert name in ALLOWED_NDTHEORY, f"{path.name} imports {name}"
