"""The CSV and Excel files beside a table hold the table as readers see it
(lib/kompetensrapport/present/downloads.py): the shown column headers, the shown numbers rounded
as shown and stored as numbers, and in Excel a cover sheet with the title, source, notes, licence,
date and where the unrounded data are.

The tables are built in the test process from the real 2023 data, as the notebooks build them;
the shown cells are parsed back into numbers here, independently of the code under test, and
some values are checked against the data files read with plain pandas."""

from __future__ import annotations

import csv as csvlib
import io
import re
from decimal import Decimal

import matplotlib.pyplot as plt
import openpyxl
import pytest
import yaml

from conftest import FILLED_PUBLISHING, ROOT
from helpers import MINUS, NBSP, csv
from kompetensrapport.domain import budget, fokus, hr, kompetens
from kompetensrapport.present import sections
from kompetensrapport.present.blocks import write_files
from kompetensrapport.present import downloads
from kompetensrapport.present.downloads import about
from kompetensrapport.present.tables import Table

KK, YSTAD = "koncernkontoret", "lasarettet-ystad"
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december"]
#: A shown number: sign, digits grouped by no-break spaces, decimal comma, unit, footnote marker.
NUMBER = re.compile(r"([+\u2212]?)([\d\u00a0]+)(?:,(\d+))?(?:\u00a0([^\d]+?))?([¹²³⁴⁵⁶⁷⁸⁹⁰]*)")


