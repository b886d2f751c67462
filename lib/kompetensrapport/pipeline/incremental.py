"""Render only what changed: which pages (HTML) and PDFs of a staging project must be rendered
again, and how the rest is carried over from the last good site.

Each rendered site keeps a manifest, ``reports/.kr-render.json`` beside ``_quarto.yml``: a hash of
every page source (``*.qmd`` and ``<år>/*.ipynb``, with the figures it shows), of the project file
(``_quarto.yml`` without the footer line that names the build date and version; once more without
the navbar, for the PDFs, which show no navbar), of the stylesheets and filters beside it, of the
Quarto version, and of the other files Quarto copies into the site (downloads, figures, open data).

A page is rendered again when its source or what it shows changed; every HTML page is rendered
again when the project file, the navbar (a page added, removed or renamed), the stylesheets or
filters, or Quarto changed. A PDF is rendered again when its notebook, its figures, the project
file apart from navbar and footer, the filters or Quarto changed. Everything else keeps the
output of the last good site: a page rendered before shows the build date and version of the
build that rendered it. :func:`plan` decides; :mod:`.render` runs Quarto and assembles the site.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

#: The manifest of a rendered site, beside the project's ``_quarto.yml``.
MANIFEST = ".kr-render.json"
#: Folders and files of a staging project that are not page sources or resources.
NOT_CONTENT = ("_site", ".quarto")
FIGURE_LINK = re.compile(r"figurer/[^\"')\s\\]+")
#: A page source named in a Lua filter (the glossary filter reads ``ordlista.qmd``).
FILTER_READS = re.compile(r"[\"']([\w./-]+\.(?:qmd|ipynb))[\"']")


@dataclass
class Plan:
    """What one build renders: page sources (paths relative to the project) to render to HTML,
    notebooks to render to PDF; ``full`` when every HTML page is rendered; ``manifest`` describes
    the site once rendered; ``previous`` is the last good site (None when there is none)."""

    html: list[str]
    pdf: list[str]
    sources: list[str]
    full: bool
    manifest: dict
    previous: Path | None = None
    reasons: list[str] = field(default_factory=list)
    #: whether Quarto renders the site (pages, or only the resources it copies); else the last
    #: good site is copied as it is and only PDFs (if any) are rendered
    site_pass: bool = True

    @property
    def kept_html(self) -> list[str]:
        """The page sources whose HTML is carried over from the last good site."""
        return [s for s in self.sources if s not in self.html]

    @property
    def kept_pdf(self) -> list[str]:
        return [s for s in self.manifest["pdf"] if s not in self.pdf]


def sources(project: Path) -> list[str]:
    """The page sources of a staging project, as its ``_quarto.yml`` lists them (``*.qmd`` and
    ``*/*.ipynb`` in the year folders), relative to it, sorted."""
    project = Path(project)
    found = [p.name for p in project.glob("*.qmd")]
    found += [f"{p.parent.name}/{p.name}" for p in project.glob("*/*.ipynb") if p.parent.name.isdigit()]
    return sorted(found)


def output_of(source: str, suffix: str = ".html") -> str:
    """The site file of a page source: ``2023/x.ipynb`` -> ``2023/x.html`` (or ``.pdf``)."""
    return str(Path(source).with_suffix(suffix))


def front_matter(path: Path) -> dict:
    """The YAML front matter of a page source (a notebook's first raw cell, or a ``.qmd`` file's
    leading block), ``{}`` when it has none."""
    text = stub_text(path)
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "".join(cells[0]["source"]) if cells else ""
    match = re.match(r"\s*---\n(.*?)\n---", text, re.S)
    try:
        found = yaml.safe_load(match.group(1)) if match else None
    except yaml.YAMLError:
        return {}
    return found if isinstance(found, dict) else {}


def stub_text(path: Path) -> str:
    """A page source with its front matter only (what Quarto needs to know the page without
    rendering its content): a notebook keeps its first cell when it is the raw front matter."""
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix == ".ipynb":
        nb = json.loads(text)
        first = nb["cells"][:1]
        nb["cells"] = [c for c in first if c.get("cell_type") == "raw"]
        return json.dumps(nb, ensure_ascii=False)
    match = re.match(r"\s*---\n.*?\n---\n", text, re.S)
    return match.group(0) if match else ""


def has_pdf(path: Path) -> bool:
    """Whether a page source asks for a PDF (a ``typst`` format in its front matter)."""
    if Path(path).suffix != ".ipynb":
        return False
    formats = front_matter(path).get("format")
    return isinstance(formats, dict) and "typst" in formats


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _json_digest(value) -> str:
    return _digest(json.dumps(value, sort_keys=True, ensure_ascii=False).encode())


def page_digest(project: Path, source: str) -> str:
    """A page source's bytes and the bytes of every figure it links to (a PDF embeds them)."""
    path = Path(project) / source
    data = path.read_bytes()
    h = hashlib.sha256(data)
    for link in sorted(set(FIGURE_LINK.findall(data.decode("utf-8", "replace")))):
        figure = path.parent / link
        h.update(link.encode())
        h.update(figure.read_bytes() if figure.is_file() else b"<missing>")
    return h.hexdigest()[:16]


def shared_sources(project: Path, pages: list[str]) -> list[str]:
    """The page sources that the project's Lua filters read (their names stand in a filter), so
    that every page depends on them: never rendered as stubs, and a change renders every page."""
    named = set()
    for lua in Path(project).glob("*.lua"):
        named.update(FILTER_READS.findall(lua.read_text(encoding="utf-8")))
    return sorted(named & set(pages))


def resource_files(project: Path, pages: list[str]) -> list[Path]:
    """The files of a staging project that are neither page sources nor the project file,
    stylesheets or filters at its top: downloads, figures, open data."""
    project = Path(project)
    pages = set(pages)
    found = []
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if (not path.is_file() or rel.parts[0] in NOT_CONTENT or any(p.startswith(".") for p in rel.parts)
                or str(rel) in pages or len(rel.parts) == 1 and path.suffix in (".yml", ".css", ".lua")):
            continue
        found.append(path)
    return found


def manifest(project: Path, quarto_version: str) -> dict:
    """The manifest of the site a render of ``project`` makes (see the module's docstring)."""
    project = Path(project)
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    website = config.get("website", {})
    website.get("page-footer", {}).pop("right", None)  # the build date and version
    navbar = website.pop("navbar", None)
    templates = {p.name: _digest(p.read_bytes()) for p in sorted(project.glob("*")) if p.suffix in (".css", ".lua")}
    pages = sources(project)
    h = hashlib.sha256()
    for path in resource_files(project, pages):
        h.update(str(path.relative_to(project)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return {
        "quarto": quarto_version,
        "config": _json_digest(config),  # without navbar and footer: what a PDF shows
        "navbar": _json_digest(navbar),
        "templates": templates,
        "shared": {source: page_digest(project, source) for source in shared_sources(project, pages)},
        "resources": h.hexdigest()[:16],
        "pages": {source: page_digest(project, source) for source in pages},
        "pdf": [source for source in pages if has_pdf(project / source)],
    }


def read_manifest(project: Path | None) -> dict:
    """The manifest kept beside a published project (``{}`` when there is none or it is broken)."""
    if project is None:
        return {}
    try:
        found = json.loads((Path(project) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_manifest(project: Path, record: dict) -> None:
    (Path(project) / MANIFEST).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")


def plan(project: Path, previous: Path | None, quarto_version: str, force: bool = False) -> Plan:
    """What to render in the staging ``project``, given the published project ``previous`` (its
    ``_site`` and manifest; None before the first build)."""
    project = Path(project)
    now = manifest(project, quarto_version)
    pages = list(now["pages"])
    site = Path(previous) / "_site" if previous else None
    old = read_manifest(previous) if site and site.is_dir() else {}
    reasons = []
    if force:
        reasons.append("--force")
    elif not old:
        reasons.append("no rendered site before" if not site or not site.is_dir() else "no record of the last render")
    else:
        for key, why in (("quarto", "another Quarto version"), ("config", "the project file changed"),
                         ("navbar", "the navbar changed"), ("templates", "the stylesheets or filters changed"),
                         ("shared", "a page the filters read changed")):
            if old.get(key) != now[key]:
                reasons.append(why)
        if set(old.get("pages", {})) != set(pages):
            reasons.append("pages were added or removed")
    full = bool(reasons)
    old_pages = old.get("pages", {})

    def kept(output: str) -> bool:
        return site is not None and (site / output).is_file()

    html = pages if full else [s for s in pages if old_pages.get(s) != now["pages"][s] or not kept(output_of(s))]
    pdf_same = bool(old) and not force and all(old.get(k) == now[k] for k in ("quarto", "config", "templates"))
    pdf = [s for s in now["pdf"]
           if not pdf_same or old_pages.get(s) != now["pages"][s] or not kept(output_of(s, ".pdf"))]
    # Quarto copies the downloads, figures and open data: when they changed, it renders the site
    # with every page a stub (see render.py) even though no page changed
    site_pass = bool(html) or old.get("resources") != now["resources"]
    if site_pass:  # the pages the filters read are rendered in full, never as stubs
        html = [s for s in pages if s in html or s in now["shared"]]
    return Plan(html=html, pdf=pdf, sources=pages, full=full, manifest=now,
                previous=site if old else None, reasons=reasons, site_pass=site_pass)
