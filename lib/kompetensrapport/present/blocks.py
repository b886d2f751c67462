"""What a page is made of: headings, text, tables and figures.

Each block has ``_repr_mimebundle_``, so a notebook shows it with ``display(block)``. A bundle
carries two representations of the same content: ``text/html`` (the website: Quarto prefers it
for HTML output) and ``text/markdown`` (the PDF: Quarto prefers Markdown for Typst). Every text
that comes from data is escaped for both, so a value never turns into markup.

>>> Text(f"Total: {md('<b>')}")._repr_mimebundle_()["text/markdown"]
'Total: \\\\<b\\\\>'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kompetensrapport.present import downloads, escape

#: A data value as Markdown (``md("a*b")`` gives ``'a\\*b'``) and as HTML; see :mod:`kompetensrapport.present.escape`.
md = escape.markdown
esc = escape.html


class Block:
    def markdown(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def html(self) -> str:
        return ""

    def plain(self) -> str:
        """A short plain-text stand-in (``text/plain``); without it IPython would store the
        dataclass repr, whose layout depends on pandas' display settings."""
        caption = getattr(self, "caption", None)
        return f"{type(self).__name__}: {caption}" if caption else self.markdown()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.plain(), "text/markdown": self.markdown()}
        h = self.html()
        if h:
            bundle["text/html"] = h
        return bundle


@dataclass
class Heading(Block):
    """A section heading; ``level=2`` is a section of a page."""

    text: str
    level: int = 2

    def markdown(self) -> str:
        return "#" * self.level + " " + md(self.text)


@dataclass
class Text(Block):
    """A paragraph in Markdown. Values from data must be passed through :func:`md`."""

    text: str

    def markdown(self) -> str:
        return self.text


@dataclass
class Bullets(Block):
    """A bulleted list; items are Markdown (values from data through :func:`md`)."""

    items: list[str]

    def markdown(self) -> str:
        return "\n".join(f"- {item}" for item in self.items)


@dataclass
class Callout(Block):
    """A highlighted note (the outcome of a reconciliation, a key result).

    Rendered as a blockquote in Markdown, so it shows in HTML and PDF alike."""

    text: str

    def markdown(self) -> str:
        return "> " + self.text


def show(blocks) -> None:
    """Display blocks in a notebook (an empty list shows nothing). Writes no file: see
    :func:`write_files`."""
    from IPython.display import display

    for block in blocks:
        display(block)


def write_files(blocks, folder, about=None) -> None:
    """Write the files that go with ``blocks`` into ``folder`` (the page's folder): each table's
    CSV and Excel download and each figure's PNG (the PDF shows it). ``about``
    (:func:`kompetensrapport.present.downloads.about`) gives the Excel cover sheets the licence,
    the date and where the unrounded data are. Returns nothing, so that a notebook cell ending
    with it shows nothing."""
    for block in blocks:
        if hasattr(block, "download_paths"):  # a table with downloads
            downloads.write_table(block, Path(folder), about)
        elif hasattr(block, "write_files"):
            block.write_files(folder)
