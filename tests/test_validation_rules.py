"""Validation rules of issue 17: a listed section needs rows of its förvaltning and of the report
year; personal data in the data and parameter files; a data file copied from the year before;
reconciliation messages that name both files and show the values as the files write them.

The broken-input corpus (tests/broken/) runs the same rules through the real build; here are the
functions themselves, and the copied year, which needs two years (the corpus has one)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import ROOT, copy_project, run_cli
from kompetensrapport.inputs import load
from kompetensrapport.pipeline import privacy
from kompetensrapport.inputs.validate import same_as_year_before, validate_year

#: A made-up person (no one in the source documents); tests add its hash to the list of names.
NAME = "Tessa Provsdotter"


@pytest.fixture
def project(tmp_path):
    """The real 2023 data and parameter files in a temporary project."""
    for part in ("data/2023", "params/2023"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_parts"))
    return tmp_path


@pytest.fixture
def known_name(monkeypatch):
    """:data:`NAME` counts as a name of the source documents (only as its salted hash)."""
    monkeypatch.setattr(privacy, "NAME_HASHES", privacy.NAME_HASHES | {privacy.name_hash(NAME)})


def _edit(root, name: str, line: int, column: str, value: str, year: int = 2023) -> None:
    """Set one cell of a data file (``line`` as in the file, 1 = the header)."""
    path = root / f"data/{year}" / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    frame.to_csv(path, index=False)


# -- the real data ---------------------------------------------------------------------------------

def test_the_real_2023_data_passes_every_new_rule():
    report = validate_year(ROOT, 2023, show_warnings=False)
    assert report.ok, [str(p) for p in report.problems]
    assert report.warnings == []  # there is no data/2022 to compare with


# -- a listed section without rows of its förvaltning and year ---------------------------------------

def test_rows_for_selects_the_year_when_the_file_has_an_ar_column():
    data, _ = load.read_year(ROOT, 2023)
    hr = load.rows_for(data, "hr_nyckeltal.csv", "koncernkontoret")
    assert set(hr.ar) == {2022, 2023}
    assert set(load.rows_for(data, "hr_nyckeltal.csv", "koncernkontoret", 2023).ar) == {2023}
    assert load.rows_for(data, "hr_nyckeltal.csv", "koncernkontoret", 2024).empty
    # a file without an ar column: the year changes nothing
    assert len(load.rows_for(data, "handlingsplan.csv", "lasarettet-ystad", 2024)) == len(
        load.rows_for(data, "handlingsplan.csv", "lasarettet-ystad"))


def test_a_section_whose_rows_are_all_of_another_year_is_an_error(project):
    path = project / "data/2023/hr_nyckeltal.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame.ar == "2022"]  # only the year before's figures are left
    frame.to_csv(path, index=False)
    problems = validate_year(project, 2023, show_warnings=False).problems
    [p] = [p for p in problems if "has no rows" in p.rule]
    assert p.file == "data/2023/hr_nyckeltal.csv" and p.column == "forvaltning" and p.value == "koncernkontoret"
    assert "of 2023 (column 'ar': its rows are of 2022)" in p.rule
    assert "params/2023/koncernkontoret.yaml lists the section 'hr'" in p.rule


def test_a_section_without_rows_of_its_forvaltning_is_an_error(project):
    path = project / "data/2023/handlingsplan.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[frame.forvaltning != "lasarettet-ystad"].to_csv(path, index=False)
    problems = validate_year(project, 2023, show_warnings=False).problems
    assert [str(p) for p in problems] == [
        "data/2023/handlingsplan.csv, column 'forvaltning', value 'lasarettet-ystad': has no rows for "
        "'lasarettet-ystad', whose params/2023/lasarettet-ystad.yaml lists the section 'handlingsplan'"]


# -- a year copied from the year before ------------------------------------------------------------

@pytest.fixture
def two_years(tmp_path):
    """A project with 2023 and a 2024 made by ``new-year`` whose data files are 2023's copied."""
    root = copy_project(tmp_path / "project")
    proc = run_cli("new-year", "2024", "--root", root)
    assert proc.returncode == 0, proc.stderr
    for path in (root / "data/2023").glob("*.csv"):
        shutil.copyfile(path, root / "data/2024" / path.name)
    return root


