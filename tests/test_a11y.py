"""Accessibility: axe-core in headless Chromium over the real 2023 pages (WCAG 2.1 A and AA).

The pages are the executed notebooks of a real build exported to HTML without Quarto
(a11y.export_notebooks); the rendered Quarto site is checked in tests/test_site.py. The
check must find nothing on them, and must find a planted image without alt text and a planted
low-contrast table cell, each under its own rule.

Chromium (Debian's) and axe-core (npm) are installed by `make test` (.ci/install-chromium.sh). The
tests that need them skip, saying why, only when they are missing outside CI; in CI they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from conftest import require_tool, run_cli
from helpers import wcag_contrast
from kompetensrapport.pipeline import a11y
from kompetensrapport.present import tables

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_tools():
    """Skip (outside CI) or fail (in CI) when Chromium or axe-core is missing. Session-scoped, so it
    is decided before the (session-scoped) build runs."""
    require_tool(a11y.missing_tools())


@pytest.fixture(scope="module")
def exported(built_project, tmp_path_factory):
    """The real 2023 build's executed notebooks exported to HTML: (reports folder, out folder, pages)."""
    project, proc = built_project
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path_factory.mktemp("exported")
    pages = a11y.export_notebooks(project / "reports", out)
    return project / "reports", out, pages


def _notebooks(reports):
    return sorted((reports / "2023").glob("*.ipynb"))


def _title(nb_path) -> str:
    """The title in the executed notebook's front matter, read with plain nbformat and yaml."""
    first = nbformat.read(nb_path, as_version=4).cells[0]
    return yaml.safe_load(first.source.strip().strip("-"))["title"]


# -- the export -------------------------------------------------------------------------------

def test_export_writes_one_swedish_page_per_notebook(exported):
    reports, out, pages = exported
    notebooks = _notebooks(reports)
    assert len(notebooks) == 6  # five förvaltningar and the overview
    assert sorted(p.relative_to(out).as_posix() for p in pages) == [f"2023/{nb.stem}.html" for nb in notebooks]
    for nb_path in notebooks:
        page = (out / "2023" / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        title = _title(nb_path)
        escaped = title.replace("&", "&amp;")
        assert re.search(r'<html lang="sv"', page), nb_path.stem
        assert f"<title>{escaped}</title>" in page, nb_path.stem
        assert len(re.findall(r"<h1\b", page)) == 1 and f">{escaped}</h1>" in page, nb_path.stem
        assert "---\ntitle:" not in page  # the front matter is not shown as text
        assert "lang: sv" not in page


def test_export_removes_code_and_loads_nothing_from_outside(exported):
    reports, out, pages = exported
    for page_path in pages:
        page = page_path.read_text(encoding="utf-8")
        assert 'class="jp-InputArea' not in page and 'class="jp-Cell-inputWrapper' not in page, page_path.name
        assert "show(" not in page, page_path.name
        assert "from kompetensrapport" not in page and "load.load_year" not in page, page_path.name
        assert not re.search(r"""<script[^>]+src=["']https?:""", page), page_path.name
        assert not re.search(r"""<link[^>]+href=["']https?:""", page), page_path.name


def _serialised(fragment: str) -> str:
    """HTML as BeautifulSoup writes it (nbconvert re-serialises the whole page with it)."""
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(fragment, features="html.parser")).strip()


def test_export_holds_every_table_and_figure_of_the_notebook(exported):
    """Every HTML output of the executed notebook (the tables and figures Quarto embeds) is in the page
    unchanged; a table's downloads sit beside the page."""
    reports, out, _ = exported
    n_tables = n_figures = 0
    for nb_path in _notebooks(reports):
        page = (out / "2023" / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        nb = nbformat.read(nb_path, as_version=4)
        htmls = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if "data" in o and "text/html" in o["data"]]
        assert htmls, nb_path.stem
        for h in htmls:
            assert _serialised(h) in page, f"{nb_path.stem}: an output is missing: {h[:120]}"
            n_tables += h.count('<table class="table kr"')
            n_figures += h.count("<figure")
        for href in re.findall(r'href="(nedladdning/[^"]+)"', page):
            assert (out / "2023" / href).is_file(), href
    assert n_tables > 10 and n_figures >= 5, (n_tables, n_figures)


# -- the real pages pass ----------------------------------------------------------------------

def test_exported_real_pages_have_no_wcag_violations(browser_tools, exported):
    _, out, pages = exported
    assert len(a11y.html_pages(out)) == len(pages) == 6  # every page is checked
    found = a11y.check_site(out)
    assert found == [], "\n".join(map(str, found))


# -- the check finds planted faults -----------------------------------------------------------

def _page(body: str, css: str = "") -> str:
    """A minimal, otherwise clean Swedish page around ``body``."""
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Provsida</title>'
            f"<style>{css}</style></head><body><main><h1>Provsida</h1>{body}</main></body></html>")


