"""environment.yml (conda) lists the same dependencies as pyproject.toml; the lock pins them."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.specifiers import SpecifierSet

from conftest import ROOT
from test_pythons import SUPPORTED

#: PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"quarto-cli": "quarto"}
#: Conda-only entries that are not Python dependencies.
CONDA_ONLY = {"python", "pip"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        names |= {_name(r) for r in reqs}
    return {CONDA_NAME.get(n, n) for n in names}


def conda_names() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    return {_name(d) for d in env["dependencies"] if isinstance(d, str)} - CONDA_ONLY


def test_environment_yml_matches_pyproject():
    missing_in_conda = pyproject_names() - conda_names()
    missing_in_pyproject = conda_names() - pyproject_names()
    assert not missing_in_conda, f"in pyproject.toml but not environment.yml: {sorted(missing_in_conda)}"
    assert not missing_in_pyproject, f"in environment.yml but not pyproject.toml: {sorted(missing_in_pyproject)}"


def _minors(spec: str) -> set[str]:
    """The Python versions 3.0-3.29 that ``spec`` (">=3.11,<3.14") allows."""
    allowed = SpecifierSet(spec)
    return {f"3.{n}" for n in range(30) if allowed.contains(f"3.{n}.0")}


def test_supported_pythons_agree():
    """pyproject.toml, environment.yml, the Makefile's choice of Python (.ci/venv-python.sh) and
    tests/test_pythons.py name the same Pythons: 3.11, 3.12 and 3.13."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python")
    script = (ROOT / ".ci" / "venv-python.sh").read_text(encoding="utf-8")
    chooser = set(re.search(r'^supported="([^"]*)"', script, re.M).group(1).split())
    expected = {"3.11", "3.12", "3.13"}
    assert _minors(requires) == expected, f"pyproject.toml requires-python = {requires!r}"
    assert _minors(conda_python[len("python"):]) == expected, f"environment.yml: {conda_python!r}"
    assert chooser == expected, f".ci/venv-python.sh supports {sorted(chooser)}"
    assert set(SUPPORTED) == expected, f"tests/test_pythons.py checks {SUPPORTED}"


def test_conda_environment_has_quarto_and_jupyterlab():
    names = conda_names()
    assert {"quarto", "jupyterlab"} <= names


def _pinned(lock: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.M)}


def test_locks_pin_every_dependency_with_hashes():
    """requirements.lock: runtime and tests (what make report / make test install);
    requirements-lab.lock: the same plus JupyterLab (make lab), at the same versions."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    lab_lock = (ROOT / "requirements-lab.lock").read_text(encoding="utf-8")
    build, lab = _pinned(lock), _pinned(lab_lock)
    for name, text in (("requirements.lock", lock), ("requirements-lab.lock", lab_lock)):
        twice = [n for n in set(re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M))
                 if len(re.findall(rf"^{re.escape(n)}==", text, re.M)) > 1]
        assert not twice, f"{name} pins {twice} at different versions for different Pythons"
    needed = {n for n in pyproject_names() if n not in ("quarto",)}  # quarto-cli is optional, not locked
    assert needed - {"jupyterlab"} <= set(build), f"not pinned in requirements.lock: {sorted(needed - set(build))}"
    assert needed <= set(lab), f"not pinned in requirements-lab.lock: {sorted(needed - set(lab))}"
    assert "--hash=sha256:" in lock and "--hash=sha256:" in lab_lock
    assert {n: v for n, v in lab.items() if n in build} == build, "the two locks pin different versions"


def test_build_lock_leaves_out_the_slow_iri_checker():
    """JupyterLab brings rfc3987-syntax (through jsonschema[format-nongpl]); installed, it makes
    every import of nbformat/papermill compile 38 grammars (~2,5 s per notebook worker)."""
    build = _pinned((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    assert "jupyterlab" not in build and "rfc3987-syntax" not in build
