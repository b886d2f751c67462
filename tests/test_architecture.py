"""The package's shape, read from its syntax trees: the four parts import in one direction, the
domain computations are pure, there is no import cycle, and nothing uses the private names of
the libraries the build runs on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "lib" / "kompetensrapport"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)

#: Libraries whose underscore-prefixed names the package must neither call nor override.
WATCHED = ("jupyter_client", "ipykernel", "papermill", "nbclient", "multiprocessing", "concurrent")
#: Private names of the standard library that are documented public API.
DOCUMENTED = {("os", "_exit")}
#: Private-looking attribute names that are documented public API wherever they appear: the
#: column pandas' ``merge(indicator=True)`` adds.
DOCUMENTED_ATTRIBUTES = {"_merge"}


def _name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at module level or inside functions, as absolute names
    (``from x import y`` gives ``x.y`` too, as y may be a module)."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return found


def _package_imports(path: Path) -> set[str]:
    known = {_name(p) for p in MODULES}
    return {m for m in _imports(path) if m in known and m != _name(path)}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else "top"


def _private_uses(path: Path) -> list[str]:
    """Underscore-prefixed names of the watched libraries (and CPython internals) that ``path``
    imports, reads or overrides."""
    tree = _tree(path)
    found = []
    watched_names = set()  # local names bound to watched modules or their members
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in WATCHED:
                    watched_names.add((a.asname or a.name).split(".")[0])
                    if any(part.startswith("_") for part in a.name.split(".")):
                        found.append(f"line {node.lineno}: import {a.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in WATCHED:
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(f"line {node.lineno}: from {node.module} import ...")
            for a in node.names:
                watched_names.add(a.asname or a.name)
                if a.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {a.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            base = root.id if isinstance(root, ast.Name) else None
            if base in ("self", "cls") or (base, node.attr) in DOCUMENTED or node.attr in DOCUMENTED_ATTRIBUTES:
                continue  # the package's own objects (checked below for subclasses of watched classes)
            if base == "sys" or base in watched_names or not _defined_in_package(node.attr):
                found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in node.bases}
            if bases & watched_names:
                for item in node.body:
                    if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("_")
                            and not item.name.startswith("__")):
                        found.append(f"line {item.lineno}: {node.name} overrides {item.name}")
    return found


def _defined_in_package(name: str) -> bool:
    """Whether some module of the package defines ``name`` (a function, class, attribute or
    dataclass field): then ``obj._name`` reads one of the package's own names."""
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                return True
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == name:
                return True
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
                return True
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr == name:
                return True
    return False


def test_the_package_has_four_parts():
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert {"inputs", "domain", "present", "pipeline"} <= parts


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_names_of_the_libraries_the_build_runs_on(path):
    assert _private_uses(path) == [], f"{_name(path)} uses private names"


def test_the_check_finds_private_names(tmp_path):
    """The check above fails on what the package once did."""
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import sys\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from jupyter_client.manager import AsyncKernelManager\n"
        "class M(AsyncKernelManager):\n"
        "    async def _async_pre_start_kernel(self, **kw):\n"
        "        return await super()._async_pre_start_kernel(**kw)\n"
        "def stop(pool: ProcessPoolExecutor):\n"
        "    return pool._processes, sys._getframe()\n", encoding="utf-8")
    found = _private_uses(planted)
    assert any("overrides _async_pre_start_kernel" in f for f in found)
    assert any("._processes" in f for f in found)
    assert any("._getframe" in f for f in found)


#: Which parts each part may import: inputs read files, the domain computes from frames, the
#: presentation shows computed frames, the pipeline runs everything.
MAY_IMPORT = {
    "inputs": {"top", "inputs", "pipeline"},  # the personal-data scan of data files (pipeline.privacy)
    "domain": {"top", "inputs", "domain"},
    "present": {"top", "present", "domain", "inputs"},
    "pipeline": {"top", "inputs", "domain", "present", "pipeline"},
}


@pytest.mark.parametrize("path", [p for p in MODULES if _part(_name(p)) in MAY_IMPORT], ids=_name)
def test_the_parts_import_in_one_direction(path):
    part = _part(_name(path))
    wrong = sorted(m for m in _package_imports(path) if _part(m) not in MAY_IMPORT[part])
    assert wrong == [], f"{_name(path)} ({part}) imports {wrong}"


#: What a domain computation may import: data frames, not formatting, drawing or files.
DOMAIN_MAY_IMPORT = ("__future__", "dataclasses", "typing", "re", "math", "collections", "functools",
                     "itertools", "pathlib", "numpy", "pandas", "kompetensrapport")
WRITES = {"open", "to_csv", "to_excel", "write_text", "write_bytes", "savefig", "mkdir", "display"}


@pytest.mark.parametrize("path", sorted((PACKAGE / "domain").glob("*.py")), ids=_name)
def test_domain_computations_are_pure(path):
    for module in _imports(path):
        assert module.split(".")[0] in DOMAIN_MAY_IMPORT, f"{_name(path)} imports {module}"
        assert not module.startswith(("kompetensrapport.present", "kompetensrapport.pipeline")), module
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            assert name not in WRITES, f"{_name(path)} line {node.lineno} calls {name}"


def test_no_import_cycles():
    graph = {_name(p): _package_imports(p) for p in MODULES}
    cycles = []

    def visit(module, stack):
        if module in stack:
            cycles.append(stack[stack.index(module):] + [module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, stack + [module])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [])
    # a package's __init__ importing its own modules is not a cycle of modules
    cycles = [c for c in cycles if not all(m == c[0] or m.startswith(c[0] + ".") or c[0].startswith(m + ".") for m in c)]
    assert cycles == []


def test_each_section_has_a_presentation_module_and_a_domain_function():
    from kompetensrapport import sections

    for section in sections.SECTIONS:
        module = section.present.split(":")[0]
        assert module.startswith("kompetensrapport.present.sections."), section.key
        assert (PACKAGE / "present" / "sections" / f"{module.rsplit('.', 1)[1]}.py").is_file()
        assert section.compute.startswith("kompetensrapport.domain."), section.key


def test_no_other_list_of_section_names():
    """The section keys appear as a list only in sections.py: any other module that names three
    or more of them in one literal keeps a second list."""
    from kompetensrapport import sections

    for path in MODULES:
        if path.name == "sections.py":
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
                elts = node.keys if isinstance(node, ast.Dict) else node.elts
                named = {e.value for e in elts if isinstance(e, ast.Constant) and e.value in sections.KEYS}
                assert len(named) < 3, f"{_name(path)} line {node.lineno} lists sections {sorted(named)}"
