"""environment.yml (conda) lists the same dependencies as pyproject.toml; the lock pins them."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

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


def test_conda_environment_has_quarto_and_jupyterlab():
    names = conda_names()
    assert {"quarto", "jupyterlab"} <= names


def test_lock_pins_every_dependency_with_hashes():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    needed = {n for n in pyproject_names() if n not in ("quarto",)}  # quarto-cli is optional, not locked
    assert needed <= pinned, f"not pinned in requirements.lock: {sorted(needed - pinned)}"
    assert "--hash=sha256:" in lock
