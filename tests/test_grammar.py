"""Swedish number agreement in the generated sentences: the singular for one ("1 aktivitet"), the
plural for two ("2 aktiviteter"). Each test runs the real domain and presentation functions on the
real 2023 results, cut down to one and to two rows (or on the real data with rows left out)."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from conftest import ROOT
from kompetensrapport.domain import budget, fokus, hr, kompetens
from kompetensrapport.inputs import reconcile
from kompetensrapport.present import fmt, statement
from kompetensrapport.present.figures import pyplot
from kompetensrapport.present.sections import behov as behov_page
from kompetensrapport.present.sections import brygga as brygga_page
from kompetensrapport.present.sections import budget as budget_page
from kompetensrapport.present.sections import fokus as fokus_page
from kompetensrapport.present.sections import handlingsplan as handlingsplan_page
from kompetensrapport.present.sections import hr as hr_page
from kompetensrapport.present.sections import resultatrakning as resultatrakning_page
from kompetensrapport.present.sections import uppdrag as uppdrag_page

NB = fmt.NBSP
YEAR = 2023


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test drew (sections with figures draw them when presented)."""
    yield
    pyplot().close("all")


def text(blocks) -> str:
    return "\n".join(b.markdown() for b in blocks)


def test_handlingsplan_aktivitet_and_fokusomrade(real_data):
    r = kompetens.handlingsplan(real_data, "lasarettet-ystad", YEAR)
    one = dataclasses.replace(r, rows=r.rows.head(1))
    two = dataclasses.replace(r, rows=r.rows.drop_duplicates("fokusomrade").head(2))
    assert f"Handlingsplanen har 1{NB}aktivitet inom 1{NB}fokusområde." in text(handlingsplan_page.present(one))
    assert f"Handlingsplanen har 2{NB}aktiviteter inom 2{NB}fokusområden." in text(handlingsplan_page.present(two))


def test_behov_punkt(real_data):
    r = kompetens.behov(real_data, "lasarettet-ystad", YEAR)
    assert len(r.points) >= 2
    one, two = (text(behov_page.present(dataclasses.replace(r, points=r.points.head(n)))) for n in (1, 2))
    assert f"med 1{NB}punkt på frågan" in one and f"med 2{NB}punkter på frågan" in two


def test_resultatrakning_skillnad(real_data):
    r = budget.resultatrakning(real_data, "koncernkontoret", YEAR)
    rounding = [c for c in r.sum_checks + r.row_checks if c.status == reconcile.ROUNDING]
    assert len(rounding) >= 2
    one, two = (text(resultatrakning_page.present(dataclasses.replace(r, sum_checks=(), row_checks=tuple(rounding[:n]))))
                for n in (1, 2))
    assert f"1{NB}skillnad på 0,1{NB}mkr beror" in one and "den visas nedan som avrundningsdifferens." in one
    assert f"2{NB}skillnader på 0,1{NB}mkr beror" in two and "de visas nedan som avrundningsdifferenser." in two


def test_uppdrag_malomrade(real_data):
    rows = real_data["delmal_uppdrag.csv"]
    areas = list(dict.fromkeys(rows.malomrade))
    assert len(areas) >= 2

    def summary(keep):
        return uppdrag_page.summary(budget.uppdrag({**real_data, "delmal_uppdrag.csv": rows[rows.malomrade.isin(keep)]},
                                                   YEAR))

    assert f"inom 1{NB}målområde (" in summary(areas[:1]) and f"inom 2{NB}målområden (" in summary(areas[:2])


