"""The source line under every table: document title and section, from ``kallor.csv``.

Readers see a source by its document's title and the sections the values come from; on the
website the title links to the document's entry on the page Källor (``kallor.qmd``), whose
headings carry the anchors :func:`anchors` gives. The document's file name (``kalla`` in the data,
``fil`` in ``kallor.csv``) stays in the data and the open data, for machines; readers never see it.

A :class:`Source` is a ``str`` (the plain reader text: what ``str()``, an f-string, a download's
cover sheet and the PDF show) that also knows its documents, so that :func:`html` can link them.

>>> import pandas as pd
>>> k = pd.DataFrame({"fil": ["000_5e1cb440a0b9cae8.txt"], "titel": ["Internbudget 2023"]})
>>> f = pd.DataFrame({"kalla": ["000_5e1cb440a0b9cae8.txt: Bilaga 1", "000_5e1cb440a0b9cae8.txt: Bilaga 2"]})
>>> s = source_text({"kallor.csv": k}, f)
>>> str(s)
'Internbudget 2023, avsnitt: Bilaga 1; Bilaga 2'
>>> html(s)
'<a href="../kallor.html#kalla-internbudget-2023">Internbudget 2023</a>, avsnitt: Bilaga 1; Bilaga 2'
>>> str(labelled({"2023": s, "2022": s}))
'2023: Internbudget 2023, avsnitt: Bilaga 1; Bilaga 2. 2022: Internbudget 2023, avsnitt: Bilaga 1; Bilaga 2'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from kompetensrapport.present import escape

#: The page Källor as a link from the pages that show tables: the pages of a year (``<år>/…``),
#: one folder below the site's root, where ``kallor.html`` lies.
KALLOR_HREF = "../kallor.html"
#: What a reader sees for a document that ``kallor.csv`` does not list (validation refuses such
#: data, so only hand-made frames reach it).
UNKNOWN_TITLE = "okänt källdokument"


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens (å, ä, ö become a, a, o)."""
    words = re.sub(r"[\W_]+", "-", str(text).lower())
    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def anchors(kallor: pd.DataFrame | None) -> dict[str, str]:
    """Each document's anchor on the page Källor, by file name: ``kalla-`` and its title as a slug
    (stable while the title is), numbered ``-2``, ``-3`` … in the order of ``kallor.csv`` when
    titles give the same slug."""
    out: dict[str, str] = {}
    if kallor is None:
        return out
    taken: set[str] = set()
    for file, title in zip(kallor.fil, kallor.titel):
        base = "kalla-" + (_slug(title) or "dokument")
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        out[file] = anchor
    return out


@dataclass(frozen=True)
class Document:
    """One source document as a source line names it: title, anchor on Källor (``None`` when
    unknown), and the sections cited."""

    title: str
    anchor: str | None
    sections: tuple[str, ...]

    def tail(self) -> str:
        return ", avsnitt: " + "; ".join(self.sections) if self.sections else ""


class Source(str):
    """A source line: the plain reader text as a ``str``, and its ``groups`` of documents, each
    with an optional label (a year, when a table compares two)."""

    groups: tuple[tuple[str, tuple[Document, ...]], ...]

    def __new__(cls, groups):
        groups = tuple((label, tuple(docs)) for label, docs in groups)
        self = super().__new__(cls, ". ".join(
            (f"{label}: " if label else "") + ". ".join(d.title + d.tail() for d in docs) for label, docs in groups))
        self.groups = groups
        return self

    def __getnewargs__(self):
        """What pickle and copy pass to :meth:`__new__`: the groups, not the text."""
        return (self.groups,)


def source_text(data: dict, frame: pd.DataFrame | list[str]) -> Source:
    """The source line of ``frame``'s ``kalla`` column (or a list of ``kalla`` values): each
    document by its title from ``data["kallor.csv"]``, in order of first mention, with its sections."""
    values = list(frame["kalla"]) if isinstance(frame, pd.DataFrame) else list(frame)
    kallor = data.get("kallor.csv")
    titles = dict(zip(kallor.fil, kallor.titel)) if kallor is not None else {}
    ids = anchors(kallor)
    by_file: dict[str, list[str]] = {}
    for v in values:
        file, _, section = str(v).partition(": ")
        sections = by_file.setdefault(file, [])
        if section and section not in sections:
            sections.append(section)
    docs = [Document(str(titles[f]) if f in titles else UNKNOWN_TITLE, ids.get(f), tuple(s)) for f, s in by_file.items()]
    return Source([("", docs)])


def labelled(sources: dict[str, Source]) -> Source:
    """One source line of several, each after its label (``{"2023": …, "2022": …}`` gives
    "2023: … . 2022: …"), the links kept."""
    return Source([(label, [d for _, docs in s.groups for d in docs]) for label, s in sources.items()])


def _linked(source: Source, text, link) -> str:
    """The source line with every text passed through ``text`` (an escaper) and each document's
    escaped title through ``link(title, anchor)`` when Källor has an entry for it."""
    groups = []
    for label, docs in source.groups:
        parts = [(link(text(d.title), d.anchor) if d.anchor else text(d.title)) + text(d.tail()) for d in docs]
        groups.append((text(label) + ": " if label else "") + ". ".join(parts))
    return ". ".join(groups)


def html(source) -> str:
    """The source line of a table or figure as HTML: each document's title links to its entry on
    Källor (:data:`KALLOR_HREF`); every text escaped. A plain ``str`` is escaped as it is."""
    if not isinstance(source, Source):
        return escape.html(source)
    return _linked(source, escape.html, lambda title, anchor: f'<a href="{KALLOR_HREF}#{escape.html(anchor)}">{title}</a>')


def markdown_linked(source, page: str) -> str:
    """The source line as Markdown for a page of the website (not the PDF): each document's
    title links to its entry on Källor at ``page`` (``"kallor.qmd"`` from a page at the site's
    root); every text escaped."""
    if not isinstance(source, Source):
        return escape.markdown(source)
    return _linked(source, escape.markdown, lambda title, anchor: f"[{title}]({page}#{anchor})")


def markdown(source) -> str:
    """The source line of a table or figure as Markdown, for the PDF: plain text (title and
    sections, escaped), no link: a PDF has no page Källor beside it to link to."""
    return escape.markdown(source)
