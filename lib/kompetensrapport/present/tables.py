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

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kompetensrapport.present import escape
from kompetensrapport.present.blocks import Block, esc, md

#: The folder, next to the page, that holds the download files.
DOWNLOAD_DIR = "nedladdning"


_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_DOC_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_xlsx(data: bytes) -> bytes:
    """An Excel file that depends on its content only: fixed zip timestamps and document dates,
    so that two builds of the same data write the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == "docProps/core.xml":
                content = _DOC_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, content)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file in one step (a temporary file of this process, then a rename). Notebooks run
    side by side may write the same download or figure (two förvaltningar with the same
    region-wide section): each reader sees a whole file, never one being written."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


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
        return f"{DOWNLOAD_DIR}/{self.name}.csv", f"{DOWNLOAD_DIR}/{self.name}.xlsx"

    def write_files(self, folder) -> list[Path]:
        """Write the CSV (UTF-8 with BOM, so Excel opens it right) and the Excel file into
        ``folder``/nedladdning (the page's folder); returns their paths.

        The CSV holds every value as it is in the data (CSV is data, read by programs), also one
        that starts with ``=``. In the Excel file no cell is a formula: every text cell is stored
        as text (:func:`kompetensrapport.present.escape.spreadsheet_text`)."""
        data = self.data if self.data is not None else self.frame.drop(index=self.frame.index[self.computed_rows])
        csv_rel, xlsx_rel = self.download_paths()
        folder = Path(folder)
        (folder / DOWNLOAD_DIR).mkdir(parents=True, exist_ok=True)
        write_atomic(folder / csv_rel, data.to_csv(index=False).encode("utf-8-sig"))
        xlsx = io.BytesIO()
        with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
            data.to_excel(xl, index=False, sheet_name="data")
            pd.DataFrame({"Tabell": [self.caption], "Källa": [self.source]}).to_excel(
                xl, index=False, sheet_name="källa")
            for sheet in xl.book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        escape.spreadsheet_text(cell)
        write_atomic(folder / xlsx_rel, reproducible_xlsx(xlsx.getvalue()))
        return [folder / csv_rel, folder / xlsx_rel]

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
        out.append(f'<p class="kr-source">Källa: {esc(self.source)}. Ladda ned tabellen: '
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
        lines.append(f"Källa: {md(self.source)}.")
        return "\n".join(lines)

    def rows(self) -> int:
        return len(self.frame)
