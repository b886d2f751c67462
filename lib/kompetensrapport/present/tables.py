"""Tables a reader sees: accessible HTML for the site, Markdown for the PDF, CSV and Excel files
to download, and the source next to every table.

A :class:`Table` holds the formatted cells (strings, Swedish formatting already applied), the
caption, the source, and the raw data that the download files carry. The HTML has a real
``<caption>``, ``<th scope="col">`` for column headers and ``<th scope="row">`` for the first
column, and asks Quarto not to re-process it (so the attributes survive).

Example::

    Table(frame, caption="Regionbidrag 2022–2025", source="000_…txt: Budgetförutsättningar",
          name="regionbidrag", data=raw_frame)
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kompetensrapport.present import downloads, sources
from kompetensrapport.present.blocks import Block, esc, md

#: Width of a page's text column on the website, in characters of body text (about 800 px at
#: 1280 px; a character taken as 0.6 em, wide enough for the widest fallback fonts).
TEXT_COLUMN_CHARS = 80
#: Width of the PDF's text on a portrait and a landscape A4 page (2 cm margins: 482 and 728 pt),
#: in characters of the tables' text size (:data:`TYPST_TABLE_SIZE`; a character taken as 0.5 em,
#: a little more than the serif's average).
PORTRAIT_CHARS = 105
LANDSCAPE_CHARS = 160
#: A cell's padding on both sides, in characters.
CELL_PADDING_CHARS = 2
#: Text longer than this wraps in its column, in characters (the column's preferred width).
LONG_TEXT_CHARS = 40
#: Tables with this many columns or more are set smaller on the website (``kr-dense``).
DENSE_COLUMNS = 8
#: Quarto's class for content that takes the page's full width, beside the table of contents.
PAGE_COLUMN_CLASS = "column-page"
#: The text size of tables in the PDF, and the space around a cell's text (a little less than
#: Quarto's 6 pt, so that a matrix of 20-odd rows fits one landscape page with its notes).
TYPST_TABLE_SIZE = "9pt"
TYPST_CELL_INSET = "(x: 5pt, y: 3pt)"
#: What the raw Typst that opens a landscape page carries, for templates/typst-text.lua.
LANDSCAPE_MARK = "// kr-landscape"
#: Where a line may break inside a piece of text besides white space: after a slash.
_BREAK_AFTER = re.compile(r"(?<=/)")
#: A slash between two letters ("assistenter/familjebehandlare"), where the website may break.
_SLASH_IN_WORD = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")
#: ASCII punctuation: each is escaped with a backslash in Typst markup.
_TYPST_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
#: The CSS of a cell (``styles``) that the PDF carries over: fill, text colour, italics.
_CSS_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _pieces(text: str) -> list[str]:
    """The pieces of ``text`` a line cannot break inside (split at white space and after "/")."""
    return [p for word in text.split() for p in _BREAK_AFTER.split(word) if p] or [""]


def _html_text(value) -> str:
    """A cell's text as HTML: escaped, and with a line-break opportunity after each slash between
    two letters, so that "Behandlingsassistenter/familjebehandlare" can wrap in a narrow column."""
    return _SLASH_IN_WORD.sub("/<wbr>", esc(value))


def typst_text(value) -> str:
    """A value as Typst markup that reads as the value itself: white space made single spaces and
    every ASCII punctuation character escaped with a backslash (as templates/typst-text.lua does),
    so that no character starts markup, code, a comment, a label, a link or a shorthand.

    >>> typst_text('#x *b* "q" a--b https://x.se')
    '\\\\#x \\\\*b\\\\* \\\\"q\\\\" a\\\\-\\\\-b https\\\\:\\\\/\\\\/x\\\\.se'
    """
    return _TYPST_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _css(style: str) -> dict[str, str]:
    """A cell's CSS (``"background-color:#8e1b1b;color:#ffffff"``) as a dict."""
    out = {}
    for part in style.split(";"):
        key, _, value = part.partition(":")
        if key.strip():
            out[key.strip()] = value.strip()
    return out


def _typst_cell(value, style: str, strong: bool, fits: bool) -> str:
    """One table cell in Typst: its text escaped, bold in a sum row, and the cell's CSS carried
    over: background colour as fill, text colour, italics. A cell with a style (a rating) is never
    hyphenated; other cells only when the table's words do not fit the page (``fits``)."""
    css = _css(style)
    body = f"[{typst_text(value)}]"
    if strong:
        body = f"strong({body})"
    if css.get("font-style") == "italic":
        body = f"emph({body})"
    text_args = []
    if _CSS_COLOUR.match(css.get("color", "")):
        text_args.append(f'fill: rgb("{css["color"]}")')
    if style:
        text_args.append("hyphenate: false")
    if text_args:
        body = f"text({', '.join(text_args)}, {body})"
    fill = css.get("background-color", "")
    if _CSS_COLOUR.match(fill):
        return f'table.cell(fill: rgb("{fill}"), {body})'
    return body if body.startswith("[") else f"[#{body}]"

