"""The Quarto pages that tie the executed notebooks together.

:func:`write_project` writes, into a staging folder that already holds the executed notebooks
(``<år>/<förvaltning>.ipynb``, ``<år>/oversikt.ipynb``), the project file (from the root
``_quarto.yml``, with one navbar entry per förvaltning and the footer), the start page, the page
"Källor" and the page "Om rapporten". Every value from data is escaped for Markdown, and so are
the page titles in the navbar (Quarto reads navbar text as Markdown); YAML is written with
``yaml.safe_dump``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from kompetensrapport import paths
from kompetensrapport.inputs import params
from kompetensrapport.pipeline import versions
from kompetensrapport.present import escape, fmt, kallor, ordlista, start, statement
from kompetensrapport.present.blocks import md


#: A Lua filter that keeps text as typed in the PDFs (see the file, in templates/).
TYPST_FILTER = "typst-text.lua"



@dataclass(frozen=True)
class Page:
    year: int
    slug: str  # förvaltning slug or "oversikt"
    title: str

    @property
    def href(self) -> str:
        return f"{self.year}/{self.slug}.ipynb"


@dataclass(frozen=True)
class BuildInfo:
    year: int  # the year this build made
    date: str
    version: str


def git_version(root: Path) -> str:
    """Short commit of the project, with "+ändringar" when the work tree has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        if not sha:
            return "okänd version (inte ett git-arkiv)"
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + (" +ändringar" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "okänd version"


def build_info(root: Path, year: int) -> BuildInfo:
    return BuildInfo(year, dt.date.today().isoformat(), git_version(root))


def quarto_config(root: Path, pages: list[Page], info: BuildInfo) -> dict:
    """The project file: the root ``_quarto.yml`` with navbar entries, the footer and the filter
    :data:`TYPST_FILTER` added."""
    config = yaml.safe_load((Path(root) / "_quarto.yml").read_text(encoding="utf-8"))
    years = sorted({p.year for p in pages}, reverse=True)
    latest = years[0] if years else info.year
    left = config["website"]["navbar"]["left"] = config["website"]["navbar"].get("left") or []
    for year in years:
        these = [p for p in pages if p.year == year]
        overview = [p for p in these if p.slug == "oversikt"]
        units = sorted((p for p in these if p.slug != "oversikt"), key=lambda p: p.title)
        if year == latest:
            for p in overview:
                left.append({"href": p.href, "text": "Regional översikt"})
            left.append({"text": "Förvaltningar", "menu": [{"href": p.href, "text": md(p.title)} for p in units]})
        else:
            left.append({"text": f"Rapport {year}", "menu": [{"href": p.href, "text": md(p.title)} for p in overview + units]})
    config.setdefault("filters", []).extend(paths.templates(".lua"))
    config["format"]["html"]["css"] = paths.templates(".css")
    # the open data (see publish_open_data): linked from Källor, copied as they are
    config["project"].setdefault("resources", []).extend(["*/data/*", "katalog.ttl", "katalog.rdf"])
    right = config["website"]["navbar"]["right"]
    right.insert(0, {"href": ordlista.FILE, "text": ordlista.TITLE})
    # the last entry's menu ("Om rapporten"), or the navbar itself when that entry is a page
    right[-1].get("menu", right).extend([{"href": "andringar.qmd", "text": "Ändringar och rättelser"},
                                         {"href": statement.FILE, "text": statement.TITLE}])
    footer = config["website"].setdefault("page-footer", {})
    # the accessibility statement is linked from every page (lag 2018:1937)
    footer["center"] = [{"href": statement.FILE, "text": statement.TITLE}]
    footer["right"] = f"Rapportår {info.year} · Byggd {info.date} · Version {info.version}"
    return config


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def about_page(data: dict, year: int) -> str:
    from kompetensrapport.inputs.reconcile import all_checks, OK, ROUNDING

    defs = data["bedomningsdefinitioner.csv"].drop_duplicates("bedomning")
    checks = all_checks(data)
    n_ok = sum(c.status == OK for c in checks)
    n_round = sum(c.status == ROUNDING for c in checks)
    lines = ["---", "title: \"Om rapporten\"", "lang: sv", "---", "",
             "## Metod", "",
             "Siffrorna är överförda för hand från de offentliga dokumenten (se [Källor](kallor.qmd)) till tabeller, "
             "en rad per observation, med dokument och avsnitt angivna på varje rad. Rapporten byggs om från dessa "
             "tabeller varje år: samma indata ger samma rapport.", "",
             "## Bedömningarna", "",
             f"Kompetensanalysernas bedömningar ({fmt.join([md(b) for b in defs.bedomning])}) definieras i "
             f"[{ordlista.TITLE}]({ordlista.FILE}), med källa.", ""]
    lines += ["Bedömningarna skrivs alltid ut i text, inte bara med färg. Där en bedömning saknas står "
              "”uppgift saknas” med skälet; ingen bedömning gissas.", "",
              "## Hur siffrorna är kontrollerade", "",
              f"Varje fil kontrolleras mot ett schema (typer, tillåtna värden, att källan är angiven). Varje angiven "
              "summa jämförs med summan av sina delar: "
              f"{fmt.count(len(checks), 'kontroll', 'kontroller')}, varav {fmt.number(n_ok)} stämmer exakt och "
              f"{fmt.number(n_round)} skiljer sig med högst {fmt.mkr(0.1)} på grund av avrundning i underlaget (visas som "
              "avrundningsdifferens). Större skillnader stoppar bygget.", "",
              "## Kända luckor", "",
              "- Psykiatri, habilitering och hjälpmedel: för tre yrken förlorades markeringarna när dokumentet "
              "omvandlades till text; de visas som ”uppgift saknas”.",
              "- Lasarettet i Ystad: tabellens markeringar förlorades; bedömningarna är härledda ur tabellens "
              "kommentarer och texten efter tabellen enligt en regel som står på förvaltningens sida, och markerade "
              "som härledda, med meningen de bygger på. Yrken som underlaget inte bedömer visas som ”uppgift saknas”.",
              "- Koncernkontoret: jämförelsevärden för föregående år som inte säkert kunde kopplas till sitt "
              "nyckeltal är utelämnade. Där dokumentet anger två olika värden visas textens värde med en fotnot om "
              "båda. Resultaträkningen är Regionstyrelsens; dess procentkolumn används inte, och avvikelsen i "
              "procent är beräknad ur utfall och budget.",
              "- Fokus Kompetensförsörjning: finansieringen 2024 är preliminär.",
              "", "Alla luckor beskrivs i detalj i datamappens kodbok (data/<år>/README.md).", ""]
    return "\n".join(lines)


def statement_page(root: Path, config: dict, info: BuildInfo) -> str:
    """The accessibility statement, from the publisher's files and the last recorded check."""
    from kompetensrapport.inputs import publishing
    from kompetensrapport.pipeline import a11y

    return statement.page(publishing.read(root), publishing.known_shortcomings(root), a11y.read_record(root),
                          config["website"]["title"], info.date, publishing.is_placeholder)


def publish_open_data(site_dir: Path, root: Path, data: dict, info: BuildInfo) -> None:
    """The year's data files as open data (``<år>/data/``, with ``datapackage.json``) and the
    DCAT-AP-SE catalogue of every year in ``site_dir`` (see :mod:`.opendata`)."""
    from kompetensrapport.inputs import publishing
    from kompetensrapport.pipeline import opendata

    config = publishing.read(root)
    opendata.write_year(site_dir / str(info.year), root, info.year, data, config, publishing.is_placeholder)
    opendata.write_catalogue(site_dir, config, publishing.is_placeholder, info.date)


def write_project(site_dir: Path, root: Path, data: dict, pages: list[Page], info: BuildInfo) -> None:
    """Write the Quarto project files into ``site_dir`` (the staging reports folder)."""
    site_dir = Path(site_dir)
    config = quarto_config(root, pages, info)
    _write(site_dir / "_quarto.yml", "# Written by kompetensrapport build from the root _quarto.yml.\n"
           + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    for name in paths.templates(".css") + paths.templates(".lua"):
        with resources.as_file(resources.files("kompetensrapport") / "templates" / name) as template:
            shutil.copyfile(template, site_dir / name)
    _write(site_dir / "index.qmd", start.page(data, pages, info.year, params.load_all(root, info.year)))
    _write(site_dir / "kallor.qmd", kallor.page(data, info.year))
    _write(site_dir / ordlista.FILE, ordlista.page(data, info.year))
    _write(site_dir / statement.FILE, statement_page(root, config, info))
    _write(site_dir / "om-rapporten.qmd", about_page(data, info.year))
    publish_open_data(site_dir, root, data, info)
    versions.write_changes_page(site_dir, root, info.year)  # andringar.qmd: the changes since the last version


#: Typst markup that ends the PDF's first page after the title and the table of contents.
TITLE_PAGE_BREAK = "#pagebreak()"


def pdf_front_matter(year: int, namn: str) -> dict:
    """A förvaltning's page is also a PDF (Typst, bundled with Quarto): a title page naming the
    förvaltning and the year (with the table of contents; the report starts on page 2),
    Swedish headings, A4 with 2 cm margins and 10 pt text so that wide tables fit, tagged for
    accessibility (PDF/UA-1, Quarto 1.9+). Quarto links it from the HTML page ("Andra format").
    The title is the förvaltning's name escaped for Markdown (Quarto reads a title as Markdown and
    pandoc writes it into the HTML page, its ``<title>`` and the Typst document as text)."""
    return {
        "title": escape.markdown(namn),
        "subtitle": f"Kompetensförsörjning i Region Skåne {year}",
        "format": {
            "html": "default",
            "typst": {"toc": True, "toc-title": "Innehåll", "papersize": "a4", "margin": {"x": "2cm", "y": "2cm"},
                      "fontsize": "10pt", "pdf-standard": "ua-1",
                      "include-before-body": [{"text": TITLE_PAGE_BREAK}]},
        },
    }


def pages_in(staging: Path, planned: dict[tuple[int, str], str] | None = None) -> list:
    """The site's pages: the notebooks in ``staging`` (titles from their front matter, where they
    are escaped for Markdown) and the ``planned`` ones, (year, slug) -> title, that this build is
    about to run."""
    titles = {}
    for nb in staging.glob("*/*.ipynb"):
        if not nb.parent.name.isdigit():
            continue
        title = nb.stem
        try:
            first = json.loads(nb.read_text(encoding="utf-8"))["cells"][0]
            if first["cell_type"] == "raw":
                source = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
                title = escape.unmarkdown(yaml.safe_load(source.strip().strip("-"))["title"])
        except Exception:
            pass
        titles[(int(nb.parent.name), nb.stem)] = title
    titles.update(planned or {})
    order = sorted(titles, key=lambda page: f"{page[0]}/{page[1]}.ipynb")  # as the files sort
    return [Page(year, slug, titles[(year, slug)]) for year, slug in order]
