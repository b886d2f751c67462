"""The year's data as open data (lag 2022:818): every data file of ``data/<år>/`` published in
the site's ``<år>/data/`` as CSV (the file as the analysts wrote it, without a byte-order mark)
and as Excel, described by

- a Frictionless data package, ``<år>/data/datapackage.json``: one resource per CSV file, with
  its table schema (each column's type from the validated data, its meaning and unit from the
  year's codebook ``data/<år>/README.md``), the source documents its ``kalla`` column names, and
  the licence set in ``publicering.yml``;
- a DCAT-AP-SE catalogue at the site's root, ``katalog.ttl`` (Turtle) and ``katalog.rdf``
  (RDF/XML, what dataportal.se harvests): one dataset per data file and year, each with its CSV
  and Excel distributions. It needs the site's address (``webbplats`` in ``publicering.yml``)
  for its identifiers; until that is filled in, no catalogue is written.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd

from kompetensrapport.present import escape
from kompetensrapport.inputs.codes import TITLES
from kompetensrapport.present.files import reproducible_xlsx, write_atomic

DATA_DIR = "data"
PACKAGE_FILE = "datapackage.json"
CATALOGUE_FILES = {"turtle": "katalog.ttl", "xml": "katalog.rdf"}


_TABLE_ROW = re.compile(r"^\|(.+)\|\s*$")
_HEADING = re.compile(r"^#{2,3}\s+`?([a-z0-9_]+\.csv)`?\s*$")


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`").strip() for c in _TABLE_ROW.match(line).group(1).split("|")]


def codebook(readme: Path) -> dict[str, dict]:
    """What the year's codebook says of each data file: ``{"rows": <what one row is>, "columns":
    {column: {"meaning": ..., "unit": ...}}}``, from its table of files and each file's column
    table (``| column | type | unit | meaning | allowed values |``)."""
    books: dict[str, dict] = {}
    if not Path(readme).is_file():
        return books
    current, header = None, None
    for line in Path(readme).read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            current, header = heading.group(1), None
            books.setdefault(current, {"rows": "", "columns": {}})
            continue
        if not _TABLE_ROW.match(line):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells))
        if header[:2] == ["file", "one row is"] and row.get("file", "").endswith(".csv"):
            books.setdefault(row["file"], {"rows": "", "columns": {}})["rows"] = row["one row is"]
        elif header[:1] == ["column"] and current:
            unit = row.get("unit", "")
            books[current]["columns"][row["column"]] = {"meaning": row.get("meaning", ""),
                                                        "unit": "" if unit in ("–", "-", "") else unit}
    return books


def _type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "string"


def _licences(config, placeholder) -> list[dict]:
    lic = config.licens
    if any(placeholder(v) for v in (lic.id, lic.namn, lic.url)):
        return []
    return [{"name": lic.id, "path": lic.url, "title": lic.namn}]


def resource(file: str, frame: pd.DataFrame, book: dict, kallor: pd.DataFrame, licences: list[dict]) -> dict:
    """The data package's description of one data file."""
    columns = book.get("columns", {})
    fields = []
    for col in frame.columns:
        info = columns.get(col, {})
        field = {"name": col, "type": _type(frame[col])}
        if info.get("meaning"):
            field["description"] = info["meaning"]
        if info.get("unit"):
            field["unit"] = info["unit"]
        if field["type"] == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        fields.append(field)
    cited = {str(v).partition(": ")[0] for v in frame.get("kalla", [])}
    sources = [{"title": r.titel, "path": r.fil} for r in kallor.itertuples() if r.fil in cited]
    out = {"name": file.removesuffix(".csv").replace("_", "-"), "path": file, "format": "csv",
           "mediatype": "text/csv", "encoding": "utf-8", "title": TITLES.get(file, file),
           "schema": {"fields": fields}}
    if book.get("rows"):
        out["description"] = f"One row is {book['rows']}."
    if sources:
        out["sources"] = sources
    if licences:
        out["licenses"] = licences
    return out


def _csv_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The data file as Excel: one sheet, every text cell stored as text (never a formula)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        frame.to_excel(xl, index=False, sheet_name="data")
        for row in xl.book["data"].iter_rows():
            for cell in row:
                escape.spreadsheet_text(cell)
        xl.book.properties.title = title
    return reproducible_xlsx(buf.getvalue())


