"""Versions and corrections: ``kompetensrapport publish`` and the page "Ändringar och rättelser".

The comparison, the corrections file and the page text are checked on small frames; the whole
story on a real copy of the project, built and rendered with Quarto: publish 2023.1 into a target,
change a value, build again, and publish 2023.2 only once the change has a reason, with 2023.1's
downloads kept under ``versioner/2023.1/`` and the target never half-written.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pandas as pd
import pytest
import yaml

from conftest import FILLED_PUBLISHING, ROOT, run_cli, snapshot
from kompetensrapport.domain import changes
from kompetensrapport.exceptions import InputError, UsageError
from kompetensrapport.inputs import corrections
from kompetensrapport.pipeline import publish as pub
from kompetensrapport.pipeline import versions
from kompetensrapport.present import changes as page

NBSP = "\u00a0"
#: A filled publisher file (its contact e-mail address may stand in the site's pages).
FILLED = FILLED_PUBLISHING
#: The value the story changes: hr_nyckeltal.csv, line 3 (koncernkontoret's monthly-paid staff, 2022).
FILE, LINE, COLUMN, OLD, NEW = "hr_nyckeltal.csv", 3, "varde", "835", "836"
REASON = "Felskrivet i underlaget: rätt värde enligt <årsredovisningen> | sid. 4"


def frame(rows: dict, lines: list[int]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=lines)


# --- the comparison -------------------------------------------------------------------------------

def test_compare_names_file_line_key_column_old_and_new():
    before = {"a.csv": frame({"k": ["x", "y", "z"], "v": ["1", "2", "3"]}, [2, 3, 4])}
    after = {"a.csv": frame({"k": ["x", "y", "w"], "v": ["1", "5", "9"]}, [2, 3, 4])}
    found = changes.compare(before, after, {"a.csv": ["k"]})
    assert found[["fil", "typ", "rad", "kolumn", "tidigare", "nu"]].values.tolist() == [
        ["a.csv", changes.CHANGED, 3, "v", "2", "5"],
        ["a.csv", changes.ADDED, 4, "", "", ""],
        ["a.csv", changes.REMOVED, 4, "", "", ""],
    ]
    assert found.loc[0, "nyckel"] == (("k", "y"),)
    assert found.loc[1, "varden"] == (("k", "w"), ("v", "9"))


def test_compare_without_key_pairs_identical_rows_first():
    """A row inserted into a file without key columns is one added row, not a change of every
    row after it; an edited row is a change of its value."""
    before = {"b.csv": frame({"t": ["a", "b", "c"], "n": ["1", "2", "3"]}, [2, 3, 4])}
    after = {"b.csv": frame({"t": ["a", "new", "b", "c"], "n": ["1", "7", "2", "4"]}, [2, 3, 4, 5])}
    found = changes.compare(before, after, {})
    assert found[["typ", "rad", "rad_tidigare", "kolumn", "tidigare", "nu"]].values.tolist() == [
        [changes.ADDED, 3, 0, "", "", ""], [changes.CHANGED, 5, 4, "n", "3", "4"]]
    assert found.loc[0, "varden"] == (("t", "new"), ("n", "7"))


def test_compare_a_file_in_one_version_only_is_all_added_or_removed():
    rows = frame({"k": ["x"]}, [2])
    assert changes.compare({}, {"n.csv": rows}, {})["typ"].tolist() == [changes.ADDED]
    assert changes.compare({"o.csv": rows}, {}, {})["typ"].tolist() == [changes.REMOVED]
    assert changes.compare({"s.csv": rows}, {"s.csv": rows}, {}).empty


def test_reasons_cover_their_change_and_unused_reasons_are_returned():
    found = changes.compare({"a.csv": frame({"k": ["x"], "v": ["1"]}, [2])},
                            {"a.csv": frame({"k": ["x", "y"], "v": ["2", "3"]}, [2, 3])}, {"a.csv": ["k"]})
    mine = [corrections.Correction("2023.2", "a.csv", 2, "v", "Rättat", "2024-03-01", 2),
            corrections.Correction("2023.2", "a.csv", 3, "", "Ny rad", "2024-03-01", 3),
            corrections.Correction("2023.2", "a.csv", 9, "v", "Fel rad", "2024-03-01", 4),
            corrections.Correction("2023.3", "a.csv", 2, "v", "Senare version", "2024-05-01", 5)]
    explained, unused = changes.explain(found, mine, "2023.2")
    assert explained["skal"].tolist() == ["Rättat", "Ny rad"]
    assert [c.line for c in unused] == [4]


# --- the corrections file -------------------------------------------------------------------------

def test_corrections_file_problems_name_line_column_value_and_rule(tmp_path):
    (tmp_path / "rattelser").mkdir()
    (tmp_path / "rattelser" / "2023.csv").write_text(
        "version,fil,rad,kolumn,skal,datum\n"
        "2023.2,hr_nyckeltal.csv,3,varde,Rättat,2024-03-01\n"
        "2024.2,hr_nyckeltal.csv,x,varde,,1 mars\n"
        "2023.2,hr_nyckeltal.csv,3,varde,Igen,2024-03-02\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        corrections.read(tmp_path, 2023)
    expected = ["rattelser/2023.csv, line 3, column 'version', value '2024.2': must be a version of 2023",
                "line 3, column 'rad', value 'x'", "line 3, column 'skal': the reason is missing",
                "line 3, column 'datum', value '1 mars': must be a date written YYYY-MM-DD",
                "line 4, column 'rad', value '3': the same version, file, line and column stand on line 2"]
    assert [m for m in expected if m not in str(e.value)] == []


def test_no_corrections_file_means_no_reasons(tmp_path):
    assert corrections.read(tmp_path, 2023) == []


def test_key_columns_come_from_the_schemas():
    keys = corrections.row_keys(["hr_nyckeltal.csv", "regionbidrag.csv", "handlingsplan.csv"])
    assert keys == {"hr_nyckeltal.csv": ["forvaltning", "nyckeltal", "ar", "omfattning"],
                    "regionbidrag.csv": ["ar"], "handlingsplan.csv": []}


# --- the page -------------------------------------------------------------------------------------

def test_page_without_publication_says_there_are_no_changes_yet():
    text = page.page(2023, "2023.1", None, [])
    assert "## Version 2023.1" in text
    assert "Inga ändringar ännu" in text
    assert "Tidigare versioner" not in text


def test_page_lists_changes_escaped_with_swedish_numbers_and_links_earlier_versions():
    found = changes.compare({"a.csv": frame({"k": ["*x*"], "v": ["1234567.5"]}, [2])},
                            {"a.csv": frame({"k": ["*x*"], "v": ["12.25"]}, [2])}, {"a.csv": ["k"]})
    mine = [corrections.Correction("2023.2", "a.csv", 2, "v", "<b>fel</b> | x", "2024-03-01", 2)]
    explained, _ = changes.explain(found, mine, "2023.2")
    first = page.Published("2023.1", "2024-02-01", None, versions.archive_link("2023.1"))
    text = page.page(2023, "2023.2", explained, [first])
    assert f"| 2 | k: \\*x\\* | v | 1{NBSP}234{NBSP}567,5 | 12,25 | \\<b\\>fel\\</b\\> \\| x (1 mars 2024) |" in text
    assert f"Jämfört med version 2023.1 (publicerad 1 februari 2024): 1{NBSP}ändrat värde." in text
    two = pd.concat([explained, explained.assign(typ=changes.ADDED), explained.assign(typ=changes.REMOVED)])
    assert page.summary(two) == f"1{NBSP}ändrat värde, 1{NBSP}tillagd rad och 1{NBSP}borttagen rad"
    assert "[Nedladdningar och PDF:er i version 2023.1](versioner/2023.1/index.html)" in text


def test_values_are_shown_the_swedish_way():
    assert [page.value(v) for v in ("2023", "12345", "-3", "0.5", "", "a|b")] == [
        "2023", f"12{NBSP}345", "\u22123", "0,5", "(tom)", "a\\|b"]


def test_archive_page_escapes_file_names():
    html = pub.archive_page(2023, "2023.1", ["a<b>.pdf", "nedladdning/x&y.csv"])
    assert "a&lt;b&gt;.pdf" in html and "x&amp;y.csv" in html and "<b>" not in html
    assert '<html lang="sv">' in html


def test_a_target_holding_other_files_is_refused(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "viktig.txt").write_text("x")
    (tmp_path / "web" / ".git").mkdir()
    with pytest.raises(UsageError, match="holds files that no publish wrote .viktig.txt"):
        pub._check_target(tmp_path / "web", 2023, [])
    (tmp_path / "web" / "viktig.txt").unlink()
    assert pub._check_target(tmp_path / "web", 2023, []) == []  # hidden entries only: a new pages branch


# --- the whole story on a real build ---------------------------------------------------------------

def _publisher_file(project, values: dict) -> None:
    (project / "publicering.yml").write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")


def _build(project, *extra) -> None:
    proc = run_cli("build", "--year", "2023", "--root", project, "--jobs", "2", *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _publish(project, target, *extra):
    return run_cli("publish", "--year", "2023", "--root", project, "--target", target, *extra)


def _set_value(project, file: str, line: int, column: str, old: str, new: str) -> None:
    path = project / "data" / "2023" / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[line - 1].split(",")
    assert cells[header.index(column)] == old, lines[line - 1]
    cells[header.index(column)] = new
    lines[line - 1] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def story(rendered_site, tmp_path_factory):
    """Every step of publishing two versions, with what each step printed and left behind. It
    starts from a copy of the project the ``rendered_site`` fixture built (with the publisher's
    details filled in), so its first build finds nothing changed."""
    base = tmp_path_factory.mktemp("publish")
    project = base / "p"
    shutil.copytree(rendered_site.parent, project, symlinks=True)  # the symlinks into .build are relative
    target = base / "web"
    _publisher_file(project, FILLED)
    s = {"project": project, "target": target}
    _build(project)
    s["first_page"] = (project / "_site" / "andringar.html").read_text(encoding="utf-8")

    # placeholders in publicering.yml: refused, naming the keys
    shutil.copyfile(ROOT / "publicering.yml", project / "publicering.yml")
    s["placeholders"] = _publish(project, target)
    _publisher_file(project, FILLED)

    # the target is a checked-out pages branch: its repository and CNAME stay
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / "CNAME").write_text("kompetens.example.org\n", encoding="utf-8")
    s["dry_run"] = _publish(project, target, "--dry-run")
    s["after_dry_run"] = (snapshot(target), (project / "publiceringar").exists())
    s["first"] = _publish(project, target)
    s["after_first"] = snapshot(target)
    s["first_record"] = (project / "publiceringar" / "2023.yml").read_text(encoding="utf-8")

    _set_value(project, FILE, LINE, COLUMN, OLD, NEW)
    _build(project)
    s["changed_page"] = (project / "_site" / "andringar.html").read_text(encoding="utf-8")
    s["no_reason"] = _publish(project, target)
    s["after_no_reason"] = snapshot(target)

    (project / "rattelser").mkdir()
    (project / "rattelser" / "2023.csv").write_text(
        f"version,fil,rad,kolumn,skal,datum\n2023.2,{FILE},{LINE},{COLUMN},\"{REASON}\",2024-03-01\n",
        encoding="utf-8")
    s["stale"] = _publish(project, target)
    _build(project)  # the build sees the changed reasons (rattelser/ is one of its inputs)
    s["reason_page"] = (project / "_site" / "andringar.html").read_text(encoding="utf-8")

    # a copy that fails half-way (a link to nothing in the site) leaves the target as it was
    broken = project / "_site" / "zz-trasig-lank"
    broken.symlink_to(base / "finns-inte")
    s["failed_copy"] = _publish(project, target)
    s["after_failed_copy"] = snapshot(target)
    s["leftovers"] = sorted(p.name for p in base.iterdir() if p.name.startswith(".web.publish-"))
    s["record_after_failure"] = (project / "publiceringar" / "2023.yml").read_text(encoding="utf-8")
    s["kept_after_failure"] = sorted(p.name for p in (project / "publiceringar" / "2023").iterdir())
    broken.unlink()

    s["second"] = _publish(project, target)
    s["again"] = _publish(project, target)
    return s


@pytest.mark.quarto
def test_the_first_build_says_there_are_no_changes_yet(story):
    assert "Inga ändringar ännu" in story["first_page"]
    assert "Version 2023.1" in story["first_page"]


@pytest.mark.quarto
def test_publish_refuses_placeholders_and_names_the_keys(story):
    proc = story["placeholders"]
    assert proc.returncode == 1, proc.stderr
    for key in ("utgivare_webbplats", "webbplats", "kontakt_epost", "aterkoppling", "svarstid", "licens.id"):
        assert f"key {key}'" in proc.stderr
    assert "placeholder" in proc.stderr


@pytest.mark.quarto
def test_a_dry_run_checks_and_writes_nothing(story):
    assert story["dry_run"].returncode == 0, story["dry_run"].stderr
    assert "as version 2023.1" in story["dry_run"].stdout and "Nothing was written" in story["dry_run"].stdout
    files, recorded = story["after_dry_run"]
    assert "index.html" not in files and not recorded


@pytest.mark.quarto
def test_a_pages_branch_keeps_its_repository_and_cname(story):
    target = story["target"]
    assert story["second"].returncode == 0
    assert (target / "CNAME").read_text(encoding="utf-8") == "kompetens.example.org\n"
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True)
    assert status.returncode == 0 and "index.html" in status.stdout


@pytest.mark.quarto
def test_the_first_publication_is_version_1_with_its_data_kept(story):
    project, target = story["project"], story["target"]
    assert story["first"].returncode == 0, story["first"].stderr
    assert "version 2023.1" in story["first"].stdout
    assert "index.html" in story["after_first"] and "andringar.html" in story["after_first"]
    record = yaml.safe_load(story["first_record"])
    assert [r["version"] for r in record] == ["2023.1"]
    assert record[0]["data"].startswith("sha256:") and record[0]["commit"]
    assert json.loads(story["after_first"]["versioner/publiceringar.json"])["publiceringar"][0]["version"] == "2023.1"
    kept = project / "publiceringar" / "2023" / "2023.1"
    assert (kept / FILE).read_text(encoding="utf-8").splitlines()[LINE - 1].split(",")[5] == OLD
    assert target.is_dir()


@pytest.mark.quarto
def test_the_changes_page_lists_file_line_column_old_and_new(story):
    text = story["changed_page"]
    assert "Ändringar och rättelser" in text
    assert FILE in text
    assert f"<td>{LINE}</td>" in text.replace(' style="text-align: right;"', "")
    for cell in (COLUMN, OLD, NEW, "koncernkontoret", "Månadsavlönade medarbetare"):
        assert f"{cell}" in text
    assert "skäl inte angivet" in text


@pytest.mark.quarto
def test_publish_refuses_a_change_without_a_reason_and_names_it(story):
    proc = story["no_reason"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"data/2023/{FILE}, line {LINE}, column '{COLUMN}', value '{NEW}'" in proc.stderr
    assert f"2023.2,{FILE},{LINE},{COLUMN},<skäl>" in proc.stderr
    assert story["after_no_reason"] == story["after_first"]


@pytest.mark.quarto
@pytest.mark.parametrize("step, changed", [("stale", "rattelser/2023.csv"), ("again", "publiceringar/2023.yml")],
                         ids=["reasons written after the build", "published again without a build"])
def test_publish_refuses_a_site_built_before_its_inputs_changed(story, step, changed):
    proc = story[step]
    assert proc.returncode == 1
    assert f"{changed}: changed since the last build" in proc.stderr


@pytest.mark.quarto
def test_the_reason_reaches_the_page_as_text(story):
    text = story["reason_page"]
    assert "Felskrivet i underlaget" in text
    assert "&lt;årsredovisningen&gt;" in text and "<årsredovisningen>" not in text


@pytest.mark.quarto
def test_a_failed_copy_leaves_the_target_and_the_record_as_they_were(story):
    proc = story["failed_copy"]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "zz-trasig-lank" in proc.stderr and "the target and publiceringar/ are unchanged" in proc.stderr
    assert story["after_failed_copy"] == story["after_first"]
    assert story["leftovers"] == []
    assert story["record_after_failure"] == story["first_record"]
    assert story["kept_after_failure"] == ["2023.1"]


@pytest.mark.quarto
def test_the_second_publication_is_recorded_and_keeps_the_first_downloads(story):
    from test_site import broken_links

    project, target = story["project"], story["target"]
    proc = story["second"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "version 2023.2" in proc.stdout
    record = yaml.safe_load((project / "publiceringar" / "2023.yml").read_text(encoding="utf-8"))
    assert [r["version"] for r in record] == ["2023.1", "2023.2"]
    assert record[0]["data"] != record[1]["data"]
    first = story["after_first"]
    downloads = [name for name in first if name.startswith("2023/nedladdning/") or
                 (name.startswith("2023/") and name.endswith(".pdf"))]
    assert downloads
    for name in downloads:
        kept = target / "versioner" / "2023.1" / name.removeprefix("2023/")
        assert kept.read_bytes() == first[name], name
    archive = (target / "versioner" / "2023.1" / "index.html").read_text(encoding="utf-8")
    assert "Version 2023.1" in archive
    changes_page = (target / "andringar.html").read_text(encoding="utf-8")
    assert 'href="versioner/2023.1/index.html"' in changes_page
    assert "Felskrivet i underlaget" in changes_page
    assert broken_links(target) == []


@pytest.mark.quarto
def test_the_record_survives_a_fresh_clone(story, tmp_path):
    project = story["project"]
    subprocess.run(["git", "-C", str(project), "add", "publiceringar", "rattelser"], check=True)
    subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "commit", "-qm", "publish 2023.2"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    state = versions.state(clone, 2023)
    assert [r.version for r in state.records] == ["2023.1", "2023.2"]
    assert state.version == "2023.3"
    history = state.published[1].changes
    assert history[["fil", "rad", "kolumn", "tidigare", "nu", "skal"]].values.tolist() == [
        [FILE, LINE, COLUMN, OLD, NEW, REASON]]


def test_the_swap_exchanges_two_whole_folders(tmp_path):
    old, new = tmp_path / "web", tmp_path / ".web.publish-1"
    for folder, text in ((old, "gammal"), (new, "ny")):
        (folder / "2023").mkdir(parents=True)
        (folder / "index.html").write_text(text)
        (folder / "2023" / "sida.html").write_text(text)
    pub._swap(new, old)
    assert snapshot(old) == {"index.html": b"ny", "2023/sida.html": b"ny"}
    assert snapshot(new) == {"index.html": b"gammal", "2023/sida.html": b"gammal"}
    assert pub._exchange(new, old) in (True, False)  # True where renameat2 is there (Linux)


def test_a_failed_swap_puts_everything_back(tmp_path, monkeypatch):
    """When the swap itself fails, the pages branch's repository returns to the target, and
    neither the record nor the published data are written."""
    root, built, target = tmp_path / "p", tmp_path / "built", tmp_path / "web"
    (root / "data" / "2023").mkdir(parents=True)
    (root / "data" / "2023" / "a.csv").write_text("k,v\nx,1\n", encoding="utf-8")
    built.mkdir()
    (built / "index.html").write_text("ny")
    (target / ".git").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/pages\n")
    (target / "index.html").write_text("gammal")
    before = snapshot(target)

    def fail(new, old):
        raise OSError("swap failed")

    monkeypatch.setattr(pub, "_swap", fail)
    state = versions.State(2023, [], "2023.1", None, [], [], {})
    record = versions.Record("2023.1", "2024-03-01", "abc", "sha256:x")
    with pytest.raises(OSError, match="swap failed"):
        pub._replace(root, 2023, target, built, state, record, [])
    assert snapshot(target) == before
    assert not (root / "publiceringar").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "p", "web"]
