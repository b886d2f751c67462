"""Wide tables as readers see them, on the real 2023 site rendered with Quarto (the session
fixture ``rendered_site``): on a 1280 px screen no table scrolls sideways or runs past the window,
and in the PDFs no rating word is hyphenated and every rating is shown in its colour.

The layout itself is chosen in lib/kompetensrapport/present/tables.py (the page's full width for a
table wider than the text column, a landscape page in the PDF) and templates/tables.css.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from conftest import require_tool
from kompetensrapport.domain.kompetens import MISSING
from kompetensrapport.present.sections.ratings import PALETTE

pytestmark = pytest.mark.quarto

#: The words a rating is written with in a table cell.
RATING_WORDS = sorted({w for rating in [*PALETTE, MISSING, "(härledd)"] for w in re.findall(r"\w+", rating)})

#: Every table of the page: its caption (or first header), how far it and the boxes around it
#: reach past their visible width, and where it stands in the window.
_MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const t of document.querySelectorAll("main table, #quarto-content table")) {
    if (out.some(o => o.el === t)) continue;
    const r = t.getBoundingClientRect();
    if (r.width === 0) continue;  // hidden (a collapsed menu)
    let scrolls = 0;
    for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if ((ox === "auto" || ox === "scroll") && e.scrollWidth > e.clientWidth + 1) {
        scrolls = Math.max(scrolls, e.scrollWidth - e.clientWidth);
      }
    }
    const name = (t.caption ? t.caption.textContent : (t.rows[0] ? t.rows[0].textContent : "")).trim().slice(0, 70);
    out.push({el: t, name, scrolls, left: r.left, right: r.right, vw,
              overflow: t.scrollWidth - t.parentElement.clientWidth});
  }
  return {tables: out.map(({el, ...rest}) => rest),
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


@pytest.fixture(scope="module")
def site(rendered_site) -> Path:
    return rendered_site


@pytest.fixture(scope="module")
def browser_page(site):
    """A Chromium page (Playwright) and the base URL of ``site`` served on 127.0.0.1; nothing
    else is loaded."""
    from playwright.sync_api import sync_playwright

    from kompetensrapport.pipeline import a11y

    require_tool(a11y.missing_tools())
    with a11y.serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=a11y.chromium_path(), args=a11y.CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                       else route.abort("blockedbyclient"))
            yield page, base
        finally:
            browser.close()


def pages_with_tables(site: Path) -> list[str]:
    """Every page of the site that has a table (a page without one has nothing to measure)."""
    from kompetensrapport.pipeline import a11y

    pages = a11y.html_pages(site)
    assert len(pages) >= 9
    rels = [p.relative_to(site).as_posix() for p in pages if "<table" in p.read_text(encoding="utf-8")]
    assert len(rels) >= 6  # the förvaltning pages and the overview
    return rels


def test_no_table_scrolls_sideways_at_1280_px(site, browser_page):
    """Every table of every page fits a 1280 px window: no box around it scrolls, it is no wider
    than its container, it stands inside the window, and the page itself does not scroll sideways."""
    page, base = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    measured, problems = 0, []
    for rel in pages_with_tables(site):
        page.goto(base + urllib.parse.quote(rel), wait_until="load")
        result = page.evaluate(_MEASURE)
        if result["page"] > 1:
            problems.append(f"{rel}: the page scrolls sideways by {result['page']} px")
        for t in result["tables"]:
            measured += 1
            if t["scrolls"] > 0 or t["overflow"] > 1 or t["left"] < 0 or t["right"] > t["vw"] + 1:
                problems.append(f"{rel}: {t['name']!r}: scrolls {t['scrolls']} px, wider than its box by "
                                f"{t['overflow']} px, from {t['left']:.0f} to {t['right']:.0f} px of {t['vw']}")
    assert measured >= 30  # the förvaltning pages' and the overview's tables were all measured
    assert problems == [], "\n".join(problems)


def test_wide_tables_scroll_in_their_own_box_at_320_px(site, browser_page):
    """At 320 px no page scrolls sideways; a table wider than the screen (the matrix) scrolls in
    its own box, which holds a link the keyboard can reach, and keeps its first column in view."""
    page, base = browser_page
    page.set_viewport_size({"width": 320, "height": 900})
    problems, scrolling = [], 0
    for rel in pages_with_tables(site):
        page.goto(base + urllib.parse.quote(rel), wait_until="load")
        result = page.evaluate(_MEASURE)
        if result["page"] > 1:
            problems.append(f"{rel}: the page scrolls sideways by {result['page']} px")
        for box in page.evaluate(_SCROLLERS):
            scrolling += 1
            if not box["link"]:
                problems.append(f"{rel}: {box['name']!r} scrolls in a box without a link")
    assert scrolling >= 1
    assert problems == [], "\n".join(problems)
    page.goto(base + "2023/psykiatri-habilitering-hjalpmedel.html", wait_until="load")
    matrix = page.evaluate(_STICKY_FIRST_COLUMN, "bedömning per yrke och verksamhetsområde")
    assert matrix["scrolled"] > 0 and abs(matrix["before"] - matrix["after"]) <= 1, matrix


#: The boxes around tables that scroll sideways: the table's caption and whether a link is inside.
_SCROLLERS = """() => [...document.querySelectorAll(".kr-table")]
  .filter(b => b.scrollWidth > b.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(b).overflowX))
  .map(b => ({name: (b.querySelector("caption") || {}).textContent, link: !!b.querySelector("a[href]")}))"""

#: Where the first row header of the table with the caption stands before and after its box is
#: scrolled sideways.
_STICKY_FIRST_COLUMN = """(caption) => {
  const t = [...document.querySelectorAll("table")].find(t => t.caption && t.caption.textContent.includes(caption));
  const box = t.closest(".kr-table");
  const th = t.querySelector("th[scope=row]");
  const before = th.getBoundingClientRect().left;
  box.scrollLeft = 300;
  return {scrolled: box.scrollLeft, before, after: th.getBoundingClientRect().left};
}"""


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def hyphenated_ratings(text: str) -> list[str]:
    """Rating words broken over two lines with a hyphen (or a soft hyphen): a line ending in
    "Oba-" whose next line starts with "lans"."""
    found = []
    lines = text.splitlines()
    for line, after in zip(lines, lines[1:] + [""]):
        m = re.search(r"(\w+)[\u00ad\u2010-]$", line.rstrip())
        rest = re.match(r"\s*(\w+)", after)
        if m and rest and m.group(1) + rest.group(1) in RATING_WORDS:
            found.append(f"{line} / {after}")
    return found


def test_hyphenation_check_finds_a_broken_rating():
    """The check below finds the breaks seen in the PDFs before the landscape matrix."""
    assert len(hyphenated_ratings("Oba\u00ad\nlans\nupp\u00ad\ngift sak-\nnas\nBa\u00ad\nlans (härledd)")) == 4
    assert hyphenated_ratings("Brist\nTolk -\nSyn-, hörsel-\nKontinuerlig upp\u00ad\nföljning\nObalans\n") == []


def test_no_rating_is_hyphenated_in_the_pdfs(site):
    require_tool(None if shutil.which("pdftotext") else "pdftotext (Debian poppler-utils) is not installed")
    pdfs = sorted((site / "2023").glob("*.pdf"))
    assert len(pdfs) >= 5
    with_matrix = 0
    for pdf in pdfs:
        text = pdf_text(pdf)
        if "bedömning per yrke och verksamhetsområde" in " ".join(text.split()):
            with_matrix += 1
            assert "Obalans" in text and "Brist" in text, pdf.name
        assert hyphenated_ratings(text) == [], pdf.name
    assert with_matrix >= 2  # the PDFs of the förvaltningar with a kompetensanalys


def _colour(hex_: str) -> tuple[int, int, int]:
    return tuple(int(hex_[i:i + 2], 16) for i in (1, 3, 5))


def test_every_rating_has_its_colour_in_the_pdfs(site, tmp_path):
    """Each rating the PDF's text names is also drawn in its colour (the cells' fill): the PDF's
    pages as images hold a patch of each rating's background colour."""
    from PIL import Image

    require_tool(None if shutil.which("pdftoppm") else "pdftoppm (Debian poppler-utils) is not installed")
    checked = 0
    for pdf in sorted((site / "2023").glob("*.pdf")):
        words = set(re.findall(r"\w+", pdf_text(pdf)))
        ratings = [r for r in PALETTE if r in words]
        if not ratings:
            continue
        prefix = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(prefix)], check=True)
        seen = set()
        for png in sorted(tmp_path.glob(f"{pdf.stem}-*.png")):
            with Image.open(png) as img:
                colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20)}
            for r in ratings:
                want = _colour(PALETTE[r]["background"])
                if any(all(abs(a - b) <= 3 for a, b in zip(c, want)) for c in colours):
                    seen.add(r)
        assert seen == set(ratings), (pdf.name, sorted(set(ratings) - seen))
        checked += 1
    assert checked >= 2
