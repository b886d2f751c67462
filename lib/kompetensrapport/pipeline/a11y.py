"""Accessibility of the published pages, checked by the project itself.

:func:`check_site` opens every HTML page below a folder in headless Chromium (Debian's
``chromium``, driven by Playwright; no browser is ever downloaded), injects axe-core (from npm,
``node_modules/axe-core/axe.min.js``, pinned in ``package-lock.json``) and returns every WCAG 2.1
level A or AA violation axe finds, each naming the page, the rule, its impact and the element.
Every page is checked in a desktop window and in a 320 px wide one (WCAG 1.4.10); on the first
page the site search (Quarto's) is also opened with results showing, and checked.
The pages are served by a web server bound to 127.0.0.1 only, and the browser is kept from
loading anything else (a request to any other address is aborted), so the check is the same
offline and online.

:func:`export_notebooks` turns the executed notebooks of a build into plain HTML pages with
nbconvert (``lang="sv"``, a ``<title>`` and an ``<h1>``, code removed): the pages that can be
made without Quarto, holding the same tables and figures Quarto embeds. :func:`main` is the
command ``kompetensrapport check-site DIR``.

Install what the check needs with ``sh .ci/install-chromium.sh`` (``make test`` runs it).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import sys
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kompetensrapport import paths

#: The axe-core tags of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Chromium's flags: no sandbox (CI runs as root), and no traffic of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu"]
AXE_RELATIVE = Path("node_modules") / "axe-core" / "axe.min.js"
#: Environment variable naming axe.min.js, when it is not in a node_modules folder found below.
AXE_ENV = "KOMPETENSRAPPORT_AXE"
INSTALL_HINT = ("Install what is missing from the project folder with `sh .ci/install-chromium.sh` "
                "(Debian's chromium with apt-get, as root) and `npm ci` (axe-core from package-lock.json); "
                "`make test` does both.")
#: Milliseconds a page may take to load, and axe to run on it.
PAGE_TIMEOUT_MS = 60_000
SNIPPET_CHARS = 160


class ToolMissing(RuntimeError):
    """Chromium, axe-core or Playwright is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Violation:
    """One element of one page that breaks one WCAG rule (an axe-core rule id such as ``image-alt``)."""

    page: str  # the page's path relative to the checked folder
    rule: str
    impact: str  # minor, moderate, serious or critical
    target: str  # CSS selector of the element
    html: str  # the element's opening HTML, shortened
    help: str  # what the rule asks, in a sentence
    help_url: str = ""

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.impact}): {self.target}: {self.html} - {self.help}"


# -- what the check needs ----------------------------------------------------------------------

def chromium_path() -> str | None:
    """Debian's Chromium on PATH, or None."""
    return shutil.which("chromium")


def axe_path() -> Path | None:
    """axe.min.js: ``$KOMPETENSRAPPORT_AXE``, else ``node_modules/axe-core`` in the current folder or
    one above it, else in the project folder that holds this package (an editable install)."""
    env = os.environ.get(AXE_ENV)
    if env:
        return Path(env) if Path(env).is_file() else None
    starts = [Path.cwd(), Path(__file__).resolve().parent]
    for start in starts:
        for folder in [start, *start.parents]:
            candidate = folder / AXE_RELATIVE
            if candidate.is_file():
                return candidate
    return None


def missing_tools() -> str | None:
    """Why the check cannot run here (what is missing and how to install it), or None when it can."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright (in requirements.lock: `make test` installs it)")
    if chromium_path() is None:
        missing.append("the `chromium` command (Debian package chromium)")
    if axe_path() is None:
        missing.append(f"axe-core ({AXE_RELATIVE}, or ${AXE_ENV} naming axe.min.js)")
    if not missing:
        return None
    return "The accessibility check needs " + " and ".join(missing) + ". " + INSTALL_HINT


# -- serving the pages -------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 (a free port, loopback only); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(Path(folder).resolve()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html_pages(folder: Path) -> list[Path]:
    """Every ``*.html`` below ``folder``, except in hidden folders (``.quarto``)."""
    folder = Path(folder)
    pages = []
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            pages.append(path)
    return pages


# -- the check ---------------------------------------------------------------------------------

_AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                            resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.map(t => Array.isArray(t) ? t.join(" ") : t).join(" "),
                                  html: n.html, impact: n.impact}))
    }));
}"""