def test_same_as_year_before_finds_copies_byte_for_byte_and_in_content(two_years):
    root = two_years
    names = sorted(p.name for p in (root / "data/2023").glob("*.csv"))
    assert [w.file for w in same_as_year_before(root, 2024)] == [f"data/2024/{n}" for n in names]
    w = same_as_year_before(root, 2024)[0]
    assert f"has the same content as data/2023/{names[0]}" in w.rule and "fill in 2024's figures" in w.rule
    # the same rows saved by another tool (byte-order mark, Windows line endings) are still a copy
    text = (root / "data/2023/regionbidrag.csv").read_text(encoding="utf-8")
    (root / "data/2024/regionbidrag.csv").write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    # a file with other figures is not, nor is a header-only file (new-year writes those)
    _edit(root, "hr_nyckeltal.csv", 2, "varde", "906", year=2024)
    header = (root / "data/2023/budgetmal.csv").read_text(encoding="utf-8").splitlines()[0]
    for year in (2023, 2024):
        (root / f"data/{year}/budgetmal.csv").write_text(header + "\n", encoding="utf-8")
    found = [w.file for w in same_as_year_before(root, 2024)]
    assert "data/2024/regionbidrag.csv" in found
    assert "data/2024/hr_nyckeltal.csv" not in found and "data/2024/budgetmal.csv" not in found
    assert same_as_year_before(root, 2023) == []  # no data/2022


def test_validate_and_build_warn_about_a_copied_year_and_name_the_section_left_empty(two_years):
    """The issue's case: 2023's files copied into data/2024. Koncernkontoret's HR rows are of
    2023 and 2022, so its HR section of 2024 would be left out: an error naming the file; every
    copied file is a warning. ``build`` validates first and shows the same."""
    root = two_years
    for command in ("validate", "build"):
        extra = ["--no-render", "--jobs", "1"] if command == "build" else []
        proc = run_cli(command, "--year", "2024", "--root", root, *extra)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert ("data/2024/hr_nyckeltal.csv, column 'forvaltning', value 'koncernkontoret': has no rows for "
                "'koncernkontoret' of 2024 (column 'ar': its rows are of 2023, 2022), whose "
                "params/2024/koncernkontoret.yaml lists the section 'hr'") in proc.stderr
        assert ("warning: data/2024/kompetensanalys.csv: has the same content as data/2023/kompetensanalys.csv"
                in proc.stderr), proc.stderr
        assert proc.stderr.count("warning: ") == len(list((root / "data/2023").glob("*.csv")))
        assert "Traceback" not in proc.stderr


def test_a_copied_file_is_only_a_warning(two_years):
    """With the HR figures of 2024 filled in, the copies left are warnings: exit status 0."""
    root = two_years
    path = root / "data/2024/hr_nyckeltal.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",2023,", ",2024,").replace(",2022,", ",2023,"),
                    encoding="utf-8")
    proc = run_cli("validate", "--year", "2024", "--root", root)
    assert proc.returncode == 0, proc.stderr
    assert "data/2024 and params/2024 are valid" in proc.stdout
    copies = len(list((root / "data/2023").glob("*.csv"))) - 1
    assert proc.stderr.count("warning: ") == copies and "hr_nyckeltal.csv" not in proc.stderr
    report = validate_year(root, 2024, show_warnings=False)
    assert report.ok and len(report.warnings) == copies


# -- personal data in the data and parameter files --------------------------------------------------

def test_table_problems_name_line_column_and_kind_and_mask_the_text(known_name):
    frame = pd.DataFrame({"roll": ["HR-chef", f"{NAME}, projektledare", "Enhetschef"],
                          "kontakt": [pd.NA, "ring 0709-12 34 56", "x.y@example.org"]}, dtype=object)
    found = privacy.table_problems(frame, [2, 4, 7], "data/2023/x.csv")
    assert [(p.line, p.column, p.rule.split(":")[0]) for p in found] == [
        (4, "kontakt", f"personal data ({privacy.RULE_PHONE})"),
        (4, "roll", f"personal data ({privacy.RULE_NAME})"),
        (7, "kontakt", f"personal data ({privacy.RULE_EMAIL})")]
    text = "\n".join(map(str, found))
    for planted in (NAME, "Tessa", "Provsdotter", "12 34", "x.y@"):
        assert planted not in text
    assert "data/2023/x.csv, line 4, column 'roll', value 'T**** P**********'" in text


def test_text_problems_name_the_key_of_a_parameter_file(project):
    path = project / "params/2023/koncernkontoret.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("namn: Koncernkontoret",
                                                             "namn: Koncernkontoret (info@skane.se)")
                    + "# frågor: 040-675 30 00\n", encoding="utf-8")
    problems = validate_year(project, 2023, show_warnings=False).problems
    assert [str(p).split(": personal data")[0] for p in problems] == [
        "params/2023/koncernkontoret.yaml, line 3, column 'key namn', value 'i***@s***.se'",
        "params/2023/koncernkontoret.yaml, line 5, value '040-*** ** 00'"]


