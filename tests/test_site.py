"""The rendered Quarto site (needs the quarto command; skipped when it is missing).

One real 2023 build with rendering, shared by the tests: every internal link of every page
resolves inside _site, each förvaltning has a PDF linked from its page that is tagged and
names the förvaltning and year, and check-site finds no WCAG 2.1 A/AA violation.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import copy_project, run_cli

pytestmark = [pytest.mark.quarto,
              pytest.mark.skipif(shutil.which("quarto") is None, reason="the quarto command is not installed")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("site") / "p")
    proc = run_cli("build", "--year", "2023", "--root", project, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "_site" / "index.html").is_file()
    return project / "_site"


def _slugs(site: Path) -> list[str]:
    return sorted(p.stem for p in (site.parent / "params" / "2023").glob("*.yaml"))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.in_alternates = 0
        self.alternates: list[tuple[str, str]] = []  # (href, text) in "Andra format"
        self._href = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append((tag, a[key]))
        if tag == "div" and "quarto-alternate-formats" in (a.get("class") or ""):
            self.in_alternates = 1
        elif tag == "div" and self.in_alternates:
            self.in_alternates += 1
        if tag == "a" and self.in_alternates:
            self._href = a.get("href")
            self.alternates.append((self._href, ""))

    def handle_endtag(self, tag):
        if tag == "div" and self.in_alternates:
            self.in_alternates -= 1

    def handle_data(self, data):
        if self.in_alternates and self.alternates and self._href:
            href, text = self.alternates[-1]
            self.alternates[-1] = (href, text + data.strip())


def _parse(page: Path) -> _Links:
    p = _Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def broken_links(site: Path) -> list[str]:
    """Every href/src of every HTML page below ``site`` that points at no file in ``site``."""
    bad = []
    for page in sorted(site.rglob("*.html")):
        for tag, link in _parse(page).links:
            url = urlsplit(link)
            if url.scheme or link.startswith(("//", "#")):
                continue
            target = site / unquote(url.path).lstrip("/") if url.path.startswith("/") else page.parent / unquote(url.path)
            if target.is_dir():
                target = target / "index.html"
            if not target.resolve().is_file():
                bad.append(f"{page.relative_to(site)}: <{tag}> {link}")
    return bad


def test_render_with_quarto_makes_the_site(site):
    assert (site / "index.html").is_file()
    for slug in _slugs(site) + ["oversikt"]:
        assert (site / f"2023/{slug}.html").is_file()


def test_every_internal_link_resolves(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 9
    assert broken_links(site) == []
    # the downloads beside the tables are among the links checked, as are the navbar's pages
    links = [link for tag, link in _parse(site / "2023" / "koncernkontoret.html").links]
    assert any(link.startswith("nedladdning/") and link.endswith(".xlsx") for link in links)
    assert any(link.endswith("kallor.html") for link in links)


def test_link_check_finds_a_missing_file(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy, symlinks=False)
    victim = next((copy / "2023" / "nedladdning").glob("*.csv"))
    victim.unlink()
    assert any(victim.name in b for b in broken_links(copy))


def test_each_forvaltning_has_a_pdf_linked_from_its_page(site):
    config = yaml.safe_load((site.parent / "reports" / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["lang"] == "sv"
    for slug in _slugs(site):
        assert (site / "2023" / f"{slug}.pdf").is_file(), slug
        assert f"{slug}.pdf" in (site / f"2023/{slug}.html").read_text(encoding="utf-8")
        alternates = _parse(site / "2023" / f"{slug}.html").alternates
        assert alternates == [(f"{slug}.pdf", "PDF")], (slug, alternates)
        assert "<h2>Andra format</h2>" in (site / "2023" / f"{slug}.html").read_text(encoding="utf-8")
    assert not (site / "2023" / "oversikt.pdf").exists() and not (site / "index.pdf").exists()


def test_pdfs_are_tagged_swedish_pdf_ua(site):
    for slug in _slugs(site):
        data = (site / "2023" / f"{slug}.pdf").read_bytes()
        assert b"/StructTreeRoot" in data, slug
        assert re.search(rb"/MarkInfo\s*<<[^>]*/Marked\s+true", data), slug
        assert re.search(rb"pdfuaid:part>\s*1\s*<", data) or re.search(rb'pdfuaid:part="1"', data), slug
        assert re.search(rb"/Lang\s*\(sv-SE\)", data), slug


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed")
def test_pdf_first_page_names_the_forvaltning_and_year_and_holds_the_tables(site):
    for slug in _slugs(site):
        params = yaml.safe_load((site.parent / "params" / "2023" / f"{slug}.yaml").read_text(encoding="utf-8"))
        pdf = site / "2023" / f"{slug}.pdf"
        first = subprocess.run(["pdftotext", "-l", "1", pdf, "-"], capture_output=True, text=True).stdout
        flat = " ".join(re.sub("\xad\\s*", "", first).split())  # Typst hyphenates long words
        assert params["namn"] in flat, (slug, flat[:200])
        assert "Kompetensförsörjning i Region Skåne 2023" in flat and "Innehåll" in flat, slug
        # a title page: the title and the contents alone, the report itself starts on page 2
        assert "Källa:" not in flat, (slug, flat[:400])
        second = subprocess.run(["pdftotext", "-f", "2", "-l", "2", pdf, "-"], capture_output=True, text=True).stdout
        assert second.strip(), slug
        text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout.split())
        assert "Källa:" in text, slug  # the tables keep their sources in the PDF


def test_site_has_no_wcag_violations(site):
    from kompetensrapport import a11y

    reason = a11y.missing_tools()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    found = a11y.check_site(site)
    assert found == [], "\n".join(map(str, found))