def _snippet(html: str) -> str:
    """The element's HTML on one line, embedded data (a figure's PNG) elided, at most SNIPPET_CHARS."""
    text = " ".join(html.split())
    text = re.sub(r"(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]{16,}", r"\1…", text)
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS - 1] + "…"
    return text


def _violations(page_name: str, raw: list[dict]) -> list[Violation]:
    out = []
    for rule in raw:
        for node in rule["nodes"]:
            out.append(Violation(page_name, rule["id"], node.get("impact") or rule.get("impact") or "",
                                 node["target"], _snippet(node["html"]), rule["help"], rule.get("helpUrl", "")))
    return out


def _relative(path: Path, folder: Path) -> str:
    """``path`` below ``folder`` as a URL path (pages reached through symlinks keep their names)."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.resolve().relative_to(folder.resolve()).as_posix()


#: Window widths each page is checked at: a desktop, and 320 CSS px (WCAG 1.4.10 Reflow), where
#: Quarto folds the navbar and wide content must not need a keyboard-unreachable scroll.
VIEWPORT_WIDTHS = (1280, 320)


def _axe(page, axe: str, rel: str, width: int, state: str = "") -> list[Violation]:
    """axe-core's WCAG A/AA violations on ``page`` as it is now; the page name notes a narrow
    window or an opened state so the report says where to look."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=axe)
    where = rel + "".join(f" ({x})" for x in ([f"{width} px bred"] if width != VIEWPORT_WIDTHS[0] else []) + ([state] if state else []))
    return _violations(where, page.evaluate(_AXE_RUN, list(WCAG_TAGS)))


def _page_of(v: Violation) -> str:
    """The page a violation is on, without the window width or state noted after it."""
    return v.page.split(" (", 1)[0]


def _once(found: list[Violation]) -> list[Violation]:
    """Each element's breach of a rule once: as first found (desktop before narrow, page before
    opened search)."""
    seen, out = set(), []
    for v in found:
        key = (_page_of(v), v.rule, v.target)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _open_search(page) -> bool:
    """Open Quarto's site search and type the first word of the page title, so that the search
    overlay and its results are checked too. False when the page has no site search."""
    button = page.locator(".aa-DetachedSearchButton, #quarto-search button").first
    if button.count() == 0:
        return False
    button.click()
    word = (page.title().split() or ["a"])[0]
    page.keyboard.type(word)
    try:
        page.wait_for_selector(".aa-Item", timeout=5_000)
    except Exception:  # no result for the word: the overlay itself is still checked
        pass
    page.wait_for_timeout(300)  # let the panel finish its transition
    return True


def check_pages(folder: Path, pages: list[Path]) -> list[Violation]:
    """Run axe-core over ``pages`` (files below ``folder``) and return their WCAG A/AA violations."""
    reason = missing_tools()
    if reason:
        raise ToolMissing(reason)
    from playwright.sync_api import sync_playwright

    folder = Path(folder)
    axe = str(axe_path())
    found: list[Violation] = []
    with serve(folder) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(color_scheme="light", locale="sv-SE", service_workers="block")
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            # only the local server and inline data: nothing from the internet
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                          else route.abort("blockedbyclient"))
            # the site's chrome is the same on every page: open the search on the start page
            rels = [_relative(Path(path), folder) for path in pages]
            search_on = "index.html" if "index.html" in rels else rels[0]
            for width in VIEWPORT_WIDTHS:
                page = context.new_page()
                page.set_viewport_size({"width": width, "height": 900})
                try:
                    for rel in rels:
                        page.goto(base + urllib.parse.quote(rel), wait_until="load")
                        found += _axe(page, axe, rel, width)
                        if rel == search_on and _open_search(page):
                            found += _axe(page, axe, rel, width, "sökresultat visas")
                finally:
                    page.close()
        finally:
            browser.close()
    return _once(found)


