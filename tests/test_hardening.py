"""Hardening: broken inputs, interrupted and concurrent builds, markup in data, personal data.

The builds run the real command on a copy of a project that first had one good build (the
session's ``built_project``, copied with its published symlinks), and check that whatever goes
wrong, the published ``reports/`` stay byte-identical and the next build needs no manual cleanup.
The broken inputs are declared as data in ``tests/broken/`` (see its README): the cases marked
``command: true`` run through the real command, the others (invalid input that validation
refuses) through the build's validation function in this process, with the same message.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import CLI, ROOT, copy_project, run_cli, snapshot
from helpers import personal_names

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))
BUILD = ["build", "--year", "2023", "--no-render", "--jobs", "2"]


# -- a copy of the built project -----------------------------------------------------------------

@pytest.fixture(scope="session")
def good(built_project):
    """The project built once in this session (shared with test_build.py)."""
    project, proc = built_project
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project


@pytest.fixture
def project(good, tmp_path):
    """A private copy of the built project: inputs, git history and the published generation."""
    dest = tmp_path / "project"
    shutil.copytree(good, dest, symlinks=True)
    assert (dest / "reports").is_symlink() and (dest / "reports/2023/oversikt.ipynb").is_file()
    return dest


def build_args(project: Path, *extra) -> list[str]:
    return [*BUILD, "--root", str(project), *extra]


def staging_folders(project: Path) -> list[str]:
    return sorted(p.name for p in (project / ".build").glob("gen-*"))


def published(project: Path) -> str:
    return os.readlink(project / ".build/current")


# -- the corpus of broken inputs (tests/broken/*.yaml) -------------------------------------------

def _read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def apply_change(root: Path, change: dict) -> None:
    """Apply one declared change to the project in ``root`` (see tests/broken/README.md)."""
    op = change["op"]
    path = root / change["file"] if "file" in change else None
    if op == "replace":
        text = path.read_text(encoding="utf-8")
        assert change["old"] in text, f"{change['file']} no longer holds {change['old']!r}: update the case"
        path.write_text(text.replace(change["old"], change["new"], 1), encoding="utf-8")
    elif op == "write":
        path.write_bytes(change["text"].encode(change.get("encoding", "utf-8")))
    elif op == "reencode":
        path.write_bytes(path.read_text(encoding="utf-8").encode(change["encoding"]))
    elif op == "delete":
        path.unlink()
    elif op == "delete_glob":
        found = list(root.glob(change["glob"]))
        assert found, change
        for p in found:
            p.unlink()
    elif op == "rename":
        path.rename(root / change["to"])
    elif op == "copy":
        shutil.copyfile(path, root / change["to"])
    elif op == "append_line":
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + change["text"] + "\n", encoding="utf-8")
    elif op == "duplicate_line":
        lines = _lines(path)
        path.write_text("".join(lines) + lines[change["line"] - 1], encoding="utf-8")
    elif op == "keep_lines":
        path.write_text("".join(_lines(path)[: change["lines"]]), encoding="utf-8")
    elif op == "set_cell":  # line as in the file (1 = the header), column by its header name
        rows = _read_rows(path)
        rows[change["line"] - 1][rows[0].index(change["column"])] = str(change["value"])
        _write_rows(path, rows)
    elif op == "add_column":
        rows = _read_rows(path)
        _write_rows(path, [rows[0] + [change["column"]]] + [r + [str(change["value"])] for r in rows[1:]])
    elif op == "drop_column":
        rows = _read_rows(path)
        i = rows[0].index(change["column"])
        _write_rows(path, [r[:i] + r[i + 1:] for r in rows])
    elif op == "excel_semicolon":  # what Swedish Excel's "CSV" writes: semicolons, decimal commas
        rows = _read_rows(path)
        rows = [[re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", c) for c in r] for r in rows]
        _write_rows(path, rows, delimiter=";")
    elif op == "insert_cell":
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(change["index"], nbformat.v4.new_code_cell(change["source"]))
        nbformat.write(nb, path)
    else:
        raise ValueError(f"unknown op {op!r} in a case of tests/broken/")


def _case(path: Path) -> dict:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"what", "changes", "exit"} <= set(spec), f"{path.name}: what, changes and exit are required"
    assert spec["exit"] == 0 or spec.get("stderr"), f"{path.name}: a failing case declares its message"
    return spec


#: The cases that run through the real command (``command: true``), and the others.
COMMAND_CASES = [c for c in CASES if _case(c).get("command")]
VALIDATION_CASES = [c for c in CASES if c not in COMMAND_CASES]


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert (BROKEN / "README.md").is_file()
    # the real command ends with each of its exit statuses at least once
    assert {_case(c)["exit"] for c in COMMAND_CASES} == {0, 1, 2, 3}


def _check_message(spec: dict, stderr: str, stdout: str = "") -> None:
    """Every declared text is in the message (or the output), and no text it must not have."""
    out = f"--- stdout\n{stdout}\n--- stderr\n{stderr}"
    assert "Traceback" not in stderr + stdout, out
    for text in spec.get("stderr", []):
        assert text in stderr, f"{text!r} not in the message\n{out}"
    for text in spec.get("stderr_not", []):
        assert text not in stderr, f"{text!r} should not be in the message\n{out}"
    for text in spec.get("stdout", []):
        assert text in stdout, f"{text!r} not in the output\n{out}"


@pytest.mark.parametrize("case", VALIDATION_CASES, ids=lambda p: p.stem)
def test_broken_input_is_refused_by_validation(case, tmp_path, capsys):
    """The build's validation (:func:`~kompetensrapport.inputs.validate.require_valid`, which
    the build calls before any notebook runs) refuses the case with its exit status and message;
    its warnings go to standard error before the message, as the command prints them."""
    from kompetensrapport.exceptions import KompetensrapportError
    from kompetensrapport.inputs import validate

    spec = _case(case)
    assert spec["exit"] in (1, 2) and not spec.get("args") and not spec.get("stdout"), (
        f"{case.name}: only invalid input runs without the command; mark the case command: true")
    for part in ("data/2023", "params/2023"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_parts"))
    for change in spec["changes"]:
        assert change.get("file", change.get("glob", "data/")).startswith(("data/", "params/")), (
            f"{case.name} changes more than data and parameter files: mark it command: true")
        apply_change(tmp_path, change)
    with pytest.raises(KompetensrapportError) as err:
        validate.require_valid(tmp_path, spec.get("year", 2023))
    assert err.value.exit_code == spec["exit"], str(err.value)
    _check_message(spec, capsys.readouterr().err + str(err.value))


@pytest.mark.parametrize("case", COMMAND_CASES, ids=lambda p: p.stem)
def test_broken_input(case, project):
    spec = _case(case)
    before = snapshot(project / "reports")
    gen_before = published(project)
    for change in spec["changes"]:
        apply_change(project, change)
    args = [*BUILD, "--root", str(project), *spec.get("args", [])]
    if "year" in spec:
        args[args.index("2023")] = str(spec["year"])
    proc = run_cli(*args)
    out = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == spec["exit"], out
    _check_message(spec, proc.stderr, proc.stdout)
    if spec["exit"] == 0:
        assert published(project) != gen_before  # a new generation was published
        assert staging_folders(project) == [published(project)]
        return
    if spec["exit"] in (1, 2):  # invalid input is found before any notebook runs
        assert "Running" not in proc.stdout, out
        assert not (project / ".build/failed").exists()
    assert snapshot(project / "reports") == before
    assert published(project) == gen_before
    assert staging_folders(project) == [gen_before]  # the failed build's staging folder is gone


def test_debug_shows_the_traceback(project):
    apply_change(project, {"op": "replace", "file": "data/2023/regionbidrag.csv",
                           "old": "2023,196.9,", "new": '2023,"196,9",'})
    proc = run_cli(*build_args(project), "--debug")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "InputError" in proc.stderr
    assert "line 3, column 'belopp_mnkr', value '196,9'" in proc.stderr


# -- interrupted builds ------------------------------------------------------------------------

class Build:
    """A build running in the background in its own process group (kernels included: they run
    in sessions of their own and exit when the worker that started them is gone)."""

    def __init__(self, project: Path, *extra: str):
        self.project = project  # --force: run the notebooks although the inputs are unchanged
        # Ctrl-C reaches the build as in a terminal, also when the tests themselves were started
        # in the background by a shell, which makes them ignore SIGINT (and so the build)
        self.proc = subprocess.Popen([*CLI, *build_args(project, "--force", *extra)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: list[str] = []
        self.err: list[str] = []
        self._threads = [self._drain(self.proc.stdout, self.lines), self._drain(self.proc.stderr, self.err)]

    @staticmethod
    def _drain(stream, into: list):
        import threading

        t = threading.Thread(target=lambda: into.extend(iter(stream.readline, "")), daemon=True)
        t.start()
        return t

    def wait_for(self, text: str, timeout: float = 300) -> None:
        """Until a line of output contains ``text``; fail if the build ends first."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.lines)):
            assert self.proc.poll() is None, f"the build ended before printing {text!r}: {self.lines}{self.err}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s: {self.lines}"
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        rc = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=10)
        return rc, "".join(self.lines), "".join(self.err)