def _about(root, ar, data):
    """The cover sheet's texts as a build gives them to a page: from ``root``'s publicering.yml."""
    from kompetensrapport.inputs import publishing

    return about(ar, data, **downloads.publisher(publishing.read(root), publishing.is_placeholder))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder with a filled-in publicering.yml (the real one holds placeholders)."""
    root = tmp_path_factory.mktemp("root")
    (root / "publicering.yml").write_text(yaml.safe_dump(FILLED_PUBLISHING, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def written(real_data, project, tmp_path_factory):
    """The tables of several real sections and the folder their downloads were written to."""
    data, ar = real_data, 2023
    blocks = (sections.budget.present(budget.internbudget(data, ar))
              + sections.brygga.present(budget.brygga(data, ar))
              + sections.kompetens.present(kompetens.analysis(data, YSTAD, ar, None))
              + sections.hr.present(hr.key_figures(data, KK, ar))
              + sections.fokus.present(fokus.outcomes(data, ar)))
    tables = [b for b in blocks if isinstance(b, Table)]  # figures' PNGs are not downloads
    plt.close("all")
    folder = tmp_path_factory.mktemp("page")
    write_files(tables, folder, _about(project, ar, data))
    return {t.name: t for t in tables}, folder


def read_csv(folder, name) -> list[list[str]]:
    text = (folder / "nedladdning" / f"{name}.csv").read_text(encoding="utf-8-sig")
    return list(csvlib.reader(io.StringIO(text, newline="")))


def book(folder, name):
    return openpyxl.load_workbook(folder / "nedladdning" / f"{name}.xlsx")


def table_rows(sheet) -> tuple[list, list[list]]:
    """The header and the rows of the Excel table on a sheet (its one defined table)."""
    [(name, ref)] = sheet.tables.items()
    cells = [list(row) for row in sheet[ref]]
    return [c.value for c in cells[0]], cells[1:]


def parse(text: str):
    """(value, decimals, unit, note) of a shown number, or None when the text is not one number."""
    m = NUMBER.fullmatch(text)
    if not m:
        return None
    sign, whole, decimals, unit, note = m.groups()
    value = Decimal(whole.replace(NBSP, "") + "." + (decimals or "0"))
    return (-value if sign == MINUS else value), len(decimals or ""), unit or "", note


def shown_data_rows(table: Table) -> list[list[str]]:
    return [list(map(str, r)) for i, r in enumerate(table.frame.itertuples(index=False)) if i not in table.computed_rows]


NAMES = ["internbudget-malomraden", "internbudget-malomrade-4", "regionbidrag", "regionbidrag-brygga-2023",
         f"{YSTAD}-kompetens-antal", f"{KK}-hr-nyckeltal", "fokus-tratt-intensivsvenska", "fokus-resurser",
         "fokus-finansiering", "fokus-pilotkurser-resultat", f"{YSTAD}-kompetensanalys"]


@pytest.mark.parametrize("name", NAMES)
def test_download_has_the_shown_headers_and_rows(written, name):
    tables, folder = written
    t = tables[name]
    rows = read_csv(folder, name)
    assert rows[0] == list(t.frame.columns)
    assert len(rows) - 1 == len(t.frame) - len(t.computed_rows) > 0
    header, cells = table_rows(book(folder, name)["Tabell"])
    assert header == list(t.frame.columns)
    assert len(cells) == len(rows) - 1


@pytest.mark.parametrize("name", NAMES)
def test_numbers_are_numbers_rounded_as_shown(written, name):
    """Every cell of a right-aligned column that shows one number is a number in Excel, equal to
    the shown value and formatted with the shown decimals; in the CSV it is the number (decimal
    point) when the header names its unit, else the text as shown. Other cells are the text shown."""
    tables, folder = written
    t = tables[name]
    csv_rows = read_csv(folder, name)[1:]
    _, cells = table_rows(book(folder, name)["Tabell"])
    numbers = 0
    for shown, csv_row, xl_row in zip(shown_data_rows(t), csv_rows, cells):
        for col, text, csv_cell, xl in zip(t.frame.columns, shown, csv_row, xl_row):
            parsed = parse(text) if col in t.numeric else None
            if parsed is None:
                assert xl.value == (text or None) and csv_cell == text, (name, col, text)
                continue
            value, decimals, unit, note = parsed
            numbers += 1
            assert xl.data_type == "n" and Decimal(str(xl.value)) == value, (name, col, text, xl.value)
            first_section = xl.number_format.split(";")[0]
            shown_decimals = len(first_section.split(".")[1].split('"')[0]) if "." in first_section else 0
            assert shown_decimals == decimals, (name, col, text, xl.number_format)
            assert (unit in xl.number_format) and (note in xl.number_format)
            if (not unit or f"({unit})" in col) and not note:
                assert Decimal(csv_cell) == value and "." * (decimals > 0) in csv_cell, (name, col, text, csv_cell)
            else:
                assert csv_cell == text
    if t.numeric:
        assert numbers > 0, name


def test_values_match_the_data_files(written):
    """Spot checks against the CSV data read with pandas: the download's numbers are the data's
    values rounded as the report rounds them."""
    tables, folder = written
    insatser = csv("internbudget_insatser.csv")
    rows = read_csv(folder, "internbudget-malomraden")
    col = rows[0].index("Summa insatser (tkr)")
    expected = insatser.groupby("malomrade_nr").anslag_tkr.sum()
    assert [int(r[col]) for r in rows[1:]] == [int(v) for v in expected.sort_index()]
    assert len(rows) - 1 == len(expected)  # the computed sum row is left out
    fin = csv("fokus_finansiering.csv")
    rows = read_csv(folder, "fokus-finansiering")
    assert [int(r[1]) for r in rows[1:]] == [int(v) for v in fin.belopp_kr]
    rb = csv("regionbidrag.csv")
    rows = read_csv(folder, "regionbidrag")
    col = [i for i, h in enumerate(rows[0]) if h.startswith("Regionbidrag")][0]
    assert [Decimal(r[col]) for r in rows[1:]] == [Decimal(str(round(v, 1))) for v in rb.belopp_mnkr]


def test_excel_opens_with_a_cover_sheet(written, real_data):
    tables, folder = written
    kallor = csv("kallor.csv")
    newest = max(d for d in kallor.datum.dropna())
    y, m, d = map(int, newest.split("-"))
    date = f"{d} {MONTHS[m - 1]} {y}"
    for name in ["internbudget-malomraden", f"{KK}-hr-nyckeltal", "fokus-finansiering"]:
        t = tables[name]
        wb = book(folder, name)
        assert wb.sheetnames[0] != "Tabell" and "Tabell" in wb.sheetnames
        cover = [c.value for c in wb.worksheets[0]["A"] if c.value is not None]
        assert cover[0] == t.caption  # the title
        bold = {c.value for c in wb.worksheets[0]["A"] if c.font.bold}

        def after(heading):
            assert heading in bold, (name, heading)
            i = cover.index(heading) + 1
            out = []
            while i < len(cover) and cover[i] not in bold:
                out.append(cover[i])
                i += 1
            return out

        assert after("Källa") == [str(t.source)]
        notes = after("Anmärkningar")
        assert all(n in notes for n in t.notes) and notes
        if t.computed_rows:
            left_out = [str(t.frame.iloc[i, 0]) for i in t.computed_rows]  # named in a note
            assert any(all(r in n for r in left_out) and "inte med" in n for n in notes), notes
        assert after("Licens") == [f"{FILLED_PUBLISHING['licens']['namn']} ({FILLED_PUBLISHING['licens']['id']}), "
                                   f"{FILLED_PUBLISHING['licens']['url']}"]
        assert after("Datum")[0].startswith(date)
        [unrounded] = after("Oavrundade uppgifter")
        assert f"{FILLED_PUBLISHING['webbplats']}2023/data/" in unrounded and "datapackage.json" in unrounded
        sheet = wb["Tabell"]
        assert sheet["A1"].value == t.caption and str(t.source) in sheet["A2"].value
        assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_without_publicering_the_cover_says_the_licence_is_not_given(real_data, tmp_path):
    t = sections.budget.budgetmal_blocks(budget.internbudget(real_data, 2023))[-1]
    write_files([t], tmp_path / "a", _about(tmp_path, 2023, real_data))
    cover = [c.value for c in book(tmp_path / "a", t.name).worksheets[0]["A"] if c.value]
    assert cover[cover.index("Licens") + 1].startswith("inte angiven")
    assert f"{MINUS}" not in "".join(cover)  # plain text: no number formatting leaks into the cover


def test_the_same_data_give_the_same_bytes(written, real_data, project, tmp_path):
    tables, folder = written
    t = tables[f"{KK}-hr-nyckeltal"]
    write_files([t], tmp_path, _about(project, 2023, real_data))
    for ext in ("csv", "xlsx"):
        assert (tmp_path / "nedladdning" / f"{t.name}.{ext}").read_bytes() == \
               (folder / "nedladdning" / f"{t.name}.{ext}").read_bytes()
