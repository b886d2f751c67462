"""The page Ordlista and the links to it.

The glossary's terms are data (``ordlista.yml`` in the package); the page gives each a heading
with a stable anchor and the ratings' definitions from the year's ``bedomningsdefinitioner.csv``;
the Lua filter ``templates/ordlista.lua`` links the first occurrence of each term in a page's
running text, on the website only. The tests marked ``quarto`` read the rendered site
(``rendered_site``) and check, with their own reading of the pages' text, that each term is linked
where it first appears in running text, and only there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup, NavigableString

from conftest import require_tool, seeds_or_skip
from kompetensrapport.present import escape, ordlista

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2023"
GLOSSARY = ROOT / "lib" / "kompetensrapport" / "ordlista.yml"

#: Words a reader of the report needs explained (issue 20), each one of some term's words.
REQUIRED = ["balans", "obalans", "brist", "hme", "tkr", "mnkr", "förvaltning", "verksamhetsområde",
            "målområde", "insats", "internbudget", "regionbidrag", "resultaträkning",
            "fokus kompetensförsörjning", "yrke–enhet-par", "uppgift saknas"]


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    """The glossary as the YAML file holds it (read here, not through the package)."""
    return yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_has_the_words_readers_need(entries):
    words = {w.lower() for e in entries for w in e["former"]}
    assert [w for w in REQUIRED if w not in words] == []
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    # a word links to one term only
    all_words = [w.lower() for e in entries for w in e["former"]]
    assert len(all_words) == len(set(all_words))


def test_the_page_has_every_term_under_its_anchor(real_data, entries):
    page = ordlista.page(real_data, 2023)
    headings = re.findall(r"^## (.+) \{#([a-z0-9-]+) former=\"([^\"]+)\"\}$", page, flags=re.M)
    assert {(escape.unmarkdown(t), i) for t, i, _ in headings} == {(e["term"], e["id"]) for e in entries}
    for _, i, forms in headings:
        entry = next(e for e in entries if e["id"] == i)
        assert forms.split("|") == entry["former"]
    # in Swedish alphabetical order (å, ä, ö last)
    order = [escape.unmarkdown(t).lower() for t, _, _ in headings]
    assert order == sorted(order, key=lambda s: s.translate(str.maketrans("åäö", "{|}")))
    for e in entries:
        if "definition" in e:
            assert escape.markdown(e["definition"]) in page, e["id"]


def test_the_ratings_are_defined_as_the_year_s_data_define_them(real_data):
    defs = pd.read_csv(DATA / "bedomningsdefinitioner.csv")
    kallor = pd.read_csv(DATA / "kallor.csv")
    page = ordlista.page(real_data, 2023)
    for rating in ["Balans", "Obalans", "Brist"]:
        section = page.split(f"## {rating} {{#")[1].split("\n## ")[0]
        for definition in defs[defs.bedomning == rating].definition.unique():
            assert escape.markdown(definition) in section
        for f in defs[defs.bedomning == rating].kalla.str.split(": ").str[0].unique():
            title = kallor.set_index("fil").titel[f]
            assert f"[{escape.markdown(title)}](kallor.qmd#kalla-" in section
    # no definition is made up when a year's data lack one
    fewer = dict(real_data, **{"bedomningsdefinitioner.csv": real_data["bedomningsdefinitioner.csv"].iloc[0:0]})
    assert ordlista.page(fewer, 2023).count("Årets underlag ger ingen definition.") == 3


def test_a_cited_section_is_in_its_document(entries):
    seeds = seeds_or_skip()
    cited = [e for e in entries if e.get("kalla")]
    assert cited
    for e in cited:
        document, _, section = e["kalla"].partition(": ")
        text = " ".join((seeds / document).read_text(encoding="utf-8").split())
        assert section in text, e["id"]


# -- the rendered site -------------------------------------------------------------------------------

#: Elements whose text is not running text: the filter leaves them alone (figures and headings are
#: not text, the title block and hidden divs are metadata). Raw HTML (tables with their source
#: lines, key-figure cards) is a notebook output that is not Markdown: see _running_strings.
NOT_RUNNING = {"h1", "h2", "h3", "h4", "h5", "h6", "table", "figure", "figcaption", "header", "nav",
               "script", "style", "code", "pre", "button"}
#: Punctuation that may stand before or after a word (as the filter allows).
PUNCT = "\"'()[]{}.,;:!?/”“’‘»«–—…*"


def _running_strings(soup: BeautifulSoup):
    """(text, glossary link or None) for every string of running text in a notebook page's main
    content, in document order: Markdown output (and text outside any output), not raw HTML output;
    strings inside other links are left out."""
    main = soup.find("main")
    for s in main.find_all(string=True):
        if not isinstance(s, NavigableString) or type(s) is not NavigableString:
            continue
        skip, link = False, None
        for parent in s.parents:
            if parent is main:
                break
            classes = parent.get("class") or []
            if parent.name in NOT_RUNNING or "hidden" in classes:
                skip = True
            if "cell-output" in classes and "cell-output-markdown" not in classes:
                skip = True  # a notebook's HTML output: raw HTML, which pandoc does not read
            if parent.name == "a":
                if "kr-ordlista" in classes:
                    link = parent
                else:
                    skip = True
        if not skip and s.find_parent(["p", "li", "blockquote", "dd"]) is not None:
            yield str(s), link


def _has_word(text: str, words: list[str]) -> bool:
    """``words`` (one term's form) in ``text`` as whole tokens, punctuation around them allowed."""
    tokens = [t.strip(PUNCT).lower() for t in text.split()]
    n = len(words)
    return any(tokens[i:i + n] == words for i in range(len(tokens) - n + 1))


@pytest.mark.quarto
def test_the_rendered_glossary_has_every_term(rendered_site, entries):
    soup = BeautifulSoup((rendered_site / "ordlista.html").read_text(encoding="utf-8"), "html.parser")
    for e in entries:
        target = soup.find(id=e["id"])
        assert target is not None, e["id"]
        assert target.find(["h2"]).get_text(" ", strip=True) == e["term"]
    assert soup.find("a", class_="kr-ordlista") is None  # the page does not link to itself


@pytest.mark.quarto
@pytest.mark.parametrize("page", ["2023/lasarettet-ystad.html", "2023/psykiatri-habilitering-hjalpmedel.html",
                                  "2023/oversikt.html", "2023/personalnamnden.html"])
def test_a_page_links_each_term_where_it_first_appears_and_only_there(rendered_site, entries, page):
    soup = BeautifulSoup((rendered_site / page).read_text(encoding="utf-8"), "html.parser")
    strings = list(_running_strings(soup))
    links = soup.find_all("a", class_="kr-ordlista")
    assert len(links) >= 5
    for a in links:  # links from a page in 2023/ lead up to the glossary
        assert re.fullmatch(r"\.\./ordlista\.html#[a-z0-9-]+", a["href"]), a["href"]
    for e in entries:
        forms = [w.lower().split() for w in e["former"]]
        mine = [a for a in links if a["href"].endswith("#" + e["id"])]
        assert len(mine) <= 1, f"{e['id']} linked {len(mine)} times"
        # the first occurrence in running text outside another term's link
        first = next(((text, link) for text, link in strings
                      if any(_has_word(text, f) for f in forms)
                      and (link is None or link["href"].endswith("#" + e["id"]))), None)
        if first is None:
            assert mine == [], f"{e['id']} linked but not in running text"
            continue
        text, link = first
        assert link is not None and mine == [link], f"{page}: the first '{text.strip()}' of {e['id']} is not linked"


@pytest.mark.quarto
def test_the_pdf_has_no_glossary_links(rendered_site):
    """The filter changes the website only: a PDF has no glossary beside it to link to."""
    require_tool(None if shutil.which("pdftohtml") else "pdftohtml (Debian poppler-utils) is not installed")
    assert "ordlista.html#" in (rendered_site / "2023" / "lasarettet-ystad.html").read_text(encoding="utf-8")
    xml = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", rendered_site / "2023" / "lasarettet-ystad.pdf"],
                         capture_output=True, text=True, check=True).stdout
    hrefs = re.findall(r'<a href="([^"]*)"', xml)
    assert hrefs  # the PDF's links are listed (its contents link to its pages)
    assert [h for h in hrefs if "ordlista" in h] == []
