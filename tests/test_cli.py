"""The command line: help, options, exit statuses and messages (no traceback)."""

from __future__ import annotations

from conftest import ROOT, copy_project, run_cli


def test_help_lists_commands_and_options():
    top = run_cli("--help")
    assert top.returncode == 0
    assert "build" in top.stdout and "validate" in top.stdout
    b = run_cli("build", "--help")
    assert b.returncode == 0
    for option in ("--year", "--root", "--only", "--no-render", "--jobs", "--help"):
        assert option in b.stdout, option
    assert "exit statuses" in b.stdout


def test_console_script_is_installed():
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "kompetensrapport"
    assert exe.is_file(), "the console script kompetensrapport is not installed"
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "kompetensrapport" in proc.stdout


def test_validate_real_data_passes():
    proc = run_cli("validate", "--year", "2023", "--root", ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert "rounding difference" in proc.stdout  # the resultaträkning's printed rounding shows


def test_missing_year_is_usage_error():
    proc = run_cli("validate", "--year", "2031", "--root", ROOT)
    assert proc.returncode == 2
    assert "2031" in proc.stderr and "Traceback" not in proc.stderr


def test_wrong_usage_exits_2():
    assert run_cli("build").returncode == 2  # --year is required
    assert run_cli("build", "--year", "23").returncode == 2
    assert run_cli("build", "--year", "2023", "--jobs", "0").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    proc = run_cli("validate", "--year", "2023", "--root", "/nonexistent/folder")
    assert proc.returncode == 2 and "no such folder" in proc.stderr


def test_unknown_only_slug_is_usage_error(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = run_cli("build", "--year", "2023", "--root", project, "--only", "no-such-unit", "--no-render")
    assert proc.returncode == 2
    assert "no-such-unit" in proc.stderr
    assert not (project / "reports").exists()


def test_invalid_data_exits_1_naming_file_line_column_value_rule(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "data/2023/regionbidrag.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("196.9", '"196,9"', 1)  # a decimal comma (quoted), line 3 of the file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("validate", "--year", "2023", "--root", project)
    assert proc.returncode == 1
    err = proc.stderr
    assert "data/2023/regionbidrag.csv" in err
    assert "line 3" in err and "belopp_mnkr" in err and "196,9" in err and "number" in err
    assert "Traceback" not in err
    debug = run_cli("validate", "--year", "2023", "--root", project, "--debug")
    assert "Traceback" in debug.stderr  # --debug shows it


def test_invalid_params_unknown_key_missing_key_wrong_type(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "params/2023/koncernkontoret.yaml").write_text(
        "ar: '2023'\nforvaltning: koncernkontoret\navsnitt: [hr]\nfarg: blå\n", encoding="utf-8")
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render")
    assert proc.returncode == 1
    err = proc.stderr
    assert "params/2023/koncernkontoret.yaml" in err
    assert "farg" in err and "unknown key" in err  # unknown key
    assert "namn" in err and "missing key" in err  # missing key
    assert "line 1" in err and "ar" in err  # wrong type (a string, not a whole number)
    assert not (project / "reports").exists()  # nothing ran, nothing was written


def test_printed_python_is_the_one_running_not_the_base_interpreter_of_its_venv(tmp_path, monkeypatch):
    """A venv's python is a link to the base interpreter: ``python`` on PATH that resolves to the
    same file but lies in another folder runs without the venv's packages, so it is not printed."""
    import os
    import sys

    from kompetensrapport import commands

    base = tmp_path / "base-bin"
    base.mkdir()
    (base / "python").symlink_to(os.path.realpath(sys.executable))
    monkeypatch.setenv("PATH", str(base))
    assert commands.python_command() != "python"
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    if os.path.basename(sys.executable) == "python":
        assert commands.python_command() == "python"
