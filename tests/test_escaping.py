"""Escaping: markup and the metacharacters of Markdown, YAML and Typst in the parameter files and
in every text column of the data reach every output as text, and no cell of an Excel download is
a formula.

One copy of the project gets the values planted (names of two förvaltningar, one value in every
free-text column of every data file, the section named in each file's first source reference,
formulas in four cells) and is built once for the module,
rendered when Quarto is installed. The checks here do not use the package's escaping: a value
counts as escaped in Markdown when every character that Markdown, Quarto or Typst could read as
markup carries a backslash, and a rendered page counts as safe when its parsed HTML has the
value as text and none of the elements the markup would have made.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import copy_project, quarto_missing, require_tool, run_cli

#: Markup, Markdown, YAML and Typst metacharacters, backticks, smart-typography runs.
PAYLOAD = ("<img src=x onerror=alert(1)> *bold* _x_ [l](http://x) # ## : - { } [ ] ' \" | "
           "#set page() $\\foo{$ @ \\ `tick` -- ...")
#: Names of förvaltningar: one starts with Typst code, one is the markup of the issue alone.
NAMES = {"koncernkontoret": "#set page(width: 1cm) " + PAYLOAD,
         "lasarettet-ystad": "<img src=x onerror=alert(1)>"}
#: Cells that a spreadsheet program would read as formulas: (file, column) -> value, planted in
#: the file's last row.
FORMULAS = {("internbudget_insatser.csv", "insats"): '=HYPERLINK("http://x","Klicka")',
            ("handlingsplan.csv", "aktivitet"): "@SUM(1+1)",
            ("handlingsplan.csv", "tidplan"): "-1+1",
            ("utbildningsplatser.csv", "period"): "+1+1"}
#: Characters that must carry a backslash in Markdown wherever a value is shown.
MD_META = set("\\`*_{}[]<>#|$@~^!&\"'")


# -- the planted project ---------------------------------------------------------------------------

def text_columns(file: str) -> list[str]:
    """The free-text columns of a data file: text with no rule but a minimum length (no codes,
    slugs, source references or file names)."""
    from kompetensrapport.inputs import schemas

    out = []
    for name, col in schemas.FILES[file].to_schema().columns.items():
        checks = {getattr(c, "name", "") for c in col.checks}
        if str(col.dtype).startswith("str") and checks <= {"str_length"}:
            out.append(name)
    return out


def plant(project: Path) -> dict[str, str]:
    """Plant the values into the copy; returns every planted value by what it replaced."""
    from kompetensrapport.inputs import schemas

    for slug, namn in NAMES.items():
        path = project / "params/2023" / f"{slug}.yaml"
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
        params["namn"] = namn
        path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = project / "data/2023"
    frames = {f: pd.read_csv(data / f, dtype=str, keep_default_na=False) for f in schemas.FILES}
    for (file, column), value in FORMULAS.items():
        frames[file].loc[frames[file].index[-1], column] = value
    planted: dict[str, str] = {}
    for file, frame in frames.items():  # the section named in each file's first source reference
        if "kalla" in frame and len(frame):
            first = frame["kalla"].iloc[0]
            document, _, section = first.partition(": ")
            planted.setdefault(section, f"{PAYLOAD} {section}")
            frame["kalla"] = frame["kalla"].map(lambda v: f"{document}: {planted[section]}" if v == first else v)
    for file, frame in frames.items():  # one value of each free-text column, the first one given
        for column in text_columns(file):
            given = [v for v in frame[column] if v and v not in FORMULAS.values()]
            if given and given[0] not in planted:
                planted[given[0]] = f"{PAYLOAD} {given[0]}"
    for file, frame in frames.items():  # replaced wherever it occurs, so that joins still hold
        for column in text_columns(file):
            frame[column] = frame[column].map(lambda v: planted.get(v, v))
        frame.to_csv(data / file, index=False)
    return planted


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The planted project built once: (project, planted values, rendered?)."""
    project = copy_project(tmp_path_factory.mktemp("escaping") / "project")
    planted = plant(project)
    rendered = shutil.which("quarto") is not None
    args = ["build", "--year", "2023", "--root", project, "--jobs", "2"] + ([] if rendered else ["--no-render"])
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return project, planted, rendered


@pytest.fixture(scope="module")
def site(built):
    project, _, rendered = built
    if not rendered:
        require_tool(quarto_missing())
    return project / "_site"


