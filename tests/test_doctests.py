"""The examples in the package's docstrings run and show what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

from conftest import ROOT

PACKAGE = ROOT / "lib" / "kompetensrapport"
WITH_EXAMPLES = sorted(p for p in PACKAGE.rglob("*.py") if ">>> " in p.read_text(encoding="utf-8"))


def _module(path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def test_there_are_examples():
    assert len(WITH_EXAMPLES) >= 5


@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=_module)
def test_docstring_examples(path):
    module = importlib.import_module(_module(path))
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, result
