"""The source notebooks: committed without outputs, with a tagged parameters cell of 2023 defaults."""

from __future__ import annotations

import ast

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


# What a notebook cell may contain: parameters, imports, and calls into the package whose
# results are named (no loops, no definitions, no comprehensions, no indexing or arithmetic:
# the pandas logic lives in kompetensrapport.domain).
ALLOWED_NODES = (ast.Module, ast.Import, ast.ImportFrom, ast.alias, ast.Assign, ast.Expr, ast.If,
                 ast.Compare, ast.In, ast.Call, ast.Attribute, ast.Name, ast.Constant, ast.keyword,
                 ast.List, ast.Load, ast.Store)


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _imported_names(tree) -> set[str]:
    return {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_only_set_parameters_import_or_call_the_package(path):
    cells = _code_cells(path)
    imported = set().union(*(_imported_names(ast.parse(c.source)) for c in cells))
    for cell in cells:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert isinstance(node, ALLOWED_NODES), f"{path.name}: {type(node).__name__} in cell:\n{cell.source}"
            if isinstance(node, ast.ImportFrom):
                assert node.module == "pathlib" or node.module.startswith("kompetensrapport"), node.module
            if isinstance(node, ast.Call):
                root = node.func
                while isinstance(root, ast.Attribute):
                    root = root.value
                assert isinstance(root, ast.Name) and root.id in imported, \
                    f"{path.name}: a call that is not into an imported module:\n{cell.source}"
        if "parameters" in cell.metadata.get("tags", []):
            assert all(isinstance(s, ast.Assign) and isinstance(s.value, (ast.Constant, ast.List))
                       for s in tree.body), "the parameters cell only assigns values"


def test_forvaltning_notebook_has_one_cell_per_section_under_its_heading():
    """The notebook reads as the page's outline: a Markdown heading per section of the table in
    sections.py, in its order, then one cell that computes the section with the domain function
    the table names and presents it with the table's presentation function."""
    from kompetensrapport import sections

    cells = nbformat.read(ROOT / "notebooks" / "forvaltning.ipynb", as_version=4).cells
    guarded = [(i, c) for i, c in enumerate(cells) if c.cell_type == "code" and c.source.startswith("if ")]
    assert [c.source.split('"')[1] for _, c in guarded] == list(sections.KEYS)
    for (i, cell), section in zip(guarded, sections.SECTIONS):
        heading = cells[i - 1]
        assert heading.cell_type == "markdown" and heading.source == f"## {section.label[0].upper()}{section.label[1:]}"
        module, function = section.compute.split(":")
        assert f"{module.rsplit('.', 1)[1]}.{function}(" in cell.source
        module, function = section.present.split(":")
        assert f"sections.{module.rsplit('.', 1)[1]}.{function}(" in cell.source
        # the table's functions exist
        assert callable(section.compute_function()) and callable(section.present_function())