def values(built) -> list[str]:
    """Every planted text value: the names and the data values (formulas aside)."""
    return [*NAMES.values(), *built[1].values()]


# -- what an escaped value looks like ------------------------------------------------------------

def _pattern(value: str, strict: bool) -> re.Pattern:
    """``value`` as Markdown: strict, every metacharacter escaped (other punctuation may be);
    loose, any character may be escaped (to find the value however it is written)."""
    parts = []
    for c in value:
        if c.isspace():
            parts.append(r"\s+")
        elif strict and c in MD_META:
            parts.append(re.escape("\\" + c))
        else:
            parts.append(r"\\?" + re.escape(c))
    return re.compile("".join(parts))


def markdown_shows(text: str, value: str) -> bool:
    """``value`` occurs in the Markdown ``text``; every occurrence must be escaped."""
    loose = _pattern(value, strict=False).findall(text)
    strict = _pattern(value, strict=True).findall(text)
    assert len(strict) == len(loose), (value, [m for m in loose if m not in strict][:3])
    return bool(loose)


def words(text: str) -> str:
    return " ".join(text.split())


def no_live_markup(soup: BeautifulSoup, where: str) -> None:
    """None of the elements the planted markup would make when read as HTML or Markdown."""
    assert not soup.find_all(attrs={"onerror": True}), where
    assert not soup.find_all("a", href="http://x"), where
    made = [e for e in soup.find_all(["em", "strong", "code", "h1", "h2"])
            if e.get_text(strip=True) in ("bold", "x", "tick", "l", "#", "##")]
    assert not made, (where, made[:3])


def outputs(nb_path: Path) -> dict[str, str]:
    """The text/markdown and text/html outputs of an executed notebook, joined per type."""
    nb = nbformat.read(nb_path, as_version=4)
    shown = {"text/markdown": "", "text/html": ""}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for mime in shown:
                shown[mime] += "\n" + str(output.get("data", {}).get(mime, ""))
    return shown


# -- the Markdown escaping, read back by pandoc ------------------------------------------------

#: Values that Markdown, pandoc's extensions or Quarto could read as something else.
TRICKY = [PAYLOAD, *NAMES.values(), "- a", "+ b", "* c", "1. d", "2) e", ": f", "= g", "# h", "> i",
          "| j | k |", "a -- b --- c ... d", "'s' \"q\" l'a", "<!-- x --> <b>b</b> &amp; &",
          "{{< pagebreak >}}", "@fig-x [@ref] [^1]", "~sub~ ^sup^ ~~s~~", "$x$ $$y$$ \\(z\\)",
          "\\", "*", "::: {.callout-note}", "```{=typst}", "    indented", "<https://x.se>",
          "`#pagebreak()`{=typst}", "[text]{.red}", "a\\ b", "Hälso- och sjukvård 1.5 %"]


def plain_text(inlines: list) -> str:
    """Inlines of pandoc's JSON as text; any element but text and spaces is markup (an error)."""
    out = []
    for el in inlines:
        if el["t"] == "Str":
            out.append(el["c"])
        elif el["t"] in ("Space", "SoftBreak"):
            out.append(" ")
        else:
            raise AssertionError(f"read as markup: {el}")
    return "".join(out)


def only_block(blocks: list) -> list:
    """The inlines of a single Para or Plain block (anything else means the value made a block)."""
    assert len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"), blocks
    return blocks[0]["c"]


def test_markdown_escape_reads_back_as_the_value():
    """pandoc (Quarto's) reads each escaped value back as the value, text only: as a paragraph,
    as a list item and as a table cell."""
    from kompetensrapport.present.escape import markdown

    require_tool(quarto_missing())
    quarto = shutil.which("quarto")
    expected = [" ".join(v.splitlines()).lstrip() for v in TRICKY]
    doc = "\n\n".join(markdown(v) for v in TRICKY) + "\n\n" + "\n".join(f"- {markdown(v)}" for v in TRICKY)
    doc += "\n\n| a |\n|---|\n" + "\n".join(f"| {markdown(v)} |" for v in TRICKY) + "\n"
    out = subprocess.run([quarto, "pandoc", "-f", "markdown", "-t", "json"], input=doc,
                         capture_output=True, text=True, check=True).stdout
    blocks = json.loads(out)["blocks"]
    assert len(blocks) == len(TRICKY) + 2, [b["t"] for b in blocks]
    assert [plain_text(only_block([b])) for b in blocks[:len(TRICKY)]] == expected
    assert blocks[len(TRICKY)]["t"] == "BulletList"
    assert [plain_text(only_block(item)) for item in blocks[len(TRICKY)]["c"]] == expected
    table = blocks[-1]
    assert table["t"] == "Table"
    rows = table["c"][4][0][3]  # the table body's rows; a cell is [attr, align, rowspan, colspan, blocks]
    assert [plain_text(only_block(row[1][0][4])) for row in rows] == expected