def processes_in(project: Path) -> list[int]:
    """Processes whose working folder lies in the project (the kernels run in the staging folder)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cwd = os.readlink(proc / "cwd")
            except OSError:
                continue
            if cwd == str(project) or cwd.startswith(f"{project}/"):
                pids.append(int(proc.name))
    return pids


def assert_no_process_left(project: Path, timeout: float = 20) -> None:
    """Kernels of a killed build exit on their own (they poll their parent); end any that do not,
    by their id, and fail."""
    deadline = time.monotonic() + timeout
    while processes_in(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = processes_in(project)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"processes of the killed build still run in the project: {left}"


def assert_next_build_succeeds(project: Path, before: dict[str, bytes]) -> None:
    """The next build (one förvaltning) needs no cleanup by hand, publishes, and leaves only its
    own generation; the pages it did not remake are the old ones, byte for byte."""
    proc = run_cli(*build_args(project, "--force", "--only", "koncernkontoret"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[1/1] koncernkontoret" in proc.stdout  # it ran, and published a new generation
    assert staging_folders(project) == [published(project)], "leftovers of the killed build remain"
    assert not list((project / ".build").glob("current.*.tmp"))
    after = snapshot(project / "reports")
    for name in ("2023/lasarettet-ystad.ipynb", "2023/oversikt.ipynb"):
        assert after[name] == before[name], name


def test_ctrl_c_stops_promptly_and_publishes_nothing(project):
    before, gen = snapshot(project / "reports"), published(project)
    # one notebook at a time: when the first has finished, five are still to run (several
    # seconds), so the interrupt always lands in a running build, however fast it has become
    build = Build(project, "--jobs", "1")
    build.wait_for("[1/")  # the first notebook has finished; others are running or queued
    sent = time.monotonic()
    build.signal(signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole foreground group
    rc, out, err = build.finish(timeout=180)
    took = time.monotonic() - sent
    assert "[6/6]" not in out, "the build finished before the interrupt reached it: " + out
    assert rc == 130, out + err
    assert "interrupted" in err and "Traceback" not in err, err
    assert took < 10, f"Ctrl-C took {took:.0f} s: the build ran the queued notebooks instead of stopping"
    assert_no_process_left(project)
    assert snapshot(project / "reports") == before
    assert published(project) == gen
    assert staging_folders(project) == [gen]  # the interrupted build removed its staging folder
    assert_next_build_succeeds(project, before)


def a_kernel_runs(project: Path, timeout: float = 60) -> None:
    """Until a process works in a staging folder of the build (a kernel running a notebook)."""
    deadline = time.monotonic() + timeout
    staging = f"{project}/.build/gen-"
    def working_there(pid: int) -> bool:
        try:
            return os.readlink(f"/proc/{pid}/cwd").startswith(staging)
        except OSError:  # it has just ended
            return False

    while not any(working_there(pid) for pid in processes_in(project)):
        assert time.monotonic() < deadline, "no kernel started"
        time.sleep(0.01)


@pytest.mark.parametrize("after, in_a_notebook", [("Validating", False), ("[1/", False), ("Running", True)],
                         ids=["while-validating", "after-first-notebook", "notebooks-running"])
def test_sigkill_leaves_published_reports_and_next_build_cleans_up(project, after, in_a_notebook):
    before, gen = snapshot(project / "reports"), published(project)
    build = Build(project, "--jobs", "1")  # one at a time: the build is still running when killed
    build.wait_for(after)
    if in_a_notebook:  # killed while a kernel runs the first notebook (0.4 s or more)
        a_kernel_runs(project)
    build.signal(signal.SIGKILL)  # no handler runs: whatever the build left stays behind
    rc, out, _ = build.finish(timeout=60)
    assert rc == -signal.SIGKILL
    assert_no_process_left(project)
    assert snapshot(project / "reports") == before
    assert published(project) == gen
    assert_next_build_succeeds(project, before)


# -- two builds at once --------------------------------------------------------------------------

def test_second_build_refuses_while_the_first_runs(project):
    before = snapshot(project / "reports")
    a, b = Build(project, "--only", "koncernkontoret"), Build(project, "--only", "koncernkontoret")
    deadline = time.monotonic() + 300
    while not any("Running" in line for line in a.lines + b.lines):
        assert time.monotonic() < deadline and (a.proc.poll() is None or b.proc.poll() is None)
        time.sleep(0.05)
    third = run_cli(*build_args(project))  # started while a notebook runs: refused at once
    results = [a.finish(), b.finish()]
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0, 5], results
    (_, won, _), (_, _, refused) = sorted(results)  # exit 0 first
    assert "Done in" in won
    assert "another build is running" in refused and "Traceback" not in refused
    assert third.returncode == 5 and "another build is running" in third.stderr, third.stderr
    assert third.stdout == ""  # refused before validating anything
    # one consistent generation: the winner's, with the other pages unchanged
    assert staging_folders(project) == [published(project)]
    after = snapshot(project / "reports")
    assert after["2023/lasarettet-ystad.ipynb"] == before["2023/lasarettet-ystad.ipynb"]
    nb = nbformat.read(project / "reports/2023/koncernkontoret.ipynb", as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


# -- markup in data ------------------------------------------------------------------------------

PAYLOADS = {"insats": "<script>alert(1)</script>", "yrke": "<script>alert(2)</script>",
            "aktivitet": "<script>alert(3)</script>"}


def _edit_csv(path: Path, fn) -> None:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame).to_csv(path, index=False)


def _plant_markup(project: Path) -> None:
    data = project / "data/2023"
    unit = "psykiatri-habilitering-hjalpmedel"

    def insats(f):  # the largest insats, so that the overview shows it too
        f.loc[f.anslag_tkr.astype(float).idxmax(), "insats"] = PAYLOADS["insats"]
        return f

    def yrke(f):
        f.loc[(f.forvaltning == unit) & (f.yrke == "Specialistsjuksköterska"), "yrke"] = PAYLOADS["yrke"]
        if "yrke_regionalt" in f:
            f.loc[f.yrke == PAYLOADS["yrke"], "yrke_regionalt"] = PAYLOADS["yrke"]
        return f

    def aktivitet(f):
        f.loc[f.index[f.forvaltning == unit][0], "aktivitet"] = PAYLOADS["aktivitet"]
        return f

    _edit_csv(data / "internbudget_insatser.csv", insats)
    _edit_csv(data / "kompetensanalys.csv", yrke)
    _edit_csv(data / "yrkesmappning.csv", yrke)
    _edit_csv(data / "handlingsplan.csv", aktivitet)


def test_markup_in_data_is_escaped_in_every_output(tmp_path):
    project = copy_project(tmp_path / "p")
    _plant_markup(project)
    # a first build with --only runs the overview too; these pages show the planted values
    proc = run_cli(*build_args(project, "--only", "personalnamnden", "--only", "psykiatri-habilitering-hjalpmedel"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notebooks = sorted((project / "reports/2023").glob("*.ipynb"))
    assert [p.stem for p in notebooks] == ["oversikt", "personalnamnden", "psykiatri-habilitering-hjalpmedel"]
    shown = {"text/html": "", "text/markdown": ""}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                for mime in shown:
                    text = output.get("data", {}).get(mime, "")
                    assert "<script>" not in text and "</script>" not in text, (path.name, mime, text[:300])
                    shown[mime] += text
    for payload in PAYLOADS.values():
        assert html_escaped(payload) in shown["text/html"], payload
        assert md_escaped(payload) in shown["text/markdown"], payload
    for page in (project / "reports").glob("*.qmd"):
        assert "<script>" not in page.read_text(encoding="utf-8"), page.name


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_escaped(text: str) -> str:
    return re.sub(r"([<>])", r"\\\1", text)


# -- personal data -------------------------------------------------------------------------------

def _hook_names() -> tuple[list[str], list[str]]:
    """The hook's list split into personal names and e-mail fragments."""
    entries = personal_names()
    return [e for e in entries if "@" not in e], [e for e in entries if "@" in e]