def check_site(folder) -> list[Violation]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the HTML pages below ``folder``.

    Raises :class:`ToolMissing` when Chromium, axe-core or Playwright is not installed, and
    FileNotFoundError when ``folder`` holds no HTML page (a check of nothing must not pass)."""
    folder = Path(folder)
    pages = html_pages(folder)
    if not pages:
        raise FileNotFoundError(f"{folder}: no HTML page to check")
    return check_pages(folder, pages)


# -- pages without Quarto ----------------------------------------------------------------------

def _front_matter(nb) -> dict:
    """The YAML front matter of an executed notebook's first (raw) cell, removed from the notebook."""
    import yaml

    if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.lstrip().startswith("---"):
        meta = yaml.safe_load(nb.cells[0].source.strip().strip("-")) or {}
        del nb.cells[0]
        return meta
    return {}


#: What nbconvert writes as the alt text of an image that has none. It would hide the fault
#: from the check (and it is English), so the export removes it again.
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"


def _undo_placeholder_alt(page: str) -> str:
    """Remove the alt text nbconvert invents for images without one, so they show as missing."""
    return re.sub(r'\salt="' + re.escape(NBCONVERT_PLACEHOLDER_ALT) + '"', "", page)


def _exporter():
    from nbconvert import HTMLExporter

    templates = resources.files("kompetensrapport") / "templates"
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(templates)],
                            template_file="notebook-page.html.j2")
    exporter.language_code = "sv"
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def export_notebooks(reports_dir, out_dir) -> list[Path]:
    """Export the executed notebooks ``reports_dir/<år>/*.ipynb`` to ``out_dir/<år>/*.html``.

    Each page has ``lang="sv"``, the notebook's title as ``<title>`` and ``<h1>``, no code, the
    report's stylesheets, and the outputs as the notebook holds them (the tables' and figures'
    HTML). An image without alt text stays without it (nbconvert's English placeholder is
    removed), so the check finds it. The download folders (``nedladdning/``) are copied beside
    the pages so their links work. Returns the pages written."""
    import nbformat

    reports_dir, out_dir = Path(reports_dir), Path(out_dir)
    css = "\n".join((resources.files("kompetensrapport") / "templates" / name).read_text(encoding="utf-8")
                    for name in paths.templates(".css"))
    exporter = _exporter()
    written = []
    for nb_path in sorted(reports_dir.glob("*/*.ipynb")):
        if not nb_path.parent.name.isdigit():
            continue
        nb = nbformat.read(nb_path, as_version=4)
        meta = _front_matter(nb)
        nb.metadata["title"] = str(meta.get("title") or nb_path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"kr_css": css,
                                                             "metadata": {"name": nb_path.stem}})
        body = _undo_placeholder_alt(body)
        target = out_dir / nb_path.parent.name / f"{nb_path.stem}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        downloads = nb_path.parent / "nedladdning"
        if downloads.is_dir():
            shutil.copytree(downloads, target.parent / "nedladdning", dirs_exist_ok=True)
    return written


# -- the record the accessibility statement shows -----------------------------------------------

#: Where a check of a project's site is recorded, relative to the project folder.
RECORD = Path("tillganglighet") / "granskning.json"


def record_path(folder: Path) -> Path | None:
    """Where to record a check of ``folder``: the project's :data:`RECORD` when ``folder`` is a
    project's ``_site`` (its parent holds ``_quarto.yml`` and ``params/``), else None."""
    project = Path(os.path.abspath(folder)).parent
    if Path(folder).name == "_site" and (project / "_quarto.yml").is_file() and (project / "params").is_dir():
        return project / RECORD
    return None


def axe_version() -> str:
    """The version of the axe-core in use (from its package.json), or "okänd"."""
    import json

    axe = axe_path()
    try:
        return json.loads((axe.parent / "package.json").read_text(encoding="utf-8"))["version"]
    except (AttributeError, OSError, ValueError, KeyError):
        return "okänd"


def pdf_tagging(folder: Path) -> dict | None:
    """How many PDFs below ``folder`` there are and how many are tagged (``pdfinfo``, from
    poppler-utils), or None when pdfinfo is not installed."""
    import subprocess

    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    pdfs = sorted(Path(folder).rglob("*.pdf"))
    tagged = 0
    for pdf in pdfs:
        proc = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True)
        tagged += bool(re.search(r"^Tagged:\s+yes", proc.stdout, re.M))
    return {"antal": len(pdfs), "taggade": tagged}