def test_fokus_fokusomrade_and_resurs(real_data):
    r = fokus.outcomes(real_data, YEAR)
    fo, rs = r.focus_areas, r.resources
    numbers = list(dict.fromkeys(fo.nr))
    assert len(numbers) >= 2

    def areas(n):
        return text(fokus_page.fokusomraden_blocks(dataclasses.replace(r, focus_areas=fo[fo.nr.isin(numbers[:n])])))

    assert f"inom 1{NB}fokusområde." in areas(1) and f"inom 2{NB}fokusområden." in areas(2)
    missing = rs[rs.andel_tjanst_procent.isna()].head(1)
    assert len(missing) == 1

    given = rs[rs.andel_tjanst_procent.notna()].head(1)

    def resources(n):
        rows = missing if n == 1 else pd.concat([missing, given])
        return text(fokus_page.resurser_blocks(dataclasses.replace(r, resources=rows)))

    assert f"För 1 av 1{NB}resurs anges" in resources(1) and f"av 2{NB}resurser anges" in resources(2)


def test_fokus_preliminary_years(real_data):
    """One preliminary year is "det preliminära beloppet … utan det", two are "de preliminära
    beloppen … utan dem"; the alt text agrees too."""
    fin = real_data["fokus_finansiering.csv"]
    assert fin.preliminar.sum() == 1
    two = fin.assign(preliminar=fin.preliminar | (fin.ar == fin[~fin.preliminar].ar.max()))
    one_blocks = fokus_page.finansiering_blocks(fokus.outcomes(real_data, YEAR))
    two_blocks = fokus_page.finansiering_blocks(fokus.outcomes({**real_data, "fokus_finansiering.csv": two}, YEAR))
    assert "inkluderar det preliminära beloppet för" in text(one_blocks) and "utan det är summan" in text(one_blocks)
    assert "inkluderar de preliminära beloppen för" in text(two_blocks) and "utan dem är summan" in text(two_blocks)
    assert "är preliminärt och visas streckat." in one_blocks[-1].alt
    assert "är preliminära och visas streckade." in two_blocks[-1].alt


def test_budget_largest_insatser(real_data):
    r = budget.internbudget(real_data, YEAR)
    largest = r.largest
    assert budget_page.largest_sentence(largest.head(1)).startswith(f"Den största insatsen är {largest.insats[0]}")
    assert budget_page.largest_sentence(largest.head(2)).startswith("De två största insatserna är")
    assert " och " in budget_page.largest_sentence(largest)  # "a, b och c"


def test_brygga_steg(real_data):
    r = budget.brygga(real_data, YEAR)
    steps = r.rows[r.rows.typ == "forandring"]
    assert len(steps) >= 2
    one_step = r.rows.drop(index=steps.index[1:])
    one = text(brygga_page.present(dataclasses.replace(r, rows=one_step)))
    assert "Steget summerar till" in one and "Stegen summerar" not in one
    assert "Stegen summerar till" in text(brygga_page.present(r))


def test_hr_alt_text_counts_the_key_figures_with_a_previous_value(real_data):
    r = hr.key_figures(real_data, "koncernkontoret", YEAR)
    kf = r.figures
    with_prev = kf[kf.varde_foregaende_ar.notna() & kf.enhet.isin(["procent", "index"])]
    assert len(with_prev) >= 2
    without = kf[kf.varde_foregaende_ar.isna()]

    def alt(n):
        blocks = hr_page.present(dataclasses.replace(r, figures=kf.loc[without.index.union(with_prev.index[:n])]))
        return blocks[-1].alt

    assert f"Det enda nyckeltal som har ett värde för {YEAR - 1} har " in alt(1)
    assert f"Av de 2 nyckeltal som har ett värde för {YEAR - 1} har " in alt(2)


def test_statement_tagged_pdf_files():
    record = json.loads((ROOT / "tillganglighet" / "granskning.json").read_text(encoding="utf-8"))
    assert record.get("pdf")

    def pdf_line(tagged, total):
        lines = statement.check_lines({**record, "pdf": {**record["pdf"], "taggade": tagged, "antal": total}})
        return next(line for line in lines if "PDF-filerna" in line)

    assert f"1 av 1{NB}PDF-fil är taggad" in pdf_line(1, 1)
    assert f"2 av 2{NB}PDF-filer är taggade" in pdf_line(2, 2)