PHONES = ["040-675 30 00", "0709-12 34 56", "+46 40 675 30 00"]


def _plant(nb_path: Path, dest: Path, names: list[str], emails: list[str]) -> dict[str, int]:
    """Copy an executed notebook with personal data planted in outputs of different kinds;
    returns each planted text with the index of its cell."""
    nb = nbformat.read(nb_path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    where = {}
    for n, name in enumerate(names):
        i = code[n % len(code)]
        nb.cells[i].outputs.append(nbformat.v4.new_output(
            "display_data", data={"text/markdown": f"Kontaktperson: {name}, projektledare",
                                  "text/html": f"<p>Kontaktperson: {name.replace(' ', '&nbsp;')}</p>"}))
        where[name] = i
    for n, email in enumerate(emails):
        i = code[(n + 1) % len(code)]
        nb.cells[i].outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"Skriv till {email}\n"))
        where[email] = i
    for n, phone in enumerate(PHONES):
        i = code[(n + 2) % len(code)]
        nb.cells[i].outputs.append(nbformat.v4.new_output(
            "execute_result", data={"text/plain": f"'Ring {phone}'"}, execution_count=None))
        where[phone] = i
    nbformat.write(nb, dest)
    return where


def test_privacy_scan_finds_each_kind_of_personal_data(good, tmp_path):
    from kompetensrapport.pipeline import privacy

    names, fragments = _hook_names()
    assert names and fragments
    emails = [f"{fragments[0]}.se", "anna.andersson@example.org"]
    nb = tmp_path / "planted.ipynb"
    where = _plant(good / "reports/2023/koncernkontoret.ipynb", nb, names, emails)
    findings = privacy.scan([tmp_path])
    for text, cell in where.items():
        rule = (privacy.RULE_EMAIL if "@" in text else privacy.RULE_PHONE if text[-1].isdigit()
                else privacy.RULE_NAME)
        hits = [f for f in findings if f.cell == cell and f.rule == rule and f.text[:1] == text[:1]]
        assert hits, f"{rule} planted in cell {cell} was not found: {[str(f) for f in findings]}"
    # one finding per planted text (a name in both the Markdown and the HTML of an output counts once)
    assert len(findings) == len(names) + len(emails) + len(PHONES), [str(f) for f in findings]
    report = "\n".join(map(str, findings))
    for text in [*names, *emails, *PHONES, *fragments]:
        assert text.casefold() not in report.casefold(), f"a finding shows {text!r} unmasked"
    with pytest.raises(privacy.PersonalDataError) as err:
        privacy.check([nb], root=tmp_path)
    assert err.value.exit_code == 1 and isinstance(err.value, privacy.KompetensrapportError)
    assert str(err.value).count("planted.ipynb, cell ") == len(findings)