def write_record(path: Path, pages: list[Path], found: list[Violation], folder: Path) -> None:
    """Record a check: its date, the tool and rules, the window widths, the pages checked, the
    violations found (per rule) and the PDFs' tagging."""
    import datetime as dt
    import json

    rules: dict[str, int] = {}
    for v in found:
        rules[v.rule] = rules.get(v.rule, 0) + 1
    record = {"datum": dt.date.today().isoformat(), "verktyg": f"axe-core {axe_version()}",
              "regler": list(WCAG_TAGS), "bredder_px": list(VIEWPORT_WIDTHS), "sidor": len(pages),
              "overtradelser": len(found), "sidor_med_overtradelser": len({_page_of(v) for v in found}),
              "overtradelser_per_regel": rules, "pdf": pdf_tagging(folder)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_record(root: Path) -> dict | None:
    """The last recorded check of the project's site (see :func:`write_record`), or None."""
    import json

    try:
        record = json.loads((Path(root) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


# -- the command -------------------------------------------------------------------------------

#: The exit status of ``check-site`` when there is no rendered site to check.
NO_SITE = 3


def _render_hint(folder: Path) -> str:
    """How to render the site that ``folder`` should hold: ``make report`` in its project folder
    (the one holding ``_quarto.yml`` and ``params/``), for the project's latest year."""
    import shlex

    project = Path(os.path.abspath(folder)).parent
    years = sorted(int(p.name) for p in (project / "params").glob("[0-9][0-9][0-9][0-9]") if p.is_dir())
    if not (project / "_quarto.yml").is_file() or not years:
        return ("Render the site first: `make report` in the project folder (with Quarto installed), "
                "then check its _site folder.")
    where = "" if project == Path.cwd() else f" -C {shlex.quote(str(project))}"
    return (f"Render it with Quarto installed: `make{where} report YEAR={years[-1]}` (the build says "
            "how to install Quarto when it is missing), then check again.")


def no_site(folder: Path) -> str | None:
    """Why there is no site to check in ``folder``, with what to do, or None when it holds HTML
    pages."""
    if folder.is_symlink() and not folder.exists():
        return (f"{folder} is not there: it links to {os.readlink(folder)}, which does not exist, so "
                "the site has not been rendered (the last build ran without Quarto, or with "
                f"--no-render). {_render_hint(folder)}")
    if not folder.exists():
        return f"{folder} is not there: no such folder. {_render_hint(folder)}"
    if not html_pages(folder):
        return f"{folder} holds no HTML page to check. {_render_hint(folder)}"
    return None


def main(folder, out=None, err=None) -> int:
    """``kompetensrapport check-site DIR``: print every violation (page, rule, element).

    Returns 0 when there is none, 1 when there is any, 2 when the check cannot run (Chromium or
    axe-core missing or failing), :data:`NO_SITE` when there is no site to check (``folder`` is
    not there, is a link to nothing, as ``_site`` is after a build without Quarto, or holds no
    HTML page)."""
    out = out or sys.stdout
    err = err or sys.stderr
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        print(f"error: {folder} is not a folder: give the folder of the rendered site, e.g. _site", file=err)
        return 2
    missing = no_site(folder)
    if missing:
        print(f"error: {missing}", file=err)
        return NO_SITE
    pages = html_pages(folder)
    reason = missing_tools()
    if reason:
        print(f"error: {reason}", file=err)
        return 2
    from playwright.sync_api import Error as PlaywrightError

    try:
        found = check_pages(folder, pages)
    except PlaywrightError as e:
        first = (str(e).strip().splitlines() or ["unknown error"])[0]
        print(f"error: the check could not run in Chromium ({chromium_path()}): {first}", file=err)
        return 2
    for v in found:
        print(f"{v.page}: {v.rule} ({v.impact}) {v.target}\n    {v.html}\n    {v.help} <{v.help_url}>", file=out)
    pages_hit = len({_page_of(v) for v in found})
    record = record_path(folder)
    if record is not None:
        write_record(record, pages, found, folder)
        print(f"recorded in {record} (the Tillgänglighetsredogörelse shows it from the next build)", file=out)
    if found:
        print(f"{len(found)} WCAG 2.1 A/AA violation(s) on {pages_hit} of {len(pages)} page(s) in {folder}",
              file=out)
        return 1
    print(f"{len(pages)} page(s) in {folder}: no WCAG 2.1 A/AA violations found by axe-core", file=out)
    return 0
