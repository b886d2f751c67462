"""The Tillgänglighetsredogörelse: what Digg asks of an accessibility statement, filled from the
publisher's configuration, the known shortcomings and the last check-site run; linked from every
page; placeholders shown as not given."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from conftest import FILLED_PUBLISHING as FILLED, ROOT



def _project(tmp_path, config=None, record=None):
    project = tmp_path / "p"
    project.mkdir()
    shutil.copytree(ROOT / "tillganglighet", project / "tillganglighet",
                    ignore=shutil.ignore_patterns("granskning.json"))
    if config is None:
        shutil.copyfile(ROOT / "publicering.yml", project / "publicering.yml")
    else:
        (project / "publicering.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    if record is not None:
        (project / "tillganglighet" / "granskning.json").write_text(json.dumps(record), encoding="utf-8")
    return project


def _text(page: str) -> str:
    """The page as readers read it: Markdown escapes removed, lines joined."""
    from kompetensrapport.present.escape import unmarkdown

    return " ".join(unmarkdown(page).split())


def _page(project, updated="2026-12-07"):
    from kompetensrapport.pipeline import site

    return site.statement_page(project, {"website": {"title": "Kompetensförsörjning i Region Skåne"}},
                               site.BuildInfo(2023, updated, "test"))


RECORD = {"datum": "2026-12-05", "verktyg": "axe-core 4.14.1", "regler": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
          "bredder_px": [1280, 320], "sidor": 11, "overtradelser": 1, "sidor_med_overtradelser": 1,
          "overtradelser_per_regel": {"color-contrast": 1}, "pdf": {"antal": 5, "taggade": 5}}


def test_the_statement_has_what_digg_asks_for(tmp_path):
    page = _page(_project(tmp_path, FILLED, RECORD))
    # the authority and the service
    assert "Region Skåne står bakom webbplatsen Kompetensförsörjning i Region Skåne" in page
    # conformance in Digg's words, with the reason
    assert "Webbplatsen är **delvis förenlig** med lagen (2018:1937)" in page
    # every known shortcoming, with its criterion and reason
    for entry in yaml.safe_load((ROOT / "tillganglighet/kanda-brister.yml").read_text(encoding="utf-8")):
        assert " ".join(entry["brist"].split()) in _text(page)
        assert f"(WCAG {entry['kriterium']}.)" in _text(page)
    # the dates of the assessment and of the update, in Swedish
    assert "Bedömningen gjordes den 5 december 2026." in page
    assert "uppdaterades senast den 7 december 2026" in page
    # the method and what the check found, singular and plural right
    assert "självskattning" in page
    assert "11\u00a0sidor" in page and "1\u00a0brist på 1\u00a0sida" in page
    assert "color-contrast: 1\u00a0brist" in page
    assert "5 av 5\u00a0PDF-filer är taggade" in page
    assert "Ingen människa har ännu granskat" in page
    # the feedback route, the contact and Digg's complaint form, as links
    assert "[https://www.example.org/synpunkter](https://www.example.org/synpunkter)" in page
    assert "[kompetens\\@example.org](mailto:kompetens@example.org)" in page
    assert "Svarstid: inom två arbetsdagar." in page
    assert "(https://www.digg.se/tdosanmalan)" in page
    # exempted content and content outside the law
    assert "oskäligt betungande anpassning" in page


def test_placeholders_reach_readers_as_not_given_and_no_check_as_not_done(tmp_path):
    page = _page(_project(tmp_path))  # the repository's publicering.yml, with placeholders
    assert "<" not in page.split("---", 2)[2]  # no placeholder text on the page
    assert "kontakta oss: inte angiven" in page
    assert "meddela oss: inte angiven. Svarstid: inte angiven." in page
    assert "webbplatsen har ännu inte granskats automatiskt" in page
    assert "Ingen bedömning är gjord ännu." in page


def test_fully_conformant_only_without_shortcomings_and_violations():
    from kompetensrapport.present import statement

    clean = dict(RECORD, overtradelser=0)
    assert statement.conformance([], clean) == "helt förenlig"
    assert statement.conformance([], RECORD) == "delvis förenlig"
    assert statement.conformance(["x"], clean) == "delvis förenlig"
    assert statement.conformance([], None) == "delvis förenlig"


def test_values_from_the_files_are_text_not_markup(tmp_path):
    config = dict(FILLED, utgivare="Region *Skåne* [x](javascript:alert(1))",
                  aterkoppling="javascript:alert(1)", kontakt_epost="a@b.se)(x")
    page = _page(_project(tmp_path, config))
    assert "Region \\*Skåne\\* \\[x\\](javascript:alert(1))" in page
    # a route that is neither https nor an e-mail address is no link
    assert not re.search(r"(?<!\\)\]\(javascript", page)
    assert "mailto:a@b.se)" not in page


def test_a_bad_publisher_file_is_reported_with_file_line_key_and_rule(tmp_path):
    from kompetensrapport.inputs import publishing

    project = _project(tmp_path, dict(FILLED, telefon="040-123"))
    (problem,) = publishing.problems(project)
    assert (problem.file, problem.line, problem.column) == ("publicering.yml", 8, "key telefon")
    assert "unknown key" in problem.rule
    (project / "tillganglighet/kanda-brister.yml").write_text("- brist: x\n", encoding="utf-8")
    rules = [str(p) for p in publishing.problems(project)]
    assert any("kanda-brister.yml" in r and "kriterium" in r for r in rules), rules


def test_check_site_records_its_run_only_for_a_projects_site(tmp_path):
    from kompetensrapport.pipeline import a11y

    project = _project(tmp_path)
    (project / "_quarto.yml").write_text("project: {type: website}\n", encoding="utf-8")
    (project / "params").mkdir()
    assert a11y.record_path(project / "_site") == project / "tillganglighet" / "granskning.json"
    assert a11y.record_path(tmp_path / "_site") is None
    assert a11y.record_path(project / "other") is None
    a11y.write_record(a11y.record_path(project / "_site"), [project / "a.html", project / "b.html"], [], project)
    record = a11y.read_record(project)
    assert record["sidor"] == 2 and record["overtradelser"] == 0 and record["bredder_px"] == [1280, 320]
    assert re.fullmatch(r"axe-core \d+\.\d+\.\d+", record["verktyg"]), record["verktyg"]


@pytest.mark.quarto
def test_every_page_links_the_statement_in_its_footer(rendered_site):
    pages = sorted(rendered_site.rglob("*.html"))
    statement = rendered_site / "tillganglighet.html"
    assert statement in pages
    html = statement.read_text(encoding="utf-8")
    # the heading may break after "Tillgänglighets" (a soft hyphen); the browser's title is the word
    assert "<h1 class=\"title\">Tillgänglighets\u00adredogörelse</h1>" in html
    assert re.search(r"<title>Tillgänglighetsredogörelse( – [^<]*)?</title>", html), re.findall("<title>.*?</title>", html)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        footer = html[html.find("nav-footer"):]
        href = re.search(r'href="([^"]*tillganglighet\.html)"', footer)
        assert href, f"{page.relative_to(rendered_site)}: no link to the statement in the footer"
        assert (page.parent / href.group(1)).resolve() == statement.resolve()


def test_the_publishers_contact_is_no_personal_data_in_the_pages_only(tmp_path):
    """The statement must show the publisher's contact address; the personal-data scan lets the
    configured addresses stand in the site's pages, and nowhere else."""
    from kompetensrapport.inputs import publishing
    from kompetensrapport.pipeline import privacy

    project = _project(tmp_path, FILLED)
    page = tmp_path / "site" / "tillganglighet.qmd"
    page.parent.mkdir()
    page.write_text(_page(project), encoding="utf-8")
    allowed = publishing.contacts(publishing.read(project))
    assert allowed == ("kompetens@example.org", "https://www.example.org/synpunkter")
    strict = privacy.Scanner(root=tmp_path)
    strict.update([page])
    assert [f.rule for f in strict.findings()] == ["e-mail address"]
    scanner = privacy.Scanner(root=tmp_path, allowed=allowed)
    scanner.update([page])
    assert scanner.findings() == []
    # another address on the same page is still found, and so is the contact in a notebook
    page.write_text(page.read_text(encoding="utf-8") + "\nkontakt: anna.andersson@example.org\n", encoding="utf-8")
    nb = tmp_path / "site" / "sida.ipynb"
    nb.write_text('{"cells": [{"cell_type": "markdown", "source": "kompetens@example.org", "metadata": {}}], '
                  '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    scanner.update([page, nb])
    assert sorted(f.file for f in scanner.findings()) == ["site/sida.ipynb", "site/tillganglighet.qmd"]