# -- parameter files -----------------------------------------------------------------------------

def test_a_slug_is_restricted_to_a_pattern():
    from kompetensrapport.inputs.codes import SLUG_PATTERN
    from kompetensrapport.inputs.params import Params

    field = Params.model_fields["forvaltning"]
    assert any(getattr(m, "pattern", None) == SLUG_PATTERN for m in field.metadata)
    for bad in ["../koncernkontoret", "a/b", "..", "a b", "<img>", "Koncernkontoret", "a--b", "-a"]:
        assert not re.fullmatch(SLUG_PATTERN, bad), bad


def test_a_name_over_two_lines_is_refused_with_a_clear_message(tmp_path):
    from kompetensrapport.inputs.params import read_params_file

    path = tmp_path / "koncernkontoret.yaml"
    path.write_text('ar: 2023\nforvaltning: koncernkontoret\nnamn: "a\\nb"\navsnitt: [hr]\n', encoding="utf-8")
    params, problems = read_params_file(path, 2023, display="params/2023/koncernkontoret.yaml")
    assert params is None and len(problems) == 1
    assert str(problems[0]) == ("params/2023/koncernkontoret.yaml, line 3, column 'key namn', value 'a\\nb': "
                                "must be one line of text, without line breaks, tabs or other control characters")


# -- the Quarto inputs ---------------------------------------------------------------------------

def test_names_are_escaped_in_front_matter_and_navbar(built):
    project, _, _ = built
    config = yaml.safe_load((project / "reports/_quarto.yml").read_text(encoding="utf-8"))
    menu = {item["href"]: item["text"] for entry in config["website"]["navbar"]["left"]
            for item in entry.get("menu", [])}
    for slug, namn in NAMES.items():
        assert _pattern(namn, strict=True).fullmatch(menu[f"2023/{slug}.ipynb"]), menu[f"2023/{slug}.ipynb"]
        nb = nbformat.read(project / f"reports/2023/{slug}.ipynb", as_version=4)
        front = nb.cells[0]
        assert front.cell_type == "raw"
        title = yaml.safe_load(front.source.strip().strip("-"))["title"]
        assert _pattern(namn, strict=True).fullmatch(title), title
    index = (project / "reports/index.qmd").read_text(encoding="utf-8")
    for namn in NAMES.values():
        assert markdown_shows(index, namn), namn


def test_a_rebuild_reads_the_names_back_from_the_front_matter(built):
    """A build with --only takes the other pages' titles from their notebooks' front matter."""
    from kompetensrapport.pipeline import site

    project, _, _ = built
    titles = {page.slug: page.title for page in site.pages_in(project / "reports")}
    for slug, namn in NAMES.items():
        assert titles[slug] == namn


def test_data_values_are_escaped_in_the_pages_and_notebooks(built):
    project, planted, _ = built
    md_text, html_text = "", ""
    for page in sorted((project / "reports").glob("*.qmd")):
        md_text += page.read_text(encoding="utf-8")
    for nb in sorted((project / "reports/2023").glob("*.ipynb")):
        shown = outputs(nb)
        md_text += shown["text/markdown"]
        html_text += shown["text/html"]
    soup = BeautifulSoup(html_text, "html.parser")
    no_live_markup(soup, "text/html outputs")
    html_words = words(soup.get_text(" "))
    in_markdown = [v for v in planted.values() if markdown_shows(md_text, v)]
    in_html = [v for v in planted.values() if words(v) in html_words]
    # the values shown somewhere: nearly every planted one (some columns are never shown)
    assert len(set(in_markdown) | set(in_html)) >= 0.8 * len(planted), sorted(set(planted.values()) - set(in_markdown) - set(in_html))
    assert in_html and in_markdown
    assert "<img src=x" not in html_text and "onerror" in html_text  # shown, as text


# -- Excel and CSV downloads ---------------------------------------------------------------------

