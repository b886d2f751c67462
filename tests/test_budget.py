"""Budget computations on the real 2023 data, checked against values computed here from the CSV,
and what a reader sees of them (kompetensrapport.present.sections)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from kompetensrapport.domain import budget
from kompetensrapport.inputs import reconcile
from kompetensrapport.present import sections
from kompetensrapport.present.blocks import write_files
from kompetensrapport.present.figures import Figure, pyplot
from kompetensrapport.present.tables import Table

DATA = ROOT / "data/2023"
NB, MINUS = "\u00a0", "\u2212"
KK = "koncernkontoret"


def raw(name):
    return pd.read_csv(DATA / name)


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test drew (a block's figure is closed only once its PNG is made)."""
    yield
    pyplot().close("all")


def budget_blocks(data, ar=2023):
    return sections.budget.present(budget.internbudget(data, ar))


def resultatrakning_blocks(data, forvaltning=KK, ar=2023):
    return sections.resultatrakning.present(budget.resultatrakning(data, forvaltning, ar))


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
    assert t.summa_tkr == raw("internbudget_insatser.csv").anslag_tkr.sum() == 196900
    assert t.angiven_tkr == tot[tot.niva == "total"].belopp_tkr.iloc[0]
    assert t.regionbidrag_tkr == tot[tot.niva == "regionbidrag"].belopp_tkr.iloc[0]


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
    got = budget.resultatrakning_rows(real_data, KK)
    row = rr[rr.rad == "Konsultkostnader"].iloc[0]
    expected = 100 * (row.utfall_mkr - row.budget_mkr) / abs(row.budget_mkr)
    assert got[got.rad == "Konsultkostnader"].avvikelse_procent.iloc[0] == pytest.approx(expected)
    assert pd.isna(got[got.typ == "resultat"].avvikelse_procent.iloc[0])  # budget 0: no per cent


def test_internbudget_result_holds_the_frames_of_the_page(real_data):
    ins, tot, rb = raw("internbudget_insatser.csv"), raw("internbudget_totaler.csv"), raw("regionbidrag.csv")
    r = budget.internbudget(real_data, 2023)
    assert r.ar == 2023 and len(r.insatser) == len(ins)
    assert sorted(r.insatser_per_malomrade) == sorted(ins.malomrade_nr.unique()) == [1, 2, 3, 4, 5]
    for nr, df in r.insatser_per_malomrade.items():
        assert list(df.insats) == list(ins[ins.malomrade_nr == nr].insats)
        stated = tot[(tot.niva == "malomrade") & (tot.malomrade_nr == nr)].belopp_tkr.iloc[0]
        assert df.anslag_tkr.sum() == stated  # e.g. målområde 1: 4 800 tkr
    assert r.totals.summa_tkr == r.totals.angiven_tkr == r.totals.regionbidrag_tkr == 196900
    assert list(r.regionbidrag.belopp_mnkr) == list(rb.sort_values("ar").belopp_mnkr)
    assert list(r.budgetmal.grans_procent) == [1.5]  # inhyrd personal: at most 1.5 per cent
    assert list(r.kallor.fil) == ["000_5e1cb440a0b9cae8.txt"]  # the internbudget document only


def test_resultatrakning_result_holds_rows_owner_and_reconciliation(real_data):
    rr = raw("resultatrakning.csv")
    r = budget.resultatrakning(real_data, KK, 2023)
    assert list(r.rows.rad) == list(rr[rr.forvaltning == KK].sort_values("radnr").rad)
    assert r.owners == ("Regionstyrelsen",)
    assert r.result.utfall_mkr.iloc[0] == 90.1 and r.result.budget_mkr.iloc[0] == 0
    assert len(r.row_checks) == len(r.rows)  # avvikelse = utfall − budget, row by row
    assert {c.status for c in r.sum_checks + r.row_checks} <= {reconcile.OK, reconcile.ROUNDING}
    assert r.rounding_differences > 0  # the source rounds every amount to 0,1 mkr
    assert [r.rows.typ.iloc[i] for i in r.strong_rows] == [t for t in r.rows.typ if t in budget.SUM_TYPES]
    assert list(r.kallor.fil) == ["004_d9ec24499351a649.txt"]


def test_resultatrakning_result_is_empty_for_a_forvaltning_without_one(real_data):
    r = budget.resultatrakning(real_data, "lasarettet-ystad", 2023)
    assert r.rows.empty and r.owners == () and r.sum_checks == r.row_checks == ()


def test_bridge_result_adds_up_to_the_stated_regionbidrag(real_data):
    r = budget.brygga(real_data, 2023)
    assert list(r.rows.ar.iloc[[0, -1]]) == [2022, 2023]
    assert r.computed_mnkr == pytest.approx(196.9) and r.agrees
    [check] = r.checks
    assert check.status == reconcile.OK
    assert budget.brygga(real_data, 2022).rows.empty  # no steps for 2022


def test_uppdrag_result_counts_per_malomrade(real_data):
    du = raw("delmal_uppdrag.csv")
    r = budget.uppdrag(real_data, 2023)
    assert not r.empty and len(r.rows) == len(du)
    assert r.per_malomrade.antal.sum() == len(du)
    assert list(r.with_amount.belopp_mnkr) == [20.0]  # the one amount: 20 miljoner kronor
    assert budget.uppdrag(real_data, 2022).empty


