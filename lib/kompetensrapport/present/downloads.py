"""The files a reader downloads beside a table: CSV and Excel.

:func:`write_table` writes ``nedladdning/<name>.csv`` and ``nedladdning/<name>.xlsx`` into the
page's folder.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from kompetensrapport.present import escape
from kompetensrapport.present.files import reproducible_xlsx, write_atomic

#: The folder, next to the page, that holds the download files.
DOWNLOAD_DIR = "nedladdning"


def paths(name: str) -> tuple[str, str]:
    """The CSV and Excel files of the table ``name``, relative to the page's folder."""
    return f"{DOWNLOAD_DIR}/{name}.csv", f"{DOWNLOAD_DIR}/{name}.xlsx"


def write_table(table, folder: Path) -> list[Path]:
    """Write the CSV (UTF-8 with BOM, so Excel opens it right) and the Excel file of ``table`` (a
    :class:`kompetensrapport.present.tables.Table`) into ``folder``/nedladdning; returns their paths.

    The CSV holds every value as it is in the data (CSV is data, read by programs), also one
    that starts with ``=``. In the Excel file no cell is a formula: every text cell is stored
    as text (:func:`kompetensrapport.present.escape.spreadsheet_text`)."""
    data = table.data if table.data is not None else table.frame.drop(index=table.frame.index[table.computed_rows])
    csv_rel, xlsx_rel = paths(table.name)
    folder = Path(folder)
    (folder / DOWNLOAD_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(folder / csv_rel, data.to_csv(index=False).encode("utf-8-sig"))
    xlsx = io.BytesIO()
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        data.to_excel(xl, index=False, sheet_name="data")
        pd.DataFrame({"Tabell": [table.caption], "Källa": [str(table.source)]}).to_excel(
            xl, index=False, sheet_name="källa")
        for sheet in xl.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    escape.spreadsheet_text(cell)
    write_atomic(folder / xlsx_rel, reproducible_xlsx(xlsx.getvalue()))
    return [folder / csv_rel, folder / xlsx_rel]