@pytest.fixture(scope="module")
def planted(browser_tools, exported, tmp_path_factory):
    """One folder with a clean page and three broken ones, checked in one run: (folder, violations)."""
    reports, out, _ = exported
    folder = tmp_path_factory.mktemp("planted")
    planted_reports = tmp_path_factory.mktemp("planted-reports")
    grey = pd.DataFrame({"Förvaltning": ["Lasarettet i Ystad", "Koncernkontoret"],
                         "Yrken (antal)": ["41", "12"]})
    styles = pd.DataFrame([["", "color:#999999;background-color:#ffffff"], ["", ""]], columns=grey.columns)
    table = tables.Table(grey, caption="Yrken per förvaltning", source="provdata", name="prov-kontrast",
                         numeric=["Yrken (antal)"], styles=styles)
    clean = tables.Table(grey, caption="Yrken per förvaltning", source="provdata", name="prov-ren",
                         numeric=["Yrken (antal)"])
    css = (resources.files("kompetensrapport") / "templates" / "styles.css").read_text(encoding="utf-8")
    (folder / "lag-kontrast.html").write_text(_page(table.html(), css), encoding="utf-8")
    (folder / "ren.html").write_text(_page(clean.html(), css), encoding="utf-8")
    # a real page with the alt text of its first figure removed
    real = (out / "2023" / "oversikt.html").read_text(encoding="utf-8")
    assert real.count("<img") == 2
    no_alt, n = re.subn(r'(<img\b[^>]*?)\salt="[^"]*"', r"\1", real, count=1)
    assert n == 1
    (folder / "figur-utan-alt.html").write_text(no_alt, encoding="utf-8")
    # a notebook that shows a bare image (a plot without a Figure block): the export keeps it without alt
    _bare_image_notebook(reports / "2023" / "figurer" / "oversikt-regionbidrag.png", planted_reports / "2023")
    assert a11y.export_notebooks(planted_reports, folder) == [folder / "2023" / "bild.html"]
    return folder, a11y.check_site(folder)


def _bare_image_notebook(png, folder):
    """An executed notebook (front matter and one output) whose only output is a PNG without alt text."""
    import base64

    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_raw_cell("---\ntitle: Bild utan alternativtext\nlang: sv\n---\n"),
                nbformat.v4.new_code_cell("plt.show()", outputs=[nbformat.v4.new_output(
                    "display_data", data={"image/png": base64.b64encode(png.read_bytes()).decode("ascii"),
                                          "text/plain": "<Figure size 700x360 with 1 Axes>"})])]
    nbformat.write(nb, folder / "bild.ipynb")


def _on(found, page):
    return [v for v in found if v.page == page]


def test_low_contrast_premise():
    assert wcag_contrast("#999999", "#ffffff") < 4.5  # the planted cell really fails WCAG 1.4.3


def test_image_without_alt_is_caught(planted):
    _, found = planted
    hits = _on(found, "figur-utan-alt.html")
    assert [v.rule for v in hits] == ["image-alt"], "\n".join(map(str, hits))
    assert hits[0].impact == "critical" and "img" in hits[0].target and hits[0].html.startswith("<img")


def test_export_keeps_an_image_without_alt_missing(planted):
    """nbconvert writes an English placeholder alt text; the export removes it so the check sees the fault."""
    folder, found = planted
    page = (folder / "2023" / "bild.html").read_text(encoding="utf-8")
    assert "No description has been provided" not in page
    hits = _on(found, "2023/bild.html")
    assert [v.rule for v in hits] == ["image-alt"], "\n".join(map(str, hits))


def test_low_contrast_table_cell_is_caught(planted):
    _, found = planted
    hits = _on(found, "lag-kontrast.html")
    assert [v.rule for v in hits] == ["color-contrast"], "\n".join(map(str, hits))
    assert hits[0].html.startswith("<td") and ">41<" in hits[0].html and "#999999" in hits[0].html
    assert hits[0].impact == "serious"  # the cell itself is named (its html above), by tag or by class


def test_same_page_without_the_fault_passes(planted):
    _, found = planted
    assert _on(found, "ren.html") == []


# -- the command ------------------------------------------------------------------------------

def test_main_prints_violations_and_exits_1(planted, tmp_path, capsys):
    folder, _ = planted
    for name in ("ren.html", "lag-kontrast.html"):
        shutil.copyfile(folder / name, tmp_path / name)
    assert a11y.main(tmp_path) == 1
    text = capsys.readouterr().out
    assert "lag-kontrast.html: color-contrast (serious)" in text and "ren.html" not in text
    assert "<td" in text and "41" in text  # the element
    assert "1 WCAG 2.1 A/AA violation(s) on 1 of 2 page(s)" in text


def test_main_exits_0_when_nothing_is_found(planted, tmp_path, capsys):
    folder, _ = planted
    shutil.copyfile(folder / "ren.html", tmp_path / "ren.html")
    assert a11y.main(tmp_path) == 0
    assert "1 page(s)" in capsys.readouterr().out


def test_main_says_how_to_install_when_tools_are_missing(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.html").write_text(_page("<p>Hej</p>"), encoding="utf-8")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not (Path(p) / "chromium").exists()]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    monkeypatch.setenv(a11y.AXE_ENV, str(tmp_path / "no-such-axe.min.js"))
    assert a11y.main(tmp_path) == 2
    err = capsys.readouterr().err
    assert "chromium" in err and "axe-core" in err
    assert "sh .ci/install-chromium.sh" in err and "npm ci" in err
    with pytest.raises(a11y.ToolMissing):
        a11y.check_site(tmp_path)


def test_main_refuses_a_folder_without_pages(tmp_path, capsys):
    assert a11y.main(tmp_path / "missing") == a11y.NO_SITE
    assert a11y.main(tmp_path) == a11y.NO_SITE
    assert "no HTML page" in capsys.readouterr().err


def test_cli_check_site(planted, tmp_path):
    folder, _ = planted
    shutil.copyfile(folder / "lag-kontrast.html", tmp_path / "lag-kontrast.html")
    proc = run_cli("check-site", tmp_path)
    assert proc.returncode == 1 and "lag-kontrast.html: color-contrast" in proc.stdout
    assert run_cli("check-site", tmp_path / "nope").returncode == a11y.NO_SITE
