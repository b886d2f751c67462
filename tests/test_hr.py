"""HR key figures and education places: the computations (kompetensrapport.domain.hr) and what a
reader sees of them (kompetensrapport.present.sections).

Expected values are computed here from the CSV files read with plain pandas."""

from __future__ import annotations


import pandas as pd
import pytest

from kompetensrapport.domain import hr
from kompetensrapport.present import sections
from kompetensrapport.present.blocks import md, write_files
from kompetensrapport.present.figures import Figure, pyplot
from kompetensrapport.present.tables import Table

from helpers import MINUS, MISSING, NBSP, csv, personal_names, swedish, wcag_contrast
KK = "koncernkontoret"


@pytest.fixture
def raw():
    df = csv("hr_nyckeltal.csv")
    return df[df.forvaltning == KK]


def value(raw, nyckeltal, ar, omfattning="förvaltningen"):
    hit = raw[(raw.nyckeltal == nyckeltal) & (raw.ar == ar) & (raw.omfattning == omfattning)]
    return float(hit.varde.iloc[0]) if len(hit) else None


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test drew (a block's figure is closed only once its PNG is made)."""
    yield
    pyplot().close("all")


def hr_blocks(data, forvaltning=KK, ar=2023):
    return sections.hr.present(hr.key_figures(data, forvaltning, ar))


def utbildning_blocks(data, forvaltning, ar=2023):
    return sections.utbildning.present(hr.utbildning(data, forvaltning, ar))


@pytest.fixture
def section(real_data):
    return hr_blocks(real_data)


def hr_table(blocks) -> Table:
    [t] = [b for b in blocks if isinstance(b, Table)]
    return t


def row(t: Table, nyckeltal: str) -> pd.Series:
    return t.frame.set_index("Nyckeltal").loc[nyckeltal]


# -- key figures ----------------------------------------------------------------------------


def test_key_figures_match_the_csv_and_leave_missing_comparisons_missing(real_data, raw):
    kf = hr.key_figure_values(real_data, KK, 2023).set_index("nyckeltal")
    names = list(dict.fromkeys(raw[raw.ar == 2023].nyckeltal))
    assert list(kf.index) == names
    for name in names:
        v, prev, reg = value(raw, name, 2023), value(raw, name, 2022), value(raw, name, 2023, "hela regionen")
        got = kf.loc[name]
        assert got.varde == v
        for col, other in [("varde_foregaende_ar", prev), ("varde_regionen", reg)]:
            assert pd.isna(got[col]) if other is None else got[col] == other
        if prev is None:
            assert pd.isna(got.forandring) and pd.isna(got.forandring_procent)
        else:
            assert got.forandring == pytest.approx(v - prev)
        if reg is None:
            assert pd.isna(got.skillnad_region)
        else:
            assert got.skillnad_region == pytest.approx(v - reg)
        enhet = raw[raw.nyckeltal == name].enhet.iloc[0]
        if enhet == "antal" and prev:
            assert got.forandring_procent == pytest.approx(100 * (v - prev) / prev)
        else:
            assert pd.isna(got.forandring_procent)


def test_key_figures_result_counts_comparisons_and_notes(real_data, raw):
    r = hr.key_figures(real_data, KK, 2023)
    names = list(dict.fromkeys(raw[raw.ar == 2023].nyckeltal))
    assert (r.forvaltning, r.ar, list(r.figures.nyckeltal)) == (KK, 2023, names)
    assert r.with_previous == sum(value(raw, n, 2022) is not None for n in names)
    assert r.with_region == sum(value(raw, n, 2023, "hela regionen") is not None for n in names)
    assert r.with_notes == raw.anmarkning.notna().sum()
    assert set(r.source_rows.nyckeltal) == set(names) and set(r.source_rows.forvaltning) == {KK}
    assert list(r.kallor.fil) == list(dict.fromkeys(f.split(": ")[0] for f in raw.kalla))


def test_figures_on_a_0_to_100_scale_are_highest_first(real_data, raw):
    shown = hr.key_figures(real_data, KK, 2023).scale_100
    now = raw[(raw.ar == 2023) & (raw.omfattning == "förvaltningen") & raw.enhet.isin(["procent", "index"])]
    assert sorted(shown.nyckeltal) == sorted(now.nyckeltal)
    assert list(shown.varde) == sorted(now.varde, reverse=True)
    assert "antal" not in set(shown.enhet)


def test_utbildning_result_holds_the_forvaltnings_rows(real_data):
    ystad = csv("utbildningsplatser.csv").query("forvaltning == 'lasarettet-ystad'")
    r = hr.utbildning(real_data, "lasarettet-ystad", 2023)
    assert list(r.places.insats) == list(ystad.insats) and list(r.places.varde) == list(ystad.varde)
    assert 13.5 in set(r.places.varde)  # 13,5 tjänster
    assert len(r.kallor) == 1 and r.kallor.titel.iloc[0].startswith("Kompetensförsörjningsplan 2022–2024, Lasarettet i Ystad")
    assert hr.utbildning(real_data, KK, 2023).places.empty


def test_hme_difference_to_the_region_is_rendered_with_a_true_minus(section, raw):
    t = hr_table(section)
    diff = value(raw, "HME", 2023) - value(raw, "HME", 2023, "hela regionen")
    expected = swedish(diff)
    assert expected == MINUS + "2"  # 77 − 79
    cell = row(t, "HME")["Skillnad mot regionen"]
    assert cell.startswith(expected + NBSP)
    assert cell in t.html() and cell in t.markdown()
    assert "-2" not in cell


def test_percent_figures_are_formatted_and_changes_are_in_procentenheter(section, raw):
    t = hr_table(section)
    assert list(t.frame.columns) == ["Nyckeltal", "Värde 2023", "Enhet", "2022", "Förändring", "Hela regionen",
                                     "Skillnad mot regionen"]
    now, before = value(raw, "Personalrörlighet", 2023), value(raw, "Personalrörlighet", 2022)
    r = row(t, "Personalrörlighet")
    assert r["Värde 2023"] == f"{swedish(now, 1)}{NBSP}%"
    assert r["Förändring"] == f"{swedish(now - before, 1, sign=True)}{NBSP}procentenheter"
    assert r["Förändring"] == f"{MINUS}3,7{NBSP}procentenheter"
    assert row(t, "Andel tillsvidareanställda")["Värde 2023"] == f"91,8{NBSP}%"


def test_count_change_is_given_in_persons_and_per_cent(section, raw):
    name = raw[raw.enhet == "antal"].nyckeltal.iloc[0]
    now, before = value(raw, name, 2023), value(raw, name, 2022)
    cell = row(hr_table(section), name)["Förändring"]
    assert cell == f"{swedish(now - before, sign=True)} ({swedish(100 * (now - before) / before, 1, sign=True)}{NBSP}%)"


def test_key_figure_without_comparison_shows_missing_not_a_value(section, raw):
    t = hr_table(section)
    no_prev = [n for n in dict.fromkeys(raw[raw.ar == 2023].nyckeltal) if value(raw, n, 2022) is None]
    assert no_prev
    for name in no_prev:
        r = row(t, name)
        assert r["2022"] == MISSING and r["Förändring"] == MISSING
    no_region = [n for n in dict.fromkeys(raw.nyckeltal) if value(raw, n, 2023, "hela regionen") is None]
    for name in no_region:
        assert row(t, name)["Hela regionen"] == MISSING and row(t, name)["Skillnad mot regionen"] == MISSING


def test_table_has_source_and_forvaltning_download_name(section, out_dir):
    t = hr_table(section)
    assert t.name == f"{KK}-hr-nyckeltal"
    assert "Verksamhetsberättelse 2023" in t.source
    write_files([t], out_dir)
    assert (out_dir / "nedladdning" / f"{KK}-hr-nyckeltal.csv").is_file()


def test_figure_alt_text_names_the_highest_and_lowest_value(section, raw):
    [fig] = [b for b in section if isinstance(b, Figure)]
    shown = raw[(raw.ar == 2023) & (raw.omfattning == "förvaltningen") & raw.enhet.isin(["procent", "index"])]
    top, low = shown.loc[shown.varde.idxmax()], shown.loc[shown.varde.idxmin()]
    for r in (top, low):
        text = f"{swedish(r.varde, 1)}{NBSP}%" if r.enhet == "procent" else swedish(r.varde)
        assert f"{r.nyckeltal} med {text}" in fig.alt
    assert f'alt="{fig.alt}"' in fig.html()


def test_figure_colours_have_contrast_and_markers_differ():
    p = sections.hr
    for colour in (p.CURRENT_COLOUR, p.PREVIOUS_COLOUR, p.REGION_COLOUR):
        assert wcag_contrast(colour) >= 3.0
    assert len({p.CURRENT_MARKER, p.PREVIOUS_MARKER, p.REGION_MARKER}) == 3


def test_forvaltning_without_hr_data_gets_no_hr_section(real_data):
    other = [f for f in csv("utbildningsplatser.csv").forvaltning.unique() if f not in set(csv("hr_nyckeltal.csv").forvaltning)]
    assert other
    for f in other:
        assert hr_blocks(real_data, f) == []
    assert hr_blocks({}) == []


def test_year_without_rows_gets_no_hr_section(real_data):
    assert hr_blocks(real_data, KK, 1999) == []


# -- education places -----------------------------------------------------------------------


def test_utbildning_section_shows_every_row_with_unit_period_and_source(real_data):
    raw = csv("utbildningsplatser.csv")
    ystad = raw[raw.forvaltning == "lasarettet-ystad"]
    blocks = utbildning_blocks(real_data, "lasarettet-ystad")
    [t] = [b for b in blocks if isinstance(b, Table)]
    assert t.name == "lasarettet-ystad-utbildningsplatser"
    assert len(t.frame) == len(ystad)
    for got, r in zip(t.frame.itertuples(index=False), ystad.itertuples()):
        decimals = 0 if float(r.varde).is_integer() else 1
        assert got[2] == f"{swedish(r.varde, decimals)}{NBSP}{r.enhet}"
        assert got[3] == (r.period if isinstance(r.period, str) else "ej angiven")
    assert f"13,5{NBSP}tjänster" in t.html()
    assert "Källa: Kompetensförsörjningsplan 2022–2024, Lasarettet i Ystad" in t.markdown()


def test_forvaltning_without_education_rows_gets_no_section(real_data):
    assert "koncernkontoret" not in set(csv("utbildningsplatser.csv").forvaltning)
    assert utbildning_blocks(real_data, KK) == []


def test_no_personal_name_in_any_block(section, real_data):
    names = personal_names()
    blocks = section + utbildning_blocks(real_data, "lasarettet-ystad")
    for block in blocks:
        text = (block.markdown() + block.html()).lower()
        for name in names:
            assert name.lower() not in text


def test_a_value_the_document_contradicts_shows_the_text_value_with_both_readings(section, raw):
    """Ledarskap 2022: the body text says 84, the chart tile 83; the table shows 84 with a footnote."""
    r = raw[(raw.nyckeltal == "Ledarskap (index)") & (raw.ar == 2022)].iloc[0]
    assert r.varde == 84 and "83" in r.anmarkning and "84" in r.anmarkning
    t = hr_table(section)
    cell = row(t, "Ledarskap (index)")["2022"]
    assert cell.startswith("84") and cell[2:] and set(cell[2:]) <= set("⁰¹²³⁴⁵⁶⁷⁸⁹")
    [note] = [n for n in t.notes if n.startswith(cell[2:] + " ")]
    assert note.startswith(f"{cell[2:]} Ledarskap (index), 2022: ") and "brödtexten" in note
    assert md(note) in t.markdown() and cell in t.html()
    # the change is computed from the value shown, 81 − 84
    assert row(t, "Ledarskap (index)")["Förändring"] == f"{MINUS}3{NBSP}indexenheter"


NEW_FIGURES = ["Sjukfrånvaro", "Korttidssjukfrånvaro", "Långtidssjukfrånvaro", "Frånvaro",
               "Chefstäthet (medarbetare per chef)", "Utökad närvaro", "Styrning",
               "Medarbetarsamtal som lett till individuell utvecklingsplan", "Andel kvinnor", "Andel män",
               "Andel kvinnor i ledande befattningar", "Andel män i ledande befattningar",
               "Svarsfrekvens SAM-enkäten bland chefer"]


def test_fuller_table_shows_the_figures_the_first_table_left_out(section, raw):
    t = hr_table(section)
    for name in NEW_FIGURES:
        assert name in list(t.frame.Nyckeltal), name
    # values as printed, with the decimals the source prints
    assert row(t, "Korttidssjukfrånvaro")["Värde 2023"].startswith(f"1,61{NBSP}%")
    assert row(t, "Långtidssjukfrånvaro")["Värde 2023"].startswith(f"1,41{NBSP}%")
    # the comparisons the text gives as numbers, computed here from the CSV
    for name in ("Frånvaro", "Styrning", "Medarbetarsamtal som lett till individuell utvecklingsplan"):
        diff = value(raw, name, 2023) - value(raw, name, 2022)
        assert row(t, name)["Förändring"] == f"{swedish(diff, 1, sign=True)}{NBSP}procentenheter"
    assert row(t, "Frånvaro")["Förändring"] == f"{MINUS}0,9{NBSP}procentenheter"
    chef = row(t, "Chefstäthet (medarbetare per chef)")
    assert chef["Förändring"] == f"{MINUS}2 ({MINUS}15,4{NBSP}%)"  # 11 against 13
    # a comparison the text gives only in words is a footnote, and no number is made up for it
    sick = row(t, "Sjukfrånvaro")
    assert sick["2022"] == MISSING and sick["Värde 2023"] != f"3,0{NBSP}%"
    m = sick["Värde 2023"].split("%")[1]
    [note] = [n for n in t.notes if n.startswith(m + " ")]
    assert "samma nivå som vid mätningen 2022" in note


def test_footnote_marks_run_in_reading_order(section):
    t = hr_table(section)
    marks = []
    for r in t.frame.itertuples(index=False):
        for cell in (r[1], r[3], r[5]):
            tail = "".join(ch for ch in str(cell) if ch in "⁰¹²³⁴⁵⁶⁷⁸⁹")
            if tail:
                marks.append(tail)
    expected = [sections.hr.mark(i) for i in range(1, len(marks) + 1)]
    assert marks == expected
    assert [n.split(" ", 1)[0] for n in t.notes[1:]] == expected
    assert len(expected) == csv("hr_nyckeltal.csv").anmarkning.notna().sum()