def test_a_name_in_a_data_file_is_an_error_with_its_line_and_column(project, known_name):
    _edit(project, "handlingsplan.csv", 3, "ansvarig", f"{NAME.split()[1]}, {NAME.split()[0]}")
    problems = validate_year(project, 2023, show_warnings=False).problems
    [p] = problems
    assert (p.file, p.line, p.column) == ("data/2023/handlingsplan.csv", 3, "ansvarig")
    assert p.rule.startswith(f"personal data ({privacy.RULE_NAME})") and "Tessa" not in str(p)


def test_personal_data_in_a_file_too_broken_to_read_is_still_found(project):
    path = project / "data/2023/budgetmal.csv"
    path.write_text(path.read_text(encoding="utf-8") + "a,b,\"unclosed, anna@example.org\n", encoding="utf-8")
    problems = validate_year(project, 2023, show_warnings=False).problems
    assert any(p.line == 3 and "e-mail address" in p.rule for p in problems), [str(p) for p in problems]
    assert any("not valid CSV" in p.rule for p in problems)


# -- reconciliation: both files, values as written -------------------------------------------------

def test_a_mismatch_names_the_total_and_its_parts_with_values_as_written(project):
    _edit(project, "internbudget_insatser.csv", 2, "anslag_tkr", "500")
    problems = validate_year(project, 2023, show_warnings=False).problems
    [p] = [p for p in problems if "målområde 1" in p.rule]  # the overall total is the other one
    assert (p.file, p.line, p.column, p.value) == ("data/2023/internbudget_totaler.csv", 2, "belopp_tkr", "4800")
    assert str(p) == (
        "data/2023/internbudget_totaler.csv, line 2, column 'belopp_tkr', value '4800': stated total "
        "(målområde 1: summan av insatserna) is 4800 tkr but its parts sum to 4900 tkr: a difference of "
        "+100 tkr, more than rounding allows (±0); the parts stand in data/2023/internbudget_insatser.csv, "
        "lines 2–11, column 'anslag_tkr'")


def test_a_mismatch_in_mnkr_shows_the_value_as_the_file_writes_it(project):
    _edit(project, "regionbidrag.csv", 3, "belopp_mnkr", "197.9")
    problems = validate_year(project, 2023, show_warnings=False).problems
    [p] = [p for p in problems if "regionbidraget i tkr" in p.rule]
    assert p.value == "197.9" and "is 197900 tkr but its parts sum to 196900 tkr" in p.rule
    assert p.rule.endswith("the parts stand in data/2023/internbudget_totaler.csv, line 14, column 'belopp_tkr'")


def test_a_resultatrakning_mismatch_keeps_the_decimals_of_the_file(project):
    path = project / "data/2023/resultatrakning.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    line = 2 + int(frame.index[frame.typ == "summa_intakter"][0])
    _edit(project, "resultatrakning.csv", line, "utfall_mkr", "2388.1")
    problems = validate_year(project, 2023, show_warnings=False).problems
    p = next(p for p in problems if "verksamhetens intäkter, utfall" in p.rule)
    assert p.line == line and p.value == "2388.1"
    assert "is 2388.1 mkr but its parts sum to 2378.0 mkr: a difference of -10.1 mkr" in p.rule
    assert "the parts stand in data/2023/resultatrakning.csv, lines 2–5, column 'utfall_mkr'" in p.rule


def test_the_written_texts_follow_filtered_frames():
    data, _ = load.read_year(ROOT, 2023)
    tot = data["internbudget_totaler.csv"]
    row = tot.index[tot.niva == "total"][0]
    assert load.written(tot[tot.niva == "total"], row, "belopp_tkr") == "196900"
    assert load.written(tot, row, "benamning") is None  # text columns are kept as they are
    joined = pd.concat([tot, data["internbudget_insatser.csv"]])  # different files: attrs dropped, no error
    assert "written" not in joined.attrs


# -- the rules as messages state them ---------------------------------------------------------------

def test_every_check_of_the_schemas_states_its_rule():
    """A message shows a failed check's own ``error`` text as the rule; a check without one
    would show pandera's name for it (``greater_than_or_equal_to(0)``)."""
    from kompetensrapport.inputs.schemas import FILES

    without = []
    for file, model in FILES.items():
        schema = model.to_schema()
        checks = [(file, c) for c in schema.checks]
        checks += [(f"{file}, column {name}", c) for name, column in schema.columns.items() for c in column.checks]
        without += [f"{where}: {c.name}" for where, c in checks if not c.error]
    assert not without, without
