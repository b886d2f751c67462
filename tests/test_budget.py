"""Budget summaries on the real 2023 data, checked against values computed here from the CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from kompetensrapport.domain import budget
from kompetensrapport.present import fmt
from kompetensrapport.present.figures import Figure
from kompetensrapport.present.tables import Table

DATA = ROOT / "data/2023"
NB, MINUS = "\u00a0", "\u2212"


def raw(name):
    return pd.read_csv(DATA / name)


# -- formatting --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, decimals, sign, expected", [
    (0, 0, False, "0"),
    (0.0, 1, True, "0,0"),  # zero has no sign
    (-0.04, 1, False, "0,0"),  # rounds to zero: never "−0,0"
    (-34.2, 1, False, f"{MINUS}34,2"),
    (90.1, 1, True, "+90,1"),
    (196900, 0, False, f"196{NB}900"),
    (1234567.891, 1, False, f"1{NB}234{NB}567,9"),
    (2.345, 1, False, "2,3"),
    (0.25, 1, False, "0,3"),  # half away from zero, not half to even
    (-0.25, 1, False, f"{MINUS}0,3"),
    (None, 0, False, "–"),
    (float("nan"), 1, False, "–"),
])
def test_number(value, decimals, sign, expected):
    assert fmt.number(value, decimals, sign) == expected


def test_units():
    assert fmt.tkr(196900) == f"196{NB}900{NB}tkr"
    assert fmt.procent(2.3) == f"2,3{NB}%"
    assert fmt.mkr(-34.2) == f"{MINUS}34,2{NB}mkr"
    assert fmt.mkr(90.1, sign=True) == f"+90,1{NB}mkr"
    assert fmt.kr(5_000_000) == f"5{NB}000{NB}000{NB}kr"
    assert fmt.share(63, 286) == f"22,0{NB}%"
    assert fmt.share(1, 0) == "–"


# -- computations ------------------------------------------------------------------------------

def test_malomraden_against_csv(real_data):
    ins = raw("internbudget_insatser.csv")
    expected = ins.groupby("malomrade_nr").anslag_tkr.sum()
    got = budget.malomraden(real_data).set_index("malomrade_nr")
    assert (got.summa_tkr == expected).all()
    assert (got.differens_tkr == 0).all()
    assert got.andel_procent.sum() == pytest.approx(100)
    assert got.loc[4, "andel_procent"] == pytest.approx(100 * expected[4] / expected.sum())


def test_total_agrees_with_regionbidrag(real_data):
    tot = raw("internbudget_totaler.csv")
    t = budget.total(real_data)
    assert t["summa_tkr"] == raw("internbudget_insatser.csv").anslag_tkr.sum()
    assert t["angiven_tkr"] == tot[tot.niva == "total"].belopp_tkr.iloc[0]
    assert t["regionbidrag_tkr"] == tot[tot.niva == "regionbidrag"].belopp_tkr.iloc[0]


def test_cost_per_place_only_where_both_given(real_data):
    ins = raw("internbudget_insatser.csv")
    df = budget.insatser(real_data)
    both = ins.mal_antal.notna()
    assert df.kostnad_per_mal_tkr.notna().sum() == both.sum()
    row = ins[both].iloc[0]
    got = df[df.insats == row.insats].kostnad_per_mal_tkr.iloc[0]
    assert got == pytest.approx(row.anslag_tkr / row.mal_antal)


def test_largest_three(real_data):
    ins = raw("internbudget_insatser.csv").sort_values("anslag_tkr", ascending=False)
    assert list(budget.largest(real_data).insats) == list(ins.insats[:3])


def test_regionbidrag_change(real_data):
    rb = raw("regionbidrag.csv").sort_values("ar")
    got = budget.regionbidrag(real_data)
    tkr = rb.belopp_mnkr.values * 1000
    assert got.forandring_tkr.iloc[1] == pytest.approx(tkr[1] - tkr[0])  # 196 900 − 182 900 = 14 000
    assert got.forandring_procent.iloc[1] == pytest.approx(100 * (tkr[1] - tkr[0]) / tkr[0])
    assert pd.isna(got.forandring_tkr.iloc[0])


def test_resultatrakning_percent_from_utfall_and_budget(real_data):
    rr = raw("resultatrakning.csv")
    got = budget.resultatrakning(real_data, "koncernkontoret")
    row = rr[rr.rad == "Konsultkostnader"].iloc[0]
    expected = 100 * (row.utfall_mkr - row.budget_mkr) / abs(row.budget_mkr)
    assert got[got.rad == "Konsultkostnader"].avvikelse_procent.iloc[0] == pytest.approx(expected)
    assert pd.isna(got[got.typ == "resultat"].avvikelse_procent.iloc[0])  # budget 0: no per cent


# -- what a reader sees ------------------------------------------------------------------------

def test_budget_section_states_total_and_agreement(real_data, out_dir):
    blocks = budget.budget_section(real_data, 2023)
    text = "\n".join(b.markdown() for b in blocks)
    assert f"196{NB}900{NB}tkr" in text
    assert "stämmer med den angivna totalen" in text and "regionbidraget" in text
    tables = [b for b in blocks if isinstance(b, Table)]
    assert sum(t.name.startswith("internbudget-malomrade-") for t in tables) == 5  # one per målområde
    regionbidrag = next(t for t in tables if t.name == "regionbidrag")
    assert "plan" in regionbidrag.markdown() and f"+14{NB}000" in regionbidrag.markdown()
    assert "Regionbidrag (mnkr)" in regionbidrag.html()  # units in column headers
    goal = next(t for t in tables if t.name == "budgetmal")
    assert f"högst 1,5{NB}%" in goal.markdown() and "redovisas inte" in goal.markdown()


def test_three_largest_named(real_data, out_dir):
    text = "\n".join(b.markdown() for b in budget.budget_section(real_data, 2023))
    ins = raw("internbudget_insatser.csv").nlargest(3, "anslag_tkr")
    assert "De tre största insatserna" in text
    for name in ins.insats:
        assert name.split()[0] in text


def test_every_figure_has_caption_and_alt_with_extremes(real_data, out_dir):
    blocks = budget.budget_section(real_data, 2023)
    figures = [b for b in blocks if isinstance(b, Figure)]
    assert len(figures) == 2
    share = figures[0]
    assert 'alt="' in share.html() and "fig-alt=" in share.markdown()
    assert "Stöd medarbetarutveckling" in share.alt and "Använd kompetensen rätt" in share.alt  # largest, smallest
    assert "plan" in figures[1].alt and "ökar" in figures[1].alt
    assert (out_dir / "figurer" / f"{share.name}.png").is_file()


def test_resultatrakning_section(real_data, out_dir):
    blocks = budget.resultatrakning_section(real_data, "koncernkontoret", 2023)
    text = "\n".join(b.markdown() for b in blocks)
    assert f"+90,1{NB}mkr" in text  # resultat highlighted
    assert "procentkolumnen" in text  # the note on the printed per-cent column
    assert "avrundningsdifferens" in text
    assert f"{MINUS}34,2" in text  # Köp av verksamhet: a true minus sign


def test_no_empty_section_for_a_forvaltning_without_data(real_data):
    assert budget.resultatrakning_section(real_data, "lasarettet-ystad", 2023) == []
    empty = {k: v.iloc[0:0] for k, v in real_data.items()}
    assert budget.budget_section(empty, 2023) == []


def test_markup_in_data_is_escaped(real_data, out_dir):
    data = dict(real_data)
    ins = data["internbudget_insatser.csv"].copy()
    ins.loc[0, "insats"] = "<script>alert(1)</script>"
    data["internbudget_insatser.csv"] = ins
    for block in budget.internbudget_section(data, 2023):
        assert "<script>" not in block.markdown()
        assert "<script>" not in block.html()


def test_resultatrakning_is_named_as_whose_result_it_is(real_data, out_dir):
    """The printed resultaträkning is Regionstyrelsen's (it holds the anslag till RS förfogande):
    heading, callout and caption say so, also on the Koncernkontoret page."""
    rr = raw("resultatrakning.csv")
    assert set(rr.avser) == {"Regionstyrelsen"}
    blocks = budget.resultatrakning_section(real_data, "koncernkontoret", 2023)
    text = "\n".join(b.markdown() for b in blocks)
    assert "## Resultaträkning 2023: Regionstyrelsen" in text
    assert f"**Regionstyrelsens resultat 2023: +90,1{NB}mkr**" in text
    assert "Regionstyrelsens resultaträkning 2023" in text
    assert "Koncernkontorets resultat" not in text