def test_kallor_rows_are_the_documents_cited(real_data):
    from kompetensrapport.domain.sources import kallor_rows

    rb = raw("regionbidrag.csv")
    k = kallor_rows(real_data, rb)
    assert list(k.titel) == ["Personalnämndens verksamhetsplan och internbudget för år 2023"]
    assert kallor_rows({}, rb).empty
    # lists of kalla values count too, and a frame without a kalla column cites nothing
    assert list(kallor_rows(real_data, ["001_8eca50ec650feb9b.txt: Kompetensanalys"], pd.DataFrame()).fil) == [
        "001_8eca50ec650feb9b.txt"]


# -- what a reader sees ------------------------------------------------------------------------

def test_budget_section_states_total_and_agreement(real_data):
    blocks = budget_blocks(real_data)
    text = "\n".join(b.markdown() for b in blocks)
    assert f"196{NB}900{NB}tkr" in text
    assert "stämmer med den angivna totalen" in text and "regionbidraget" in text
    tables = [b for b in blocks if isinstance(b, Table)]
    assert sum(t.name.startswith("internbudget-malomrade-") for t in tables) == 5  # one per målområde
    regionbidrag = next(t for t in tables if t.name == "regionbidrag")
    assert "plan" in regionbidrag.markdown() and "+14,0" in regionbidrag.markdown()  # 196,9 − 182,9 mnkr
    # units in column headers, one unit of money in the table
    assert "Regionbidrag (mnkr)" in regionbidrag.html() and "Förändring (mnkr)" in regionbidrag.html()
    assert "tkr" not in regionbidrag.html()
    goal = next(t for t in tables if t.name == "budgetmal")
    assert f"högst 1,5{NB}%" in goal.markdown() and "redovisas inte" in goal.markdown()
    assert all(t.source.startswith("Personalnämndens verksamhetsplan och internbudget för år 2023") for t in tables)


def test_three_largest_named(real_data):
    text = "\n".join(b.markdown() for b in budget_blocks(real_data))
    ins = raw("internbudget_insatser.csv").nlargest(3, "anslag_tkr")
    assert "De tre största insatserna" in text
    for name in ins.insats:
        assert name.split()[0] in text


def test_every_figure_has_caption_and_alt_with_extremes(real_data, out_dir):
    blocks = budget_blocks(real_data)
    figures = [b for b in blocks if isinstance(b, Figure)]
    assert len(figures) == 2
    share = figures[0]
    assert 'alt="' in share.html() and "fig-alt=" in share.markdown()
    assert "Stöd medarbetarutveckling" in share.alt and "Använd kompetensen rätt" in share.alt  # largest, smallest
    assert "plan" in figures[1].alt and "ökar" in figures[1].alt
    write_files(blocks, out_dir)
    assert (out_dir / "figurer" / f"{share.name}.png").is_file()


def test_overview_pieces(real_data):
    """What the overview page shows of the budget: the agreement sentence and regionbidrag."""
    assert sections.budget.agreement_sentence(budget.total(real_data)) == (
        f"Summan av alla insatser är **196{NB}900{NB}tkr**. Den stämmer med den angivna totalen (196{NB}900{NB}tkr) "
        f"och med regionbidraget 196{NB}900{NB}tkr.")
    blocks = sections.budget.regionbidrag_blocks(budget.internbudget(real_data, 2023))
    assert [type(b).__name__ for b in blocks] == ["Heading", "Table", "Figure"]
    rr = real_data["resultatrakning.csv"]
    assert sections.resultatrakning.whose(budget.result_owners(rr)) == "Regionstyrelsen"
    assert sections.resultatrakning.whose(("A", "B")) == "A och B"


def test_resultatrakning_section(real_data):
    text = "\n".join(b.markdown() for b in resultatrakning_blocks(real_data))
    assert f"+90,1{NB}mkr" in text  # resultat highlighted
    assert "procentkolumnen" in text  # the note on the printed per-cent column
    assert "avrundningsdifferens" in text
    assert f"{MINUS}34,2" in text  # Köp av verksamhet: a true minus sign


def test_no_empty_section_for_a_forvaltning_without_data(real_data):
    assert resultatrakning_blocks(real_data, "lasarettet-ystad") == []
    empty = {k: v.iloc[0:0] for k, v in real_data.items()}
    assert budget_blocks(empty) == []


def test_markup_in_data_is_escaped(real_data):
    data = dict(real_data)
    ins = data["internbudget_insatser.csv"].copy()
    ins.loc[0, "insats"] = "<script>alert(1)</script>"
    data["internbudget_insatser.csv"] = ins
    for block in sections.budget.internbudget_blocks(budget.internbudget(data, 2023)):
        assert "<script>" not in block.markdown()
        assert "<script>" not in block.html()


def test_resultatrakning_is_named_as_whose_result_it_is(real_data):
    """The printed resultaträkning is Regionstyrelsen's (it holds the anslag till RS förfogande):
    heading, callout and caption say so, also on the Koncernkontoret page."""
    rr = raw("resultatrakning.csv")
    assert set(rr.avser) == {"Regionstyrelsen"}
    text = "\n".join(b.markdown() for b in resultatrakning_blocks(real_data))
    assert "## Resultaträkning 2023: Regionstyrelsen" in text
    assert f"**Regionstyrelsens resultat 2023: +90,1{NB}mkr**" in text
    assert "Regionstyrelsens resultaträkning 2023" in text
    assert "Koncernkontorets resultat" not in text
