"""The build on the real 2023 data in a temporary copy of the project, and its failure modes."""

from __future__ import annotations


from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import copy_project, env_without_quarto, run_cli, snapshot


def _slugs(project):
    return sorted(p.stem for p in (project / "params/2023").glob("*.yaml"))


def test_build_runs_every_notebook_without_errors(built_project):
    project, proc = built_project
    assert proc.returncode == 0, proc.stdout + proc.stderr
    year = project / "reports/2023"
    for slug in _slugs(project) + ["oversikt"]:
        nb = nbformat.read(year / f"{slug}.ipynb", as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{slug}: {errors}"
        shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert shown, f"{slug}: the page shows nothing"


def test_progress_one_line_per_notebook(built_project):
    project, proc = built_project
    for slug in _slugs(project) + ["oversikt"]:
        line = [l for l in proc.stdout.splitlines() if f" {slug} " in l]
        assert line and " ok " in line[0] and line[0].rstrip().endswith(" s"), proc.stdout
    assert "Kernel is running" not in proc.stdout + proc.stderr  # kernel chatter goes to a log


def test_executed_notebooks_hide_code_and_carry_front_matter(built_project):
    project, _ = built_project
    nb = nbformat.read(project / "reports/2023/lasarettet-ystad.ipynb", as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "raw"
    meta = yaml.safe_load(first.source.strip().strip("-"))
    assert meta["title"] == "Lasarettet i Ystad" and meta["lang"] == "sv"
    assert meta["execute"]["echo"] is False and meta["execute"]["enabled"] is False
    for cell in nb.cells[1:]:
        if cell.cell_type == "code":
            assert "remove-input" in cell.metadata["tags"]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'forvaltning = "lasarettet-ystad"' in injected[0].source


def test_executed_notebooks_show_only_blocks(built_project):
    """Every output of an executed notebook is a displayed block (Markdown for the PDF, HTML for
    the site): no value a cell happens to end with, no printed text, no warning."""
    project, _ = built_project
    for path in sorted((project / "reports/2023").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                assert out.output_type == "display_data", (path.name, out.output_type, str(out)[:200])
                assert "text/markdown" in out.data, (path.name, str(out)[:200])


def test_executed_notebooks_keep_no_outline_headings(built_project):
    """The source notebook's Markdown headings (one per section, for analysts) stay out of the
    pages: a page's headings come from its sections, so a section the page lacks has none."""
    project, _ = built_project
    source = nbformat.read(project / "notebooks/forvaltning.ipynb", as_version=4)
    assert any(c.cell_type == "markdown" for c in source.cells)
    for path in sorted((project / "reports/2023").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert [c for c in nb.cells if c.cell_type == "markdown"] == [], path.name
    ystad = (project / "reports/2023/lasarettet-ystad.ipynb").read_text(encoding="utf-8")
    assert "## Resultaträkning" not in ystad  # a section Lasarettet i Ystad does not report


def test_quarto_project_lists_every_page(built_project):
    project, _ = built_project
    reports = project / "reports"
    config = yaml.safe_load((reports / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["lang"] == "sv" and config["project"]["type"] == "website"
    assert config["website"]["search"] is True
    assert config["execute"]["enabled"] is False and config["execute"]["echo"] is False
    hrefs = []
    for item in config["website"]["navbar"]["left"] + config["website"]["navbar"]["right"]:
        hrefs += [m["href"] for m in item.get("menu", [])] or [item["href"]]
    for href in hrefs:
        assert (reports / href).is_file(), href
    for slug in _slugs(project) + ["oversikt"]:
        assert f"2023/{slug}.ipynb" in hrefs, slug


def test_footer_names_year_date_and_commit(built_project):
    import subprocess

    project, _ = built_project
    sha = subprocess.run(["git", "-C", str(project), "rev-parse", "--short=12", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    config = yaml.safe_load((project / "reports/_quarto.yml").read_text(encoding="utf-8"))
    footer = config["website"]["page-footer"]["right"]
    assert "Rapportår 2023" in footer and sha in footer and "Byggd 20" in footer


def test_published_folders_are_symlinks_into_one_generation(built_project):
    project, _ = built_project
    assert (project / "reports").is_symlink() and (project / "_site").is_symlink()
    gens = list((project / ".build").glob("gen-*"))
    assert len(gens) == 1, "earlier staging folders are cleaned up"


def _break_notebook(project):
    path = project / "notebooks/forvaltning.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('if forvaltning == "koncernkontoret":\n    raise RuntimeError("planted failure")'))
    nbformat.write(nb, path)


@pytest.fixture
def good_build(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return project


def test_failing_notebook_leaves_previous_reports_byte_identical(good_build):
    project = good_build
    before = snapshot(project / "reports")
    _break_notebook(project)
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render", "--jobs", "2")
    assert proc.returncode == 3
    err = proc.stderr
    assert "koncernkontoret" in err and "notebooks/forvaltning.ipynb" in err and "planted failure" in err
    assert "cell [" in err and ".build/failed/2023/koncernkontoret.ipynb" in err
    assert (project / ".build/failed/2023/koncernkontoret.ipynb").is_file()
    assert "Traceback" not in err
    assert snapshot(project / "reports") == before
    assert len(list((project / ".build").glob("gen-*"))) == 1  # the failed staging folder is gone


def test_invalid_data_leaves_previous_reports_byte_identical(good_build):
    project = good_build
    before = snapshot(project / "reports")
    (project / "data/2023/hr_nyckeltal.csv").write_text("not,a,valid\nfile\n", encoding="utf-8")
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render")
    assert proc.returncode == 1
    assert snapshot(project / "reports") == before


def test_without_quarto_builds_pages_and_says_how_to_install(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = run_cli("build", "--year", "2023", "--root", project, "--only", "koncernkontoret",
                   env=env_without_quarto())
    assert proc.returncode == 4
    assert "pip install quarto-cli" in proc.stderr and "conda" in proc.stderr
    assert (project / "reports/2023/koncernkontoret.ipynb").is_file()
    assert (project / "reports/index.qmd").is_file()


def test_only_rebuilds_one_and_keeps_the_others(good_build):
    project = good_build
    before = snapshot(project / "reports/2023")
    proc = run_cli("build", "--year", "2023", "--root", project, "--only", "koncernkontoret", "--no-render", "--force")
    assert proc.returncode == 0, proc.stderr
    after = snapshot(project / "reports/2023")
    assert after["lasarettet-ystad.ipynb"] == before["lasarettet-ystad.ipynb"]
    assert "koncernkontoret" in proc.stdout and "lasarettet-ystad" not in proc.stdout


def _outputs_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for o in cell.outputs:
                parts += [str(v) for v in o.get("data", {}).values()] + [str(o.get("text", ""))]
    return "\n".join(parts)


def test_executed_notebooks_contain_the_totals(built_project):
    from helpers import csv, swedish

    project, _ = built_project
    ins, rr = csv("internbudget_insatser.csv"), csv("resultatrakning.csv")
    budget = _outputs_text(project / "reports/2023/personalnamnden.ipynb")
    assert f"{swedish(ins.anslag_tkr.sum())}\u00a0tkr" in budget  # 196 900 tkr
    result = rr[rr.typ == "resultat"].utfall_mkr.iloc[0]
    assert f"{swedish(result, 1, sign=True)}\u00a0mkr" in _outputs_text(project / "reports/2023/koncernkontoret.ipynb")
    assert "Resultaträkning" not in budget and "HR-nyckeltal" not in budget  # no empty sections


def test_no_personal_name_in_any_executed_notebook(built_project):
    from helpers import personal_names

    project, _ = built_project
    names = personal_names()
    for path in sorted((project / "reports").rglob("*.ipynb")) + sorted((project / "reports").glob("*.qmd")):
        text = path.read_text(encoding="utf-8").casefold()
        for name in names:
            assert name.casefold() not in text, f"a personal name from the sources appears in {path.name}"


def test_every_table_has_source_and_downloads_with_the_same_rows(built_project):
    import re

    import pandas as pd

    project, _ = built_project
    year = project / "reports/2023"
    checked = 0
    for nb_path in sorted(year.glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html", "")
                if '<table class="table kr"' not in html:
                    continue
                assert "<caption>" in html and 'scope="col"' in html and "Källa:" in html
                csv_href = re.search(r'href="(nedladdning/[^"]+\.csv)"', html).group(1)
                xlsx_href = re.search(r'href="(nedladdning/[^"]+\.xlsx)"', html).group(1)
                body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
                shown = body.count("<tr") - body.count('data-computed="true"')  # computed sums are not data
                data = pd.read_csv(year / csv_href)
                # the Excel file: a cover sheet, then the table below its title, source and a pointer
                assert len(pd.read_excel(year / xlsx_href, sheet_name="Tabell", skiprows=3)) == len(data)
                assert len(data) == shown, (nb_path.name, csv_href, len(data), shown)
                checked += 1
    assert checked > 20


def test_forvaltning_pages_are_also_pdfs_with_a_title_page(built_project):
    project, _ = built_project
    nb = nbformat.read(project / "reports/2023/koncernkontoret.ipynb", as_version=4)
    meta = yaml.safe_load(nb.cells[0].source.strip().strip("-"))
    assert meta["title"] == "Koncernkontoret" and "2023" in meta["subtitle"]
    assert meta["format"]["typst"]["pdf-standard"] == "ua-1" and "html" in meta["format"]


def test_nothing_published_names_the_build_machines_folders(built_project):
    """No published notebook, page, download or data file carries the project's absolute path or
    the home folder (the notebooks reach the project through a relative path)."""
    project, _ = built_project
    machine = [str(project).encode(), str(project.resolve()).encode(), str(Path.home()).encode() + b"/"]
    files = [p for p in (project / "reports").resolve().rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        content = path.read_bytes()
        assert not any(m in content for m in machine), path.relative_to((project / "reports").resolve())
    nb = nbformat.read(project / "reports/2023/oversikt.ipynb", as_version=4)
    assert 'root = "../../../.."' in nb.cells[2].source or any(
        'root = "../../../.."' in c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