def test_privacy_scan_reads_pages_and_downloads(tmp_path):
    from kompetensrapport.pipeline import privacy

    names, _ = _hook_names()
    name = names[-1]
    (tmp_path / "index.qmd").write_text(f"---\ntitle: x\n---\n\nText\n\n{name.upper()} skrev\n", encoding="utf-8")
    (tmp_path / "sida.html").write_text(f"<p>{name.replace(' ', '&#160;')}</p>", encoding="utf-8")
    surname, first = name.rsplit(" ", 1)[1], name.rsplit(" ", 1)[0]
    (tmp_path / "tabell.csv").write_text(f"roll\n\"{surname}, {first}\"\n", encoding="utf-8")
    (tmp_path / "figur.png").write_bytes(b"\x89PNG " + name.encode())  # images are not text: skipped
    found = sorted(privacy.scan([tmp_path], root=tmp_path), key=lambda f: f.file)
    assert [(f.file, f.line, f.rule) for f in found] == [
        ("index.qmd", 7, privacy.RULE_NAME), ("sida.html", 1, privacy.RULE_NAME), ("tabell.csv", 2, privacy.RULE_NAME)]


def test_privacy_scan_finds_names_inside_longer_runs_of_capitalised_words():
    """A name among other capitalised words (a heading in title case), and the same person as
    ``Efternamn, Förnamn``, each found once, with what stands around them left alone."""
    from kompetensrapport.pipeline import privacy

    names, _ = _hook_names()
    name = next(n for n in names if len(n.split()) == 2)
    first, surname = name.split()
    text = (f"Rapport Från Enheten {name} Och Styrelsen. Granskad Av {surname}, {first} Och "
            f"Nämnden, {name}-Gruppen; Ensam Ordning {first}")
    found = [(match, rule) for _, match, rule in privacy.find_in_text(text)]
    assert found == [(name, privacy.RULE_NAME), (f"{surname}, {first}", privacy.RULE_NAME)]