@dataclass
class Table(Block):
    """A table with caption, source and downloads.

    ``frame``: the cells as the reader sees them (strings). ``numeric``: columns to align right.
    ``styles``: optional frame of the same shape with CSS for cells (colour) — the cell text must
    carry the meaning on its own. ``data``: what the CSV/Excel files hold (default: ``frame``).
    ``row_headers``: the first column names the row (``<th scope="row">``). ``strong_rows`` are
    shown in bold; ``computed_rows`` are sums computed by the report (not data), so the download
    files leave them out: a download holds exactly the other rows of the table.
    """

    frame: pd.DataFrame
    caption: str
    source: str
    name: str
    data: pd.DataFrame | None = None
    numeric: list[str] = field(default_factory=list)
    styles: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    row_headers: bool = True
    strong_rows: list[int] = field(default_factory=list)
    computed_rows: list[int] = field(default_factory=list)
    #: Where the table stands on the website: "auto" (the page's full width when :meth:`wide`),
    #: "text" (the text column) or "page" (the full width).
    layout: str = "auto"

    # -- downloads ---------------------------------------------------------------------
    def download_paths(self) -> tuple[str, str]:
        return downloads.paths(self.name)

    def write_files(self, folder) -> list[Path]:
        """Write the table's CSV and Excel downloads into ``folder``/nedladdning (the page's
        folder); returns their paths. See :mod:`kompetensrapport.present.downloads`."""
        return downloads.write_table(self, Path(folder))

    # -- layout ------------------------------------------------------------------------
    def _texts(self, col) -> list[str]:
        return [str(col)] + [str(v) for v in self.frame[col]]

    def _min_chars(self, col) -> int:
        """The column's longest piece of text that a line cannot break inside (a word, or a part
        of one ending at "/"): the least width, in characters, it needs without breaking words."""
        return max(len(t) for text in self._texts(col) for t in _pieces(text))

    def _want_chars(self, col) -> int:
        """The width the column would like, in characters: its longest text, within
        :data:`LONG_TEXT_CHARS` (longer text wraps), and never less than its longest word."""
        return max(self._min_chars(col), min(LONG_TEXT_CHARS, max(len(t) for t in self._texts(col))))

    def min_chars(self) -> int:
        """The least width of the whole table in characters, each column counted with its padding."""
        return sum(self._min_chars(c) + CELL_PADDING_CHARS for c in self.frame.columns)

    def wide(self) -> bool:
        """The table needs more than the text column of a page (:data:`TEXT_COLUMN_CHARS`) even with
        every cell wrapped between words: on the website it takes the page's full width."""
        if self.layout != "auto":
            return self.layout == "page"
        return self.min_chars() > TEXT_COLUMN_CHARS

    def dense(self) -> bool:
        """Many columns (:data:`DENSE_COLUMNS` or more): set in a smaller size with less padding."""
        return len(self.frame.columns) >= DENSE_COLUMNS

    def landscape(self) -> bool:
        """The PDF sets the table on a landscape page: it has cells with a style (ratings, whose
        words are never hyphenated) and its words do not fit a portrait page's width
        (:data:`PORTRAIT_CHARS`). Other tables wrap and hyphenate on a portrait page."""
        return self.styles is not None and self.min_chars() > PORTRAIT_CHARS

    # -- representations ---------------------------------------------------------------
    def _align(self, col) -> str:
        return "right" if col in self.numeric else "left"

    def _classes(self) -> str:
        classes = ["kr-table"]
        if self.wide():
            classes += ["kr-wide", PAGE_COLUMN_CLASS]
        if self.dense():
            classes.append("kr-dense")
        return " ".join(classes)

    def html(self) -> str:
        cols = list(self.frame.columns)
        out = [f'<div class="{self._classes()}">',
               '<table class="table kr" data-quarto-disable-processing="true">',
               f"<caption>{esc(self.caption)}</caption>", "<thead><tr>"]
        for c in cols:
            out.append(f'<th scope="col" style="text-align:{self._align(c)}">{_html_text(c)}</th>')
        out.append("</tr></thead><tbody>")
        for i, (_, row) in enumerate(self.frame.iterrows()):
            strong = i in self.strong_rows
            computed = ' data-computed="true"' if i in self.computed_rows else ""
            out.append(f'<tr class="kr-sum"{computed}>' if strong else f"<tr{computed}>")
            for j, c in enumerate(cols):
                style = f"text-align:{self._align(c)}"
                extra = self._style(i, j)
                if extra:
                    style += ";" + extra
                text = _html_text(row[c])
                if strong:
                    text = f"<strong>{text}</strong>"
                tag = "th" if (j == 0 and self.row_headers) else "td"
                scope = ' scope="row"' if tag == "th" else ""
                cls = ' class="kr-rating"' if extra else ""
                out.append(f'<{tag}{scope}{cls} style="{style}">{text}</{tag}>')
            out.append("</tr>")
        out.append("</tbody></table>")
        for note in self.notes:
            out.append(f'<p class="kr-note">{esc(note)}</p>')
        csv_rel, xlsx_rel = self.download_paths()
        out.append(f'<p class="kr-source">Källa: {sources.html(self.source)}. Ladda ned tabellen: '
                   f'<a href="{esc(csv_rel)}" download>CSV</a> · <a href="{esc(xlsx_rel)}" download>Excel</a></p>')
        out.append("</div>")
        return "\n".join(out)

    def _style(self, i: int, j: int) -> str:
        """The CSS of cell (row ``i``, column ``j``) from ``styles``, or ""."""
        if self.styles is None:
            return ""
        extra = self.styles.iloc[i, j]
        return extra if isinstance(extra, str) else ""

    def _rule(self, col) -> str:
        """The header rule of a column. Pandoc sizes a wide table's columns by the number of
        dashes here (the PDF): as many as the column's longest text, within 4 and 40, so a column of
        names gets more room than a column of numbers."""
        texts = self._texts(col)
        dashes = "-" * min(40, max(4, max(len(t) for t in texts)))
        return dashes[:-1] + ":" if col in self.numeric else ":" + dashes[1:]

    def markdown(self) -> str:
        """The table for the PDF. A table with cell styles (the ratings, in their colours) is
        written as raw Typst (:meth:`typst`); any other as a pipe table."""
        if self.styles is not None:
            return self._typst_markdown()
        cols = list(self.frame.columns)
        # the caption as a paragraph above the table: Quarto 1.10 drops a pipe table's caption
        # (": …") in the PDF unless the table is a numbered cross-reference
        lines = [f"**{md(self.caption)}**", "",
                 "| " + " | ".join(md(c) for c in cols) + " |",
                 "|" + "|".join(self._rule(c) for c in cols) + "|"]
        for i, (_, row) in enumerate(self.frame.iterrows()):
            cells = [md(row[c]) for c in cols]
            if i in self.strong_rows:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        return "\n".join(lines + self._after_markdown())

    def _after_markdown(self) -> list[str]:
        """The notes and the source line under the table, as Markdown."""
        lines = []
        for note in self.notes:
            lines += [md(note), ""]
        lines.append(f"Källa: {sources.markdown(self.source)}.")
        return lines

    def _typst_markdown(self) -> str:
        """Caption and table as a raw Typst block, then the notes and the source as Markdown; on a
        landscape page of their own when :meth:`landscape` (the page's opening line carries
        :data:`LANDSCAPE_MARK`, by which templates/typst-text.lua lifts it out of the cell's block:
        Typst allows no page inside a block)."""
        lines = ["```{=typst}", self.typst(), "```", ""] + self._after_markdown()
        if self.landscape():
            lines = (["```{=typst}", f"#page(flipped: true)[ {LANDSCAPE_MARK}", "```", ""] + lines
                     + ["", "```{=typst}", "]", "```"])
        return "\n".join(lines)

    def _widths(self) -> list[float]:
        """Each column's share of the width: its longest word, plus the rest of the page shared
        by what each column would like beyond that (as a browser lays out a table), so that no
        word has to break when the words fit the page."""
        page = LANDSCAPE_CHARS if self.landscape() else PORTRAIT_CHARS
        cols = list(self.frame.columns)
        least = [self._min_chars(c) + CELL_PADDING_CHARS for c in cols]
        more = [self._want_chars(c) - self._min_chars(c) for c in cols]
        spare = max(0, page - sum(least))
        total_more = sum(more)
        if total_more == 0:
            return [float(w) for w in least]
        return [w + min(m, spare * m / total_more) for w, m in zip(least, more)]

    def typst(self) -> str:
        """The caption and the table in Typst: a figure (a table with its caption, which may run
        over pages, its header row repeated), each rating cell with its colour as fill and its
        word set without hyphenation. Every text from data is escaped (:func:`typst_text`), so it
        stays text."""
        cols = list(self.frame.columns)
        fits = self.min_chars() <= (LANDSCAPE_CHARS if self.landscape() else PORTRAIT_CHARS)
        widths = ", ".join(f"{w:.1f}fr" for w in self._widths())
        aligns = ", ".join(self._align(c) for c in cols)
        cells = []
        for i, (_, row) in enumerate(self.frame.iterrows()):
            for j, c in enumerate(cols):
                cells.append(_typst_cell(row[c], self._style(i, j), i in self.strong_rows, fits))
        header = ", ".join(f"[*{typst_text(c)}*]" for c in cols)
        return "\n".join([
            "#[",
            "#show figure: set block(breakable: true)",
            "#show figure.caption: set align(left)",
            f"#set text(size: {TYPST_TABLE_SIZE}, hyphenate: {'false' if fits else 'true'})",
            "#set par(justify: false)",
            f"#figure(kind: table, numbering: none, caption: figure.caption(position: top)[*{typst_text(self.caption)}*],",
            f"table(columns: ({widths},), align: ({aligns},), inset: {TYPST_CELL_INSET},",
            "stroke: (x, y) => if y > 0 { (bottom: 0.5pt + luma(200)) },",
            f"table.header({header},), table.hline(stroke: 1pt),",
            *[c + "," for c in cells],
            "))",
            "]",
        ])

    def rows(self) -> int:
        return len(self.frame)
