"""The rendered Quarto site: the whole published output of the real 2023 data.

One real 2023 build with rendering per test run (``rendered_site`` in conftest.py), shared by the
tests: every page and every PDF is rendered, every internal link of every page resolves inside
_site, each förvaltning has a PDF linked from its page that is tagged, in Swedish and opens with
a title page, check-site finds no WCAG 2.1 A/AA violation at desktop width or at 320 px, and the
W3C Nu checker finds no HTML error but the known ones of Quarto's own page template.

The tests need the quarto command (make test installs it from ../shared/tools/quarto), pdftotext,
Chromium with axe-core and Java with vnu-jar (make test installs those too): outside CI they skip
when one is missing, saying why; in CI they fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import require_tool

pytestmark = pytest.mark.quarto

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: Errors the W3C Nu checker finds in Quarto's own page template (not in anything this project
#: writes), allowed by name: the message and the Quarto source that writes the markup.
QUARTO_TEMPLATE_ERRORS = {
    # src/command/render/pandoc-html.ts marks the Bootstrap stylesheet link for cache-busting
    "Attribute “append-hash” not allowed on element “link” at this point.",
    # src/resources/projects/website/templates/navtoggle.ejs: the navbar's collapse button
    "Bad value “menu” for attribute “role” on element “button”.",
}


@pytest.fixture(scope="module")
def site(rendered_site) -> Path:
    return rendered_site


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


def test_no_page_names_the_build_machines_folders(site):
    """Pages, search index and data carry no absolute path of the project or the home folder."""
    project = site.parent
    machine = [str(project).encode(), str(project.resolve()).encode(), str(Path.home()).encode() + b"/"]
    files = [p for p in site.resolve().rglob("*") if p.suffix in (".html", ".json", ".xml", ".csv", ".ipynb")]
    assert len(files) > 20
    for path in files:
        assert not any(m in path.read_bytes() for m in machine), path.relative_to(site.resolve())


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


def test_pdf_first_page_names_the_forvaltning_and_year_and_holds_the_tables(site):
    require_tool(None if shutil.which("pdftotext") else "pdftotext (Debian poppler-utils) is not installed")
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
    from kompetensrapport.pipeline import a11y

    require_tool(a11y.missing_tools())
    # every page of the site, each at desktop width and at 320 px (WCAG 1.4.10)
    assert len(a11y.html_pages(site)) == len(list(site.rglob("*.html"))) >= 9
    found = a11y.check_site(site)
    assert found == [], "\n".join(map(str, found))


def nu_errors(site: Path) -> list[dict]:
    """The W3C Nu checker's errors for every HTML page below ``site``: dicts with url, message."""
    proc = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only",
                           "--skip-non-html", str(site)], capture_output=True, text=True, timeout=600)
    report = json.loads(proc.stderr or proc.stdout)
    return [m for m in report["messages"] if m["type"] in ("error", "non-document-error")]


def nu_missing() -> str | None:
    if shutil.which("java") is None:
        return "java is not installed (apt-get install default-jre-headless)"
    if not VNU_JAR.is_file():
        return f"the W3C Nu checker is not installed at {VNU_JAR} (npm ci)"
    return None


def test_every_page_is_valid_html_but_for_quartos_template(site):
    require_tool(nu_missing())
    errors = nu_errors(site)
    checked = {m["url"] for m in errors}
    ours = [f"{m['url'].split('/_site/')[-1]}:{m.get('lastLine')}: {m['message']}"
            for m in errors if m["message"] not in QUARTO_TEMPLATE_ERRORS]
    assert ours == [], "\n".join(ours)
    # the allowed errors are really there (so the list is kept to what Quarto still writes)
    assert {m["message"] for m in errors} == QUARTO_TEMPLATE_ERRORS, checked


def test_nu_checker_finds_an_error_we_write(site, tmp_path):
    require_tool(nu_missing())
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    html = (site / "index.html").read_text(encoding="utf-8")
    page.write_text(html.replace("<main", '<img src="x.png"><main', 1), encoding="utf-8")
    messages = [m["message"] for m in nu_errors(tmp_path / "site")]
    assert "An “img” element must have an “alt” attribute, except under certain conditions. For details, " \
           "consult guidance on providing text alternatives for images." in messages, messages