def test_privacy_scanner_rescans_files_written_again_and_forgets_removed_ones(tmp_path):
    """The build scans a notebook as it finishes and the rest at the end: a file written again
    after its scan (as the build writes: a new file renamed over it) is scanned again."""
    from kompetensrapport.pipeline import privacy

    names, _ = _hook_names()
    table = tmp_path / "nedladdning" / "tabell.csv"
    table.parent.mkdir()
    table.write_text("roll\nchef\n", encoding="utf-8")
    scanner = privacy.Scanner(root=tmp_path)
    scanner.update([tmp_path])
    assert scanner.findings() == []
    fresh = table.with_suffix(".tmp")
    fresh.write_text(f"roll\n{names[0]}\n", encoding="utf-8")
    os.replace(fresh, table)
    (tmp_path / "sida.qmd").write_text(f"{names[-1]}\n", encoding="utf-8")
    scanner.update([tmp_path])
    assert [(f.file, f.line) for f in scanner.findings()] == [("nedladdning/tabell.csv", 2), ("sida.qmd", 1)]
    (tmp_path / "sida.qmd").unlink()
    with pytest.raises(privacy.PersonalDataError) as err:
        scanner.check()
    assert err.value.findings == [f for f in scanner.findings() if f.file == "nedladdning/tabell.csv"]


