"""The locks install and the 2023 build runs on each supported Python found on this machine
(CPython 3.11, 3.12 and 3.13; `make check-pythons` runs only these tests, `make test` runs them too).

A Python is looked for as ``python3.X`` on PATH, then in pyenv's versions folder; one that is not
found is skipped with the reason. Each gets a venv under ~/.cache/kompetensrapport/pythons (outside
the repository), made from requirements.lock, then requirements-lab.lock, with pip and hashes, and
kept for the next run while the locks are unchanged; the project itself is installed into it in
editable mode (again after another clone installed its own there: test runs from several clones
take turns per Python). The venvs of all Pythons are made side by side.
pip installs without compiling every module (most of its time); the build writes the bytecode of
the modules it imports instead, once. The build runs with JupyterLab's packages installed too,
which the README says the build allows.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

pytestmark = pytest.mark.pythons

SUPPORTED = ("3.11", "3.12", "3.13")
LOCKS = ("requirements.lock", "requirements-lab.lock")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kompetensrapport" / "pythons"
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]


def version_of(python: str | Path) -> str | None:
    """The version ("3.12.1") of the CPython ``python``, or None when it does not run (a pyenv
    shim of a version that is not selected exits 127) or is not CPython."""
    try:
        proc = subprocess.run(
            [str(python), "-c", "import sys; sys.implementation.name == 'cpython' and "
             "print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def pyenv_pythons(minor: str) -> list[Path]:
    """pyenv's CPython ``minor`` (3.12) interpreters, newest first."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [d for d in root.glob(f"{minor}.*") if re.fullmatch(r"\d+\.\d+\.\d+", d.name)]
    found.sort(key=lambda d: tuple(int(p) for p in d.name.split(".")), reverse=True)
    return [d / "bin" / f"python{minor}" for d in found if (d / "bin" / f"python{minor}").exists()]


def find_python(minor: str) -> tuple[Path | None, str]:
    """The first CPython ``minor`` that runs, of python3.X on PATH and pyenv's; else None and
    where it was looked for."""
    on_path = shutil.which(f"python{minor}")
    candidates = ([Path(on_path)] if on_path else []) + pyenv_pythons(minor)
    for python in candidates:
        version = version_of(python)
        if version and version.rsplit(".", 1)[0] == minor:
            return python, version
    looked = ", ".join(map(str, candidates)) or "nothing found"
    return None, (f"no CPython {minor} that runs on this machine (python{minor} on PATH, then "
                  f"$PYENV_ROOT/versions/{minor}.*/bin/python{minor}; tried: {looked})")


def locks_key() -> str:
    digest = hashlib.sha256()
    for name in LOCKS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


def must(proc: subprocess.CompletedProcess, what: str) -> None:
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


@contextlib.contextmanager
def locked(minor: str):
    """Holds the lock of Python ``minor``'s cached venv (other test runs, from other clones too,
    wait for it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{minor}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def venv_for(python: Path, version: str) -> Path:
    """A venv of ``python`` with both locks installed, kept while the locks are unchanged."""
    minor = version.rsplit(".", 1)[0]
    venv = CACHE / f"{version}-{locks_key()}"
    with locked(minor):
        if not (venv / ".locks-installed").exists():
            for old in CACHE.glob(f"{version}-*"):  # made from other locks
                shutil.rmtree(old, ignore_errors=True)
            must(run(python, "-m", "venv", venv, timeout=300), f"{python} -m venv")
            for lock in LOCKS:
                must(run(venv / "bin" / "python", *PIP, "--require-hashes", "-r", ROOT / lock, timeout=1200),
                     f"pip install --require-hashes -r {lock} with Python {version}")
            (venv / ".locks-installed").touch()
    return venv


def install_project(venv: Path) -> None:
    """This repository's package in ``venv``, editable (again when another clone installed its own)."""
    project = venv / ".project"
    if not project.exists() or project.read_text(encoding="utf-8") != str(ROOT):
        must(run(venv / "bin" / "python", *PIP, "--no-deps", "-e", ROOT, timeout=600),
             f"pip install --no-deps -e . into {venv}")
        project.write_text(str(ROOT), encoding="utf-8")


@pytest.fixture(scope="module")
def venvs(request):
    """Each supported Python whose test was selected: (its path or None, its version or why it is
    missing, the future of its venv). The venvs are made side by side (pip waits on downloads
    much of the time)."""
    selected = {item.callspec.params["minor"] for item in request.session.items
                if getattr(item, "module", None) is request.module  # nbmake's items have none
                and "minor" in getattr(getattr(item, "callspec", None), "params", {})}
    found = {minor: find_python(minor) for minor in SUPPORTED if minor in selected}
    with ThreadPoolExecutor(len(SUPPORTED)) as pool:
        yield {minor: (python, version, python and pool.submit(venv_for, python, version))
               for minor, (python, version) in found.items()}


@pytest.mark.parametrize("minor", SUPPORTED)
def test_locks_install_and_2023_builds(minor, venvs, tmp_path):
    python, found, venv = venvs[minor]
    if python is None:
        pytest.skip(found)
    venv = venv.result()
    dest = copy_project(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with locked(minor):
        install_project(venv)
        must(run(venv / "bin" / "python", "-m", "pip", "check", timeout=300), f"pip check with Python {found}")
        proc = run(venv / "bin" / "python", "-m", "kompetensrapport", "build", "--year", "2023", "--root", dest,
                   "--no-render", "--jobs", "2", cwd=tmp_path, env=env, timeout=900)
    must(proc, f"kompetensrapport build --year 2023 with Python {found}")
    expected = {p.stem for p in (dest / "params" / "2023").glob("*.yaml")} | {"oversikt"}
    executed = {p.stem for p in (dest / "reports" / "2023").glob("*.ipynb")}
    assert executed == expected, f"Python {found}: executed notebooks {sorted(executed)}, expected {sorted(expected)}"
