"""Shared fixtures: the real project, temporary copies of it, and the seed documents."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CLI = [sys.executable, "-m", "kompetensrapport"]
#: What a copy of the project needs to build.
#: A publicering.yml with every value filled in (example addresses), for the publishing tests.
FILLED_PUBLISHING = {
    "utgivare": "Region Skåne",
    "utgivare_webbplats": "https://www.example.org/",
    "webbplats": "https://www.example.org/kompetensrapport/",
    "kontakt_epost": "kompetens@example.org",
    "aterkoppling": "https://www.example.org/synpunkter",
    "svarstid": "inom två arbetsdagar",
    "licens": {"id": "CC0-1.0", "namn": "Creative Commons Zero 1.0",
               "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
}
PROJECT_PARTS = ["data", "params", "notebooks", "_quarto.yml", "publicering.yml", "tillganglighet"]


def copy_project(dest: Path, years=("2023",)) -> Path:
    """A copy of the project's inputs in ``dest`` (a git repository, so the footer has a commit)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns(
                "_parts", "figurer", "nedladdning", ".ipynb_checkpoints", "*.html"))
        else:
            shutil.copyfile(src, dest / part)
    for d in ("data", "params"):
        for child in (dest / d).iterdir():
            if child.name not in years:
                shutil.rmtree(child)
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    subprocess.run(["git", "init", "-q", str(dest)], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "commit", "-qm", "copy"], check=True, env=env)
    return dest


def run_cli(*args, cwd=None, env=None, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def env_without_quarto() -> dict:
    """The environment with every folder holding a `quarto` command removed from PATH."""
    env = dict(os.environ)
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if not (Path(p) / "quarto").exists()]
    env["PATH"] = os.pathsep.join(parts)
    return env


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (following the published symlinks) with its bytes."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def real_data():
    from kompetensrapport.inputs import load

    return load.load_year(ROOT, 2023)


@pytest.fixture
def out_dir(tmp_path):
    """A page's folder for download and figure files; blocks write into it only when asked:
    ``kompetensrapport.present.blocks.write_files(blocks, out_dir)``."""
    return tmp_path


@pytest.fixture(scope="session")
def built_project(tmp_path_factory):
    """A copy of the project built once with --no-render (shared by the build tests)."""
    dest = copy_project(tmp_path_factory.mktemp("built") / "project")
    proc = run_cli("build", "--year", "2023", "--root", dest, "--no-render", "--jobs", "2")
    return dest, proc


def quarto_missing() -> str | None:
    """Why the tests that render the site cannot run here, or None when they can."""
    if shutil.which("quarto") is None:
        return ("the quarto command is not on PATH (make test installs Quarto from "
                "../shared/tools/quarto when it is beside the repository; or pip install quarto-cli)")
    return None


def require_tool(reason: str | None) -> None:
    """Skip with ``reason`` outside CI; fail in CI (``CI`` set), where every tool must be there."""
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test (make test installs what it needs): {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _quarto_marker(request):
    """A test marked ``quarto`` skips without the quarto command, or fails in CI."""
    if request.node.get_closest_marker("quarto"):
        require_tool(quarto_missing())


@pytest.fixture(scope="session")
def rendered_site(tmp_path_factory) -> Path:
    """The real 2023 project built and rendered with Quarto once per test run: its ``_site``.
    Its ``publicering.yml`` is filled in (:data:`FILLED_PUBLISHING`), as a site is when it is
    published, so that tests of publishing can start from a copy of this project."""
    require_tool(quarto_missing())
    project = copy_project(tmp_path_factory.mktemp("site") / "p")
    (project / "publicering.yml").write_text(yaml.safe_dump(FILLED_PUBLISHING, allow_unicode=True), encoding="utf-8")
    proc = run_cli("build", "--year", "2023", "--root", project, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "_site" / "index.html").is_file()
    return project / "_site"


def seeds_or_skip() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the source documents are not at {SEEDS} (they are in CI and beside the repository)")
    return SEEDS