def test_privacy_scan_ignores_numbers_dates_and_places():
    from kompetensrapport.pipeline import privacy

    text = ("Regionbidrag 196 900 tkr (196,9 mnkr), 2022–2023, 2022-2023, beslut 2023-02-15, "
            "resultat +90,1 mkr, \u2212 4,2 mkr, 0,5 %, 1\u00a0889,3, 01-01, 2024-01-01 2023-01-01, "
            "Region Skåne, Lasarettet i Ystad, Psykiatri, habilitering och hjälpmedel, VUP Malmö/Tbg")
    assert privacy.find_in_text(text) == []


def test_every_name_of_the_hook_is_listed_and_never_written():
    from kompetensrapport.pipeline import privacy

    names, _ = _hook_names()
    for name in names:
        assert privacy.name_hash(name) in privacy.NAME_HASHES, "a name of the project's list is not hashed"
    root = Path(__file__).resolve().parents[1]
    tracked = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True).stdout.split()
    tracked.append("lib/kompetensrapport/pipeline/privacy.py")  # also before it is committed
    for rel in tracked:
        path = root / rel
        if rel.startswith("tests/") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace").casefold()
        for name in names:
            assert name.casefold() not in text, f"{rel} holds a personal name"


def test_real_executed_notebooks_have_no_personal_data(good):
    from kompetensrapport.pipeline import privacy

    reports = good / "reports"
    assert len(list((reports / "2023").glob("*.ipynb"))) == 6
    assert privacy.scan([reports], root=reports) == []


def test_build_refuses_to_publish_personal_data(project):
    """A name that validation cannot see (it scans the data and parameter files; this one comes
    from the notebook's code) reaches a page: the scan of the built output stops the build
    before publishing (exit 1)."""
    names, _ = _hook_names()
    before, gen = snapshot(project / "reports"), published(project)
    apply_change(project, {"op": "insert_cell", "file": "notebooks/forvaltning.ipynb", "index": 3,
                           "source": f"print({names[0] + ', Regional utveckling (RU)'!r})"})
    proc = run_cli(*build_args(project, "--only", "regional-utveckling"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "personal data" in proc.stderr and "2023/regional-utveckling.ipynb, cell " in proc.stderr
    assert names[0].casefold() not in (proc.stderr + proc.stdout).casefold()
    assert snapshot(project / "reports") == before and published(project) == gen
    assert staging_folders(project) == [gen]