def write_year(year_dir: Path, root: Path, year: int, data: dict[str, pd.DataFrame], config, placeholder) -> Path:
    """Publish the year's data files into ``year_dir``/data with their data package; returns
    the path of ``datapackage.json``."""
    folder = Path(year_dir) / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    source_dir = Path(root) / "data" / str(year)
    books = codebook(source_dir / "README.md")
    kallor = data.get("kallor.csv", pd.DataFrame(columns=["fil", "titel"]))
    licences = _licences(config, placeholder)
    resources = []
    for file in sorted(data):
        write_atomic(folder / file, _csv_bytes(source_dir / file))
        write_atomic(folder / file.replace(".csv", ".xlsx"), _xlsx_bytes(data[file], TITLES.get(file, file)))
        resources.append(resource(file, data[file], books.get(file, {}), kallor, licences))
    package = {"name": f"kompetensforsorjning-region-skane-{year}",
               "title": f"Kompetensförsörjning i Region Skåne {year}: data",
               "description": f"Uppgifterna bakom rapporten om kompetensförsörjning i Region Skåne {year}, "
                              "överförda från Region Skånes offentliga dokument.",
               "resources": resources}
    if licences:
        package["licenses"] = licences
    path = folder / PACKAGE_FILE
    write_atomic(path, (json.dumps(package, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def catalogue(site_dir: Path, config, placeholder, modified: str):
    """The DCAT-AP-SE catalogue (an rdflib Graph) of every year's data package below
    ``site_dir``, or None while the site's address (``webbplats``) is a placeholder."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    if placeholder(config.webbplats):
        return None
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    base = config.webbplats.rstrip("/") + "/"
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dcterms", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", vcard)
    sv = "sv"
    cat = URIRef(base + CATALOGUE_FILES["turtle"])
    publisher = (URIRef(config.utgivare_webbplats) if not placeholder(config.utgivare_webbplats)
                 else URIRef(base + "#utgivare"))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(config.utgivare, lang=sv)))
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal("Kompetensförsörjning i Region Skåne: öppna data", lang=sv)))
    g.add((cat, DCTERMS.description, Literal(
        "Uppgifterna bakom den årliga rapporten om kompetensförsörjning i Region Skåne, en datamängd per "
        "tabell och år.", lang=sv)))
    g.add((cat, DCTERMS.publisher, publisher))
    g.add((cat, FOAF.homepage, URIRef(base)))
    g.add((cat, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    licence = None if placeholder(config.licens.url) else URIRef(config.licens.url)
    if licence is not None:
        g.add((cat, DCTERMS.license, licence))
    contact = None
    if not placeholder(config.kontakt_epost):
        contact = BNode()
        g.add((contact, RDF.type, vcard.Organization))
        g.add((contact, vcard.fn, Literal(config.utgivare)))
        g.add((contact, vcard.hasEmail, URIRef("mailto:" + config.kontakt_epost.strip())))
    for package_path in sorted(Path(site_dir).glob(f"*/{DATA_DIR}/{PACKAGE_FILE}")):
        year = package_path.parent.parent.name
        package = json.loads(package_path.read_text(encoding="utf-8"))
        for res in package["resources"]:
            ds = URIRef(f"{base}{year}/{DATA_DIR}/{res['name']}")
            g.add((cat, DCAT.dataset, ds))
            g.add((ds, RDF.type, DCAT.Dataset))
            g.add((ds, DCTERMS.title, Literal(f"{res['title']} {year}", lang=sv)))
            g.add((ds, DCTERMS.description, Literal(
                f"{res['title']} för rapporten om kompetensförsörjning i Region Skåne {year}. "
                + " ".join(f"Källa: {s['title']}." for s in res.get("sources", [])), lang=sv)))
            g.add((ds, DCTERMS.publisher, publisher))
            g.add((ds, DCTERMS.issued, Literal(modified, datatype=XSD.date)))
            if contact is not None:
                g.add((ds, DCAT.contactPoint, contact))
            for suffix, media in ((".csv", "text/csv"),
                                  (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
                url = URIRef(f"{base}{year}/{DATA_DIR}/{res['path'].removesuffix('.csv')}{suffix}")
                dist = URIRef(f"{url}#distribution")
                g.add((ds, DCAT.distribution, dist))
                g.add((dist, RDF.type, DCAT.Distribution))
                g.add((dist, DCAT.accessURL, url))
                g.add((dist, DCAT.downloadURL, url))
                g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
                g.add((dist, DCTERMS.title, Literal(f"{res['title']} {year} ({suffix[1:].upper()})", lang=sv)))
                if licence is not None:
                    g.add((dist, DCTERMS.license, licence))
    return g


def write_catalogue(site_dir: Path, config, placeholder, modified: str) -> list[Path]:
    """Write the catalogue (Turtle and RDF/XML) at the root of ``site_dir``; the paths written
    (none while ``webbplats`` is a placeholder)."""
    g = catalogue(site_dir, config, placeholder, modified)
    if g is None:
        return []
    written = []
    for fmt_name, name in CATALOGUE_FILES.items():
        path = Path(site_dir) / name
        write_atomic(path, g.serialize(format=fmt_name).encode("utf-8"))
        written.append(path)
    return written
