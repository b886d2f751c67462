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

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kompetensrapport.present import downloads, sources
from kompetensrapport.present.blocks import Block, esc, md

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

    # -- downloads ---------------------------------------------------------------------
    def download_paths(self) -> tuple[str, str]:
        return downloads.paths(self.name)

    def write_files(self, folder) -> list[Path]:
        """Write the table's CSV and Excel downloads into ``folder``/nedladdning (the page's
        folder); returns their paths. See :mod:`kompetensrapport.present.downloads`."""
        return downloads.write_table(self, Path(folder))

    # -- representations ---------------------------------------------------------------
    def _align(self, col) -> str:
        return "right" if col in self.numeric else "left"

    def html(self) -> str:
        cols = list(self.frame.columns)
        out = ['<div class="kr-table">',
               '<table class="table kr" data-quarto-disable-processing="true">',
               f"<caption>{esc(self.caption)}</caption>", "<thead><tr>"]
        for c in cols:
            out.append(f'<th scope="col" style="text-align:{self._align(c)}">{esc(c)}</th>')
        out.append("</tr></thead><tbody>")
        for i, (_, row) in enumerate(self.frame.iterrows()):
            strong = i in self.strong_rows
            computed = ' data-computed="true"' if i in self.computed_rows else ""
            out.append(f'<tr class="kr-sum"{computed}>' if strong else f"<tr{computed}>")
            for j, c in enumerate(cols):
                style = f"text-align:{self._align(c)}"
                if self.styles is not None:
                    extra = self.styles.iloc[i, j]
                    if isinstance(extra, str) and extra:
                        style += ";" + extra
                text = esc(row[c])
                if strong:
                    text = f"<strong>{text}</strong>"
                tag = "th" if (j == 0 and self.row_headers) else "td"
                scope = ' scope="row"' if tag == "th" else ""
                out.append(f'<{tag}{scope} style="{style}">{text}</{tag}>')
            out.append("</tr>")
        out.append("</tbody></table>")
        for note in self.notes:
            out.append(f'<p class="kr-note">{esc(note)}</p>')
        csv_rel, xlsx_rel = self.download_paths()
        out.append(f'<p class="kr-source">Källa: {sources.html(self.source)}. Ladda ned tabellen: '
                   f'<a href="{esc(csv_rel)}" download>CSV</a> · <a href="{esc(xlsx_rel)}" download>Excel</a></p>')
        out.append("</div>")
        return "\n".join(out)

    def _rule(self, col) -> str:
        """The header rule of a column. Pandoc sizes a wide table's columns by the number of
        dashes here (the PDF): as many as the column's longest text, within 4 and 40, so a column of
        names gets more room than a column of numbers."""
        texts = [str(col)] + [str(v) for v in self.frame[col]]
        dashes = "-" * min(40, max(4, max(len(t) for t in texts)))
        return dashes[:-1] + ":" if col in self.numeric else ":" + dashes[1:]

    def markdown(self) -> str:
        cols = list(self.frame.columns)
        lines = ["| " + " | ".join(md(c) for c in cols) + " |",
                 "|" + "|".join(self._rule(c) for c in cols) + "|"]
        for i, (_, row) in enumerate(self.frame.iterrows()):
            cells = [md(row[c]) for c in cols]
            if i in self.strong_rows:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", f": {md(self.caption)}", ""]
        for note in self.notes:
            lines += [md(note), ""]
        lines.append(f"Källa: {sources.markdown(self.source)}.")
        return "\n".join(lines)

    def rows(self) -> int:
        return len(self.frame)