def downloads(project: Path, ext: str) -> list[Path]:
    return sorted((project / "reports").rglob(f"nedladdning/*.{ext}"))


def test_no_excel_cell_is_a_formula(built):
    project, _, _ = built
    found = {}
    files = downloads(project, "xlsx")
    assert files
    for path in files:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    if cell.value in FORMULAS.values():
                        assert cell.data_type == "s" and cell.quotePrefix, (path.name, cell.coordinate)
                        found[cell.value] = path.name
    assert set(found) == set(FORMULAS.values()), found


def test_csv_downloads_keep_such_values_verbatim(built):
    project, _, _ = built
    found = set()
    for path in downloads(project, "csv"):
        text = path.read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            found |= set(row) & set(FORMULAS.values())
    assert found == set(FORMULAS.values())


def test_excel_writer_stores_text_as_text(out_dir):
    from kompetensrapport.present.tables import Table

    frame = pd.DataFrame({"Insats": ['=HYPERLINK("http://x","Klicka")', "+1", "-1", "@a", "vanlig"],
                          "Antal": [1, 2, 3, 4, 5]})
    Table(frame, caption="=1+1", source="@källa", name="formler").write_files(out_dir)
    book = openpyxl.load_workbook(out_dir / "nedladdning/formler.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    # the cover sheet comes first (the caption is its title, the source its own paragraph), then
    # the table's sheet: the caption again as its title ("Källa: @källa" starts with K), the cells
    assert [c.value for c in cells if c.data_type == "s" and c.quotePrefix] == [
        "=1+1", "@källa", "=1+1", '=HYPERLINK("http://x","Klicka")', "+1", "-1", "@a"]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.value for c in cells if c.data_type == "n" and c.value is not None] == [1, 2, 3, 4, 5]  # not blanks


# -- the rendered site and the PDFs (Quarto) ----------------------------------------------------

def test_rendered_pages_show_every_value_as_text(built, site):
    project, planted, _ = built
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        no_live_markup(soup, str(page.relative_to(site)))
        for slug, namn in NAMES.items():  # the navbar of every page
            links = soup.find_all("a", href=re.compile(rf"(^|/){slug}\.html$"))
            assert any(words(a.get_text(" ")) == words(namn) for a in links), (page.name, slug)
    for slug, namn in NAMES.items():
        soup = BeautifulSoup((site / f"2023/{slug}.html").read_text(encoding="utf-8"), "html.parser")
        assert words(soup.title.get_text()).startswith(words(namn)), soup.title
        assert words(soup.find("h1", class_="title").get_text(" ")) == words(namn)
    for nb in sorted((project / "reports/2023").glob("*.ipynb")):
        shown = outputs(nb)
        soup = BeautifulSoup((site / f"2023/{nb.stem}.html").read_text(encoding="utf-8"), "html.parser")
        text = words(soup.get_text(" "))
        for value in planted.values():
            if markdown_shows(shown["text/markdown"], value) or words(value) in words(shown["text/html"]):
                assert words(value) in text, (nb.stem, value)


def squeezed(text: str) -> str:
    """Text without its white space and soft hyphens: Typst breaks lines between words, after
    "]" and, in narrow table columns, inside words (pdftotext gives a soft hyphen there)."""
    return "".join(text.replace("\u00ad", "").split())


def test_pdfs_build_and_carry_every_value_as_text(built, site):
    require_tool(None if shutil.which("pdftotext") else "pdftotext (Debian poppler-utils) is not installed")
    project, planted, _ = built
    for nb in sorted((project / "reports/2023").glob("*.ipynb")):
        if nb.stem == "oversikt":
            continue
        pdf = site / f"2023/{nb.stem}.pdf"
        assert pdf.is_file(), nb.stem
        # -raw: in the order Typst wrote it, so that a table cell's lines stay together
        text = squeezed(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout)
        if nb.stem in NAMES:
            assert squeezed(NAMES[nb.stem]) in text, (nb.stem, text[:300])
        # a data value: the markup, and each word of the original text (a table row that runs onto
        # the next page comes out of pdftotext in pieces, with the repeated column headers between)
        shown = outputs(nb)["text/markdown"]
        for original, value in planted.items():
            if markdown_shows(shown, value):
                assert squeezed(PAYLOAD) in text, (nb.stem, value)
                assert all(squeezed(word) in text for word in original.split()), (nb.stem, value)
