"""Interruptions and wrong folders, through the real command.

- Ctrl-C as a terminal sends it (SIGINT to the whole foreground process group: the build, its
  fork server, the workers): one line on stderr, exit 130, nothing published, no process left.
- ``--root`` on a folder that is not a project: one message naming the folder and what it
  lacks, exit 2, for build, validate and new-year, and nothing written there.
- ``check-site`` on a site that is not there (``_site`` after a build without Quarto is a link
  to nothing): a message saying why, and an exit status of its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import copy_project, run_cli, snapshot
from test_hardening import Build, processes_in, published, staging_folders

INTERRUPTED = "interrupted: reports/ and the site are unchanged"
#: Generous: the machine may be busy; what matters is that the processes do end.
PROCESSES_END_WITHIN = 90


@pytest.fixture
def project(built_project, tmp_path):
    """A private copy of the project built once in this session, with its published symlinks."""
    source, proc = built_project
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dest = tmp_path / "project"
    shutil.copytree(source, dest, symlinks=True)
    return dest


def session_members(sid: int) -> list[int]:
    """Live processes (zombies left out) of session ``sid``: the build, its fork server, the
    workers, the kernel server (kernels run in sessions of their own, and end with it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, pgrp, session
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


def wait_until_gone(find, timeout: float = PROCESSES_END_WITHIN) -> list[int]:
    """Wait until ``find()`` lists no process; return those still there at the end (ended here,
    by their id, so that a failure leaves nothing running)."""
    deadline = time.monotonic() + timeout
    while find() and time.monotonic() < deadline:
        time.sleep(0.2)
    left = find()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


# -- Ctrl-C ----------------------------------------------------------------------------------------

def finish(build: Build) -> tuple[int, str, str]:
    """The exit status, and stdout and stderr once every process of the build's session (the
    fork server too, which may still be importing when the build ends) has ended and closed them."""
    rc, _, _ = build.finish(timeout=120)
    assert wait_until_gone(lambda: session_members(build.proc.pid)) == [], "processes of the build still run"
    time.sleep(0.5)  # the readers have reached the end of the closed streams
    return rc, "".join(build.lines), "".join(build.err)


@pytest.mark.parametrize("after", ["Validating", "Running", "[1/"],
                         ids=["while-the-fork-server-imports", "notebooks-starting", "notebooks-running"])
def test_ctrl_c_to_the_process_group_prints_one_line_and_leaves_nothing(project, after):
    before, gen = snapshot(project / "reports"), published(project)
    # every notebook runs (--force), one at a time: after the first has finished five are still
    # to run, so the interrupt lands in a running build
    build = Build(project, "--jobs", "1")
    build.wait_for(after)
    build.signal(signal.SIGINT)  # Ctrl-C in a terminal: SIGINT to every process of the group
    rc, out, err = finish(build)
    assert "[6/6]" not in out, "the build finished before the interrupt reached it: " + out
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [INTERRUPTED], f"stderr must be one line:\n{err}"
    assert rc == 130, out + err
    assert wait_until_gone(lambda: processes_in(project)) == [], "kernels still run in the project"
    assert snapshot(project / "reports") == before
    assert published(project) == gen
    assert staging_folders(project) == [gen]
    assert not list((project / ".build").glob("current.*.tmp"))


def test_a_second_ctrl_c_changes_nothing_in_the_message(project):
    """Ctrl-C pressed twice (the second while the build cleans up) still gives one line."""
    build = Build(project, "--jobs", "1")
    build.wait_for("[1/")
    build.signal(signal.SIGINT)
    time.sleep(0.05)
    if build.proc.poll() is None:
        build.signal(signal.SIGINT)
    rc, out, err = finish(build)
    assert rc == 130, out + err
    assert [line for line in err.splitlines() if line.strip()] == [INTERRUPTED], err


# -- a folder that is not a project ------------------------------------------------------------

@pytest.mark.parametrize("command", [["build", "--year", "2023", "--no-render"], ["validate", "--year", "2023"],
                                     ["new-year", "2024"]], ids=lambda c: c[0])
def test_an_empty_folder_is_not_a_project(tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli(*command, "--root", empty)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert f"{empty} is not a kompetensrapport project folder" in lines[0]
    for part in ("_quarto.yml", "data/", "params/"):
        assert f"no {part}" in lines[0], part
    assert ("notebooks/forvaltning.ipynb" in lines[0]) == (command[0] == "build")
    assert list(empty.iterdir()) == [], "nothing may be written in a folder that is not a project"


def test_a_folder_without_quarto_yml_names_only_what_it_lacks(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "_quarto.yml").unlink()
    for command in (["build", "--year", "2023", "--no-render"], ["validate", "--year", "2023"]):
        proc = run_cli(*command, "--root", project)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "it has no _quarto.yml." in proc.stderr, proc.stderr
    assert not (project / ".build").exists() and not (project / "reports").exists()


def test_the_default_root_is_the_current_folder_and_is_named_in_full(tmp_path):
    proc = run_cli("validate", "--year", "2023", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{tmp_path} is not a kompetensrapport project folder" in proc.stderr, proc.stderr


# -- check-site without a site -------------------------------------------------------------------

def test_check_site_on_the_site_link_of_a_build_without_quarto(project):
    site = project / "_site"
    assert site.is_symlink() and not site.exists()  # built with --no-render: a link to nothing
    proc = run_cli("check-site", "_site", cwd=project)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "_site is not there" in proc.stderr and "has not been rendered" in proc.stderr
    assert "`make report YEAR=2023`" in proc.stderr  # run in the project folder: no -C
    elsewhere = run_cli("check-site", site, cwd=project.parent)
    assert elsewhere.returncode == 3 and f"`make -C {project} report YEAR=2023`" in elsewhere.stderr


def test_check_site_on_a_missing_or_empty_folder_and_on_a_file(tmp_path):
    missing = run_cli("check-site", tmp_path / "nothing")
    assert missing.returncode == 3 and "is not there: no such folder" in missing.stderr, missing.stderr
    empty = run_cli("check-site", tmp_path)
    assert empty.returncode == 3 and "holds no HTML page" in empty.stderr, empty.stderr
    (tmp_path / "page.html").write_text("<p>x</p>", encoding="utf-8")
    a_file = run_cli("check-site", tmp_path / "page.html")
    assert a_file.returncode == 2 and "is not a folder" in a_file.stderr  # wrong usage
    for proc in (missing, empty, a_file):
        assert "Traceback" not in proc.stderr


def test_check_site_help_documents_the_status_of_a_missing_site():
    proc = run_cli("check-site", "--help")
    assert proc.returncode == 0
    assert "3 no site to check" in " ".join(proc.stdout.split())


# -- commands in messages work as printed --------------------------------------------------------

def test_printed_commands_follow_how_the_program_was_started(tmp_path, monkeypatch):
    import sys

    from kompetensrapport import commands

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/nonexistent")
    script = Path(sys.executable).parent / "kompetensrapport"
    monkeypatch.setattr(sys, "argv", [str(script), "build"])
    assert commands.command("validate", "--year", "2024") == f"{script} validate --year 2024"
    monkeypatch.setattr(sys, "argv", ["/x/kompetensrapport/__main__.py"])
    assert commands.command("validate") == f"{sys.executable} -m kompetensrapport validate"
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert commands.command("validate") == "python -m kompetensrapport validate"
    monkeypatch.setattr(sys, "argv", [str(script), "build"])
    assert commands.command("validate", "--root", "a b") == "kompetensrapport validate --root 'a b'"
    # and what is printed runs
    monkeypatch.setenv("PATH", "/nonexistent")
    printed = commands.command("--version")
    proc = subprocess.run(printed, shell=True, capture_output=True, text=True, env={"PATH": "/nonexistent"})
    assert proc.returncode == 0 and "kompetensrapport" in proc.stdout, (printed, proc.stderr)
