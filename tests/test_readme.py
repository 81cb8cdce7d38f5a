"""The README is true: its Python examples run, every command is documented, pictures exist."""

import argparse
import doctest
import re
from pathlib import Path

import pytest

from fusion.cli import get_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.DOTALL)


def _commands(parser: argparse.ArgumentParser, prefix: str = "ndcnp") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found += _commands(sub, f"{prefix} {name}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_python_examples_run_as_shown(index):
    block = _python_blocks()[index]
    assert ">>>" in block
    test = doctest.DocTestParser().get_doctest(block, {}, f"README block {index}", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted > 0


def test_every_command_is_in_the_cli_reference():
    reference = README.split("## Command-line reference")[1].split("\n## ")[0]
    missing = [c for c in _commands(get_parser()) if f"`{c}" not in reference]
    assert not missing, f"README's CLI reference lacks {missing}"


def test_first_setup_command_runs_the_demo_and_the_test_command_is_marked():
    setup = README.split("## Set-up")[1]
    first = re.search(r"```\n(.*?)\n```", setup).group(1)
    assert first.endswith("ndcnp demo") and "pip install" in first
    marked = README.split("<!-- test-command -->\n")[1].split("<!-- /test-command -->")[0]
    assert "pytest" in marked


def test_pictures_exist_and_are_small():
    pictures = re.findall(r"(?:\]\(|src=\")(docs/img/[\w.-]+\.png)", README)
    assert {"docs/img/fig2.png", "docs/img/demo_decision_map.png"} <= set(pictures)
    for picture in pictures:
        size = (ROOT / picture).stat().st_size
        assert size < 150_000, f"{picture} is {size} bytes"
