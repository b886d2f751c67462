"""The source notebooks: committed without outputs, with a tagged parameters cell of 2023 defaults."""

from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_defaults_to_2023(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "ar = 2023" in tagged[0].source
    assert 'root = ".."' in tagged[0].source


def test_notebooks_are_thin():
    """Logic lives in the package: no notebook cell defines functions or classes."""
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            assert "def " not in cell.source and "class " not in cell.source, path.name
