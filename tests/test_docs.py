"""The docs cannot rot: the tutorial's code runs, and every public name is documented."""

from __future__ import annotations

import os
import re
import sys
import types

import pytest
from conftest import ROOT

import ssc_mining
import ssc_mining.testing

TUTORIAL = ROOT / "docs" / "plugins.md"
REFERENCE = ROOT / "docs" / "reference.md"


def python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


def test_tutorial_code_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    blocks = python_blocks(TUTORIAL)
    assert len(blocks) >= 4
    module = types.ModuleType("ssc_mining_tutorial")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
    namespace = module.__dict__
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{TUTORIAL.name} block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as err:  # pragma: no cover - the message is the point
            pytest.fail(f"docs/plugins.md code block {i + 1} fails: {type(err).__name__}: {err}")
    # the parametrised test in the tutorial is a real pytest-decorated function
    assert hasattr(namespace["test_friday_closures"], "pytestmark")


@pytest.mark.parametrize("name", [n for n in ssc_mining.__all__ if n != "__version__"])
def test_public_name_is_documented(name):
    obj = getattr(ssc_mining, name)
    assert (obj.__doc__ or "").strip(), f"ssc_mining.{name} has no docstring"
    assert f"`{name}" in REFERENCE.read_text(), f"ssc_mining.{name} is missing from docs/reference.md"


@pytest.mark.parametrize("name", ssc_mining.testing.__all__)
def test_testing_kit_is_documented(name):
    assert name in REFERENCE.read_text() and name in (ssc_mining.testing.__doc__ + TUTORIAL.read_text()
                                                       + REFERENCE.read_text())


def test_readme_quick_start_is_the_two_make_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make report" in quick and "make test" in quick
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
