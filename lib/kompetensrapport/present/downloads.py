"""The files a reader downloads beside a table: CSV and Excel, holding the table as it is shown.

:func:`write_table` writes ``nedladdning/<name>.csv`` and ``nedladdning/<name>.xlsx`` into the
page's folder. Both carry the table's own column headers (Swedish, with their units) and its
cells rounded as shown; a cell that shows one number (``"196 900"``, ``"17,1"``, ``"−34,2"``,
``"+7,7"``, ``"22,0 %"``) is stored as that number (:func:`shown_number`), every other cell as
the text shown. The rows the report computes (``Table.computed_rows``: sums) are left out, so
that the files hold the table's data only; the cover sheet says so.

- **CSV** is for programs: comma-separated, decimal point, no thousands separator (``196900``,
  ``17.1``), UTF-8 with a byte-order mark, the same conventions as the year's open data
  (``<år>/data/*.csv``). A number keeps the decimals shown (``2.0``). A number whose unit the
  column header does not name (``91,8 %`` under ``Värde 2023``), or that carries a footnote
  marker (``84¹``), stays text as shown, so that no unit or note is lost. Text is written
  verbatim, also text that starts with ``=``.
- **Excel** is for people and follows the UK Analysis Function's guidance for releasing
  statistics in spreadsheets: a cover sheet first (*Om tabellen*: the title, what the file holds,
  the source, the notes, the licence, the date and where the unrounded data are), then the table
  (*Tabell*) with its title in A1, the source below it, and the table itself marked as an Excel
  table with one header row. Numbers are numbers with a number format that shows them as the
  report does (the same decimals, the sign ``+``/``−``, the unit and a footnote marker). No cell is a formula
  (:func:`kompetensrapport.present.escape.spreadsheet_text`), and the file depends on its
  content only (:func:`kompetensrapport.present.files.reproducible_xlsx`).

Why not the package ``gptables``, which implements the same guidance: its cover sheet has English
headings written into the code ("Introductory information", "About these data", "Contact"), it
turns a data value written like a Markdown link (``[text](address)``) into a live hyperlink and
``$$…$$`` into a note reference, and it refuses a cell without a letter or digit (``–``, the
report's sign for a value not given). Values from the data must reach readers as text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.table import Table as ExcelTable

from kompetensrapport.inputs.codes import NOT_GIVEN
from kompetensrapport.present import escape, fmt
from kompetensrapport.present.files import reproducible_xlsx, write_atomic

#: The folder, next to the page, that holds the download files.
DOWNLOAD_DIR = "nedladdning"
#: The sheets of an Excel download, in order.
COVER_SHEET, TABLE_SHEET = "Om tabellen", "Tabell"
#: The headings of the cover sheet, in order (each followed by its text, one paragraph a row).
COVER_HEADINGS = ("Om filen", "Källa", "Anmärkningar", "Licens", "Datum", "Oavrundade uppgifter")
#: The first row of the table on the sheet Tabell (title, source and a line on the cover above).
TABLE_FIRST_ROW = 4

#: One number as the report shows it: sign, digits (groups of three separated by a no-break or
#: narrow space), decimal comma, an optional unit after a space (``%``, ``tkr``,
#: ``procentenheter``: letters only, or ``%``) and an optional footnote marker (``¹``).
_SHOWN = re.compile(r"([+\u2212-]?)(\d{1,3}(?:[\u00a0\u202f ]\d{3})+|\d+)(?:,(\d+))?"
                    r"(?:[\u00a0 ](%|[^\W\d_]+(?: [^\W\d_]+)*))?([\u00b9\u00b2\u00b3\u2070-\u2079]*)")


@dataclass(frozen=True)
class Shown:
    """A cell that shows one number: the text shown, its value (rounded as shown), its decimals,
    whether it was shown with ``+``, with thousands grouped, its unit and its footnote marker
    (``""`` when none)."""

    text: str
    value: Decimal
    decimals: int
    plus: bool
    grouped: bool
    unit: str
    note: str = ""

    def number(self) -> int | float:
        """The value as Python number: ``int`` without decimals, else ``float``."""
        return int(self.value) if self.decimals == 0 else float(self.value)

    def excel_format(self) -> str:
        """An Excel number format that shows the value as the report does: ``+#,##0.0`` for
        ``+7,7``, a true minus (U+2212) for negative values, the unit after a no-break space and
        the footnote marker."""
        digits = ("#,##0" if self.grouped else "0") + ("." + "0" * self.decimals if self.decimals else "")
        unit = (f'"{fmt.NBSP}{self.unit}' if self.unit else '"') + f'{self.note}"'
        unit = "" if unit == '""' else unit
        positive = ("+" if self.plus else "") + digits + unit
        return f'{positive};"{fmt.MINUS}"{digits}{unit};{digits}{unit}'


def shown_number(text) -> Shown | None:
    """The number a cell shows, or ``None`` when it shows anything else (text, two numbers,
    ``–``, nothing).

    >>> shown_number("196\\u00a0900").number(), shown_number("\\u221234,2").number()
    (196900, -34.2)
    >>> s = shown_number("+0,9\\u00a0%"); (s.number(), s.plus, s.unit)
    (0.9, True, '%')
    >>> shown_number("8,2\\u00a0av 10") is None, shown_number("+70 (+8,4\\u00a0%)") is None
    (True, True)
    """
    if not isinstance(text, str):
        return None
    m = _SHOWN.fullmatch(text.strip())
    if not m:
        return None
    sign, whole, decimals, unit, note = m.groups()
    digits = re.sub(r"\D", "", whole)
    value = Decimal(f"{'-' if sign in ('-', fmt.MINUS) else ''}{digits}.{decimals or '0'}")
    value = value.quantize(Decimal(1).scaleb(-len(decimals or "")))
    return Shown(text.strip(), value, len(decimals or ""), sign == "+", whole != digits or len(digits) <= 3, unit or "", note)


def unit_in_header(header: str, unit: str) -> bool:
    """Whether a column header names ``unit`` (``"Andel (%)"`` names ``%``): then a cell's number
    can stand without it."""
    return not unit or re.search(rf"\(\s*{re.escape(unit)}\s*\)", str(header)) is not None


@dataclass(frozen=True)
class About:
    """What the cover sheet of every download of a page says besides the table's own caption,
    source and notes: the licence, the date and where the unrounded data are."""

    licence: str = NOT_GIVEN
    date: str = "uppgift saknas"
    unrounded: str = ("Rapportens data, oavrundade och i tabellform, finns som CSV och Excel i mappen "
                      "<år>/data/ på rapportens webbplats; sidan Källor länkar dem.")


def publisher(config, is_placeholder) -> dict:
    """What the build hands every notebook for the downloads' cover sheets, from the publisher's
    configuration (:func:`kompetensrapport.inputs.publishing.read`): ``licens`` (the licence as
    readers see it) and ``webbplats`` (the site's address, "" while it is a placeholder). As
    notebook parameters they are inputs of each page, so a changed licence rebuilds the pages."""
    lic = config.licens
    licence = (NOT_GIVEN if any(is_placeholder(v) for v in (lic.namn, lic.id, lic.url))
               else f"{lic.namn} ({lic.id}), {lic.url}")
    return {"licens": licence, "webbplats": "" if is_placeholder(config.webbplats) else config.webbplats}


def about(year: int, data: dict, licens: str = NOT_GIVEN, webbplats: str = "") -> About:
    """The :class:`About` of a year's downloads: the licence text ``licens`` (see :func:`publisher`),
    the date of the newest source document in ``kallor.csv`` (the date of the data: a new date
    only with new data, so that the files stay the same for the same data), and the address of the
    year's open data (``<år>/data/`` on ``webbplats``, described by ``datapackage.json``)."""
    kallor = data.get("kallor.csv")
    dates = sorted(d for d in (kallor.datum if kallor is not None and "datum" in kallor else [])
                   if fmt.is_iso_date(d))
    date = (f"{fmt.date(dates[-1])}: datum för det senaste av underlagen till {year} års uppgifter "
            "(se sidan Källor)") if dates else About.date
    if not webbplats:
        where = f"i mappen {year}/data/ på rapportens webbplats, beskrivna i datapackage.json där"
    else:
        url = webbplats.rstrip("/") + f"/{year}/data/"
        where = f"på {url}, beskrivna i {url}datapackage.json"
    unrounded = (f"Rapportens data för {year}, oavrundade och i tabellform (en rad per uppgift), finns som CSV "
                 f"och Excel {where}; sidan Källor länkar dem.")
    return About(licence=licens, date=date, unrounded=unrounded)


def paths(name: str) -> tuple[str, str]:
    """The CSV and Excel files of the table ``name``, relative to the page's folder."""
    return f"{DOWNLOAD_DIR}/{name}.csv", f"{DOWNLOAD_DIR}/{name}.xlsx"


def shown_rows(table) -> pd.DataFrame:
    """The table's cells as shown, without the rows the report computes (sums)."""
    frame = table.frame
    return frame.drop(index=frame.index[list(table.computed_rows)]).reset_index(drop=True)


def _cell(value):
    """A cell of the shown frame: a :class:`Shown` number, or the value itself (text, or a
    number the frame already holds as one); ``None`` for an empty or missing cell."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip()):
        return None
    return shown_number(value) or value


def _cells(table) -> tuple[list[str], list[list]]:
    """The headers and the rows of the download: numbers in the right-aligned (numeric) columns
    parsed as :class:`Shown`, every other cell as shown."""
    rows = shown_rows(table)
    headers = [str(c) for c in rows.columns]
    numeric = {str(c) for c in table.numeric}
    out = []
    for record in rows.itertuples(index=False):
        out.append([_cell(v) if h in numeric else (None if _cell(v) is None else v)
                    for h, v in zip(headers, record)])
    return headers, out


def _notes(table) -> list[str]:
    """The cover sheet's notes: the table's own, then the rows left out."""
    notes = [str(n) for n in table.notes]
    if table.computed_rows:
        left_out = [str(table.frame.iloc[i, 0]) for i in table.computed_rows]
        what = "Raden" if len(left_out) == 1 else "Raderna"
        sums = "summa" if len(left_out) == 1 else "summor"
        notes.append(f"{what} som rapporten beräknar ({sums}) är inte med i filen, så att den bara "
                     "innehåller uppgifter: " + "; ".join(left_out) + ".")
    return notes or ["Inga anmärkningar."]


def csv_bytes(table) -> bytes:
    """The CSV download (see the module's description)."""
    headers, rows = _cells(table)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        cells = []
        for header, cell in zip(headers, row):
            if isinstance(cell, Shown):
                keep = unit_in_header(header, cell.unit) and not cell.note
                cells.append(str(cell.value) if keep else cell.text)
            else:
                cells.append("" if cell is None else cell)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table, about: About) -> bytes:
    """The Excel download (see the module's description)."""
    book = Workbook()
    _cover(book.active, table, about)
    _table_sheet(book.create_sheet(TABLE_SHEET), table)
    for ws in book.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                escape.spreadsheet_text(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_xlsx(buffer.getvalue())


def _cover(sheet, table, about: About) -> None:
    """The cover sheet: the caption as title (Excel's style Heading 1), then each of
    :data:`COVER_HEADINGS` (Heading 2) with its paragraphs, all in column A."""
    sheet.title = COVER_SHEET
    sheet.append([table.caption])
    sheet["A1"].style = "Headline 1"
    texts = {
        "Om filen": [f"Tabellen finns på fliken {TABLE_SHEET}, med samma kolumnrubriker och samma avrundade tal som "
                     "i rapporten. Talen är lagrade som tal. En tom cell är tom också i rapporten."],
        "Källa": [str(table.source)],
        "Anmärkningar": _notes(table),
        "Licens": [about.licence],
        "Datum": [about.date],
        "Oavrundade uppgifter": [about.unrounded],
    }
    wrap = Alignment(wrap_text=True, vertical="top")
    for heading in COVER_HEADINGS:
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).style = "Headline 2"
        for text in texts[heading]:
            sheet.append([text])
            sheet.cell(sheet.max_row, 1).alignment = wrap
    sheet.column_dimensions["A"].width = 100


def _table_sheet(sheet, table) -> None:
    """The table's sheet: the caption as title, the source, a pointer to the cover, then the table
    from row :data:`TABLE_FIRST_ROW` as an Excel table, numbers with their number formats."""
    headers, rows = _cells(table)
    sheet.append([table.caption])
    sheet["A1"].style = "Headline 1"
    sheet.append([f"Källa: {table.source}"])
    sheet.append([f"Anmärkningar, licens, datum och oavrundade uppgifter: se fliken {COVER_SHEET}."])
    sheet.append(headers)
    for cell in sheet[TABLE_FIRST_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([c.number() if isinstance(c, Shown) else c for c in row])
        for j, c in enumerate(row, 1):
            if isinstance(c, Shown):
                sheet.cell(sheet.max_row, j).number_format = c.excel_format()
    for j, header in enumerate(headers, 1):
        longest = max([len(header) // 2 + 1] + [len(c.text if isinstance(c, Shown) else str(c or ""))
                                                  for c in (r[j - 1] for r in rows)])
        sheet.column_dimensions[sheet.cell(TABLE_FIRST_ROW, j).column_letter].width = min(60, max(10, longest + 2))
    if rows:  # an Excel table needs a row of data
        last = sheet.cell(TABLE_FIRST_ROW + len(rows), len(headers)).coordinate
        sheet.add_table(ExcelTable(displayName=TABLE_SHEET, ref=f"A{TABLE_FIRST_ROW}:{last}"))


def write_table(table, folder: Path, about: About | None = None) -> list[Path]:
    """Write the CSV and the Excel file of ``table`` (a
    :class:`kompetensrapport.present.tables.Table`) into ``folder``/nedladdning; returns their
    paths. ``about`` (:func:`about`) gives the cover sheet's licence, date and the address of the
    unrounded data; without it the cover says they are not given."""
    csv_rel, xlsx_rel = paths(table.name)
    folder = Path(folder)
    (folder / DOWNLOAD_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(folder / csv_rel, csv_bytes(table))
    write_atomic(folder / xlsx_rel, xlsx_bytes(table, about or About()))
    return [folder / csv_rel, folder / xlsx_rel]
