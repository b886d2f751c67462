"""Sources as readers see them: the document's title and section, linked on the website to the
document's entry on the page Källor; the document's file name only in the data and the open data.

The unit tests build source lines from the real 2023 data (titles read here from kallor.csv with
pandas); the tests marked ``quarto`` read the rendered site (``rendered_site``): every Källor link
of every page leads to an anchor that Källor has, and no page or PDF shows a file name.
"""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from conftest import require_tool
from kompetensrapport.present import escape, kallor, sources
from kompetensrapport.present.tables import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2023"
#: A source document's file name, as kallor.csv and every ``kalla`` cell write it.
FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
#: A link to an entry on Källor: its page and anchor.
KALLOR_LINK = re.compile(r"^(?:\.\./)?kallor\.html#(.+)$")


@pytest.fixture(scope="module")
def titles() -> dict[str, str]:
    k = pd.read_csv(DATA / "kallor.csv")
    return dict(zip(k.fil, k.titel))


def _frames_with_sources(real_data):
    return {f: frame for f, frame in real_data.items() if "kalla" in frame and len(frame)}


def test_every_source_line_names_its_documents_by_title_and_section(real_data, titles):
    frames = _frames_with_sources(real_data)
    assert len(frames) >= 15
    for file, frame in frames.items():
        line = sources.source_text(real_data, frame)
        text, html = str(line), sources.html(line)
        assert not FILE_NAME.search(text) and not FILE_NAME.search(html), file
        for kalla in frame.kalla:
            document, _, section = kalla.partition(": ")
            assert titles[document] in text and section in text, (file, kalla)
            assert escape.html(titles[document]) in html and escape.html(section) in html, (file, kalla)


def test_the_site_links_each_title_to_its_entry_on_kallor(real_data, titles):
    anchors = sources.anchors(real_data["kallor.csv"])
    frame = real_data["kompetensanalys.csv"]  # two documents
    html = sources.html(sources.source_text(real_data, frame))
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)
    cited = list(dict.fromkeys(k.split(": ")[0] for k in frame.kalla))
    assert links == [(f"../kallor.html#{anchors[f]}", escape.html(titles[f])) for f in cited]
    # the page Källor gives each document that anchor, on its heading
    page = kallor.page(real_data, 2023)
    for f, title in titles.items():
        assert f"## {escape.markdown(title)} {{#{anchors[f]}}}" in page
    assert not FILE_NAME.search(page)


def test_anchors_are_unique_and_stable():
    k = pd.DataFrame({"fil": ["000_0000000000000000.txt", "001_0000000000000001.txt", "002_0000000000000002.txt"],
                      "titel": ["Plan 2022–2023, Lasarettet i Ystad", "Plan 2022-2023: Lasarettet i Ystad", "Årsrapport"]})
    a = sources.anchors(k)
    assert a == {"000_0000000000000000.txt": "kalla-plan-2022-2023-lasarettet-i-ystad",
                 "001_0000000000000001.txt": "kalla-plan-2022-2023-lasarettet-i-ystad-2",
                 "002_0000000000000002.txt": "kalla-arsrapport"}
    # a document added at the end changes no anchor of the others
    more = pd.concat([k, pd.DataFrame({"fil": ["003_0000000000000003.txt"], "titel": ["Ny rapport"]})])
    assert {f: v for f, v in sources.anchors(more).items() if f in a} == a


def test_str_of_a_source_is_the_plain_reader_text(real_data, titles):
    frame = real_data["regionbidrag.csv"]
    line = sources.source_text(real_data, frame)
    plain = str(line)
    assert type(plain) is str and plain == f"{line}"
    assert plain.startswith(titles[frame.kalla.iloc[0].split(": ")[0]]) and "<" not in plain
    assert not FILE_NAME.search(plain)
    # pickled (as a notebook's objects may be) it keeps its links
    assert sources.html(pickle.loads(pickle.dumps(line))) == sources.html(line)
    # two years' sources, each after its year, keep their links too
    both = sources.labelled({"2023": line, "2022": line})
    assert str(both) == f"2023: {plain}. 2022: {plain}"
    assert sources.html(both).count('<a href="../kallor.html#') == 2


def test_a_table_links_its_source_on_the_site_and_names_it_as_text_in_the_pdf(real_data, titles):
    frame = real_data["budgetmal.csv"]
    line = sources.source_text(real_data, frame)
    t = Table(pd.DataFrame({"A": ["1"]}), caption="Test", source=line, name="test")
    title = titles[frame.kalla.iloc[0].split(": ")[0]]
    assert f'Källa: <a href="../kallor.html#{sources.anchors(real_data["kallor.csv"])[frame.kalla.iloc[0].split(": ")[0]]}">' in t.html()
    assert f"Källa: {escape.markdown(title)}" in t.markdown() and "kallor.html" not in t.markdown()
    assert not FILE_NAME.search(t.html() + t.markdown())


def test_titles_and_sections_are_text(real_data):
    hostile = "<img src=x onerror=alert(1)> [l](http://x) *b*"
    k = pd.DataFrame({"fil": ["000_0000000000000000.txt"], "titel": [hostile]})
    line = sources.source_text({"kallor.csv": k}, [f"000_0000000000000000.txt: {hostile}"])
    html = sources.html(line)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img") is None and [a.get_text() for a in soup.find_all("a")] == [hostile]
    assert soup.get_text() == f"{hostile}, avsnitt: {hostile}"
    md = sources.markdown(line)
    assert "\\<img" in md and "\\[l\\]" in md and "\\*b\\*" in md
    linked = sources.markdown_linked(line, "kallor.qmd")
    assert linked.startswith("[\\<img") and "](kallor.qmd#kalla-img-src-x-onerror-alert-1-l-http-x-b)" in linked


# -- the rendered site -------------------------------------------------------------------------------

@pytest.mark.quarto
def test_every_kallor_link_of_every_page_has_its_anchor(rendered_site):
    kallor_page = BeautifulSoup((rendered_site / "kallor.html").read_text(encoding="utf-8"), "html.parser")
    ids = {el["id"] for el in kallor_page.find_all(id=True)}
    linked = set()
    for page in rendered_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            m = KALLOR_LINK.match(a["href"])
            if m and m.group(1):
                assert m.group(1) in ids, f"{page.relative_to(rendered_site)}: {a['href']}"
                assert (page.parent / a["href"].split("#")[0]).resolve() == (rendered_site / "kallor.html").resolve()
                linked.add(m.group(1))
    # every document the data cite is linked from some page
    k = pd.read_csv(DATA / "kallor.csv")
    assert linked == set(sources.anchors(k).values())


@pytest.mark.quarto
def test_no_page_or_pdf_shows_a_file_name(rendered_site):
    pages = list(rendered_site.rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        found = FILE_NAME.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(rendered_site)}: {found.group(0)}"
    require_tool(None if shutil.which("pdftotext") else "pdftotext (Debian poppler-utils) is not installed")
    pdfs = list(rendered_site.rglob("*.pdf"))
    assert len(pdfs) >= 5
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
        assert "Källa:" in text and not FILE_NAME.search(text), pdf.name
    # the file names stay in the open data, for machines
    assert "003_4519a44dc1dc7554.txt" in (rendered_site / "2023" / "data" / "kallor.csv").read_text(encoding="utf-8")
