"""Content added in issue 18: Personalnämnden's delmål och uppdrag, the bridge from regionbidrag
2022 to 2023, and the needs each förvaltning raises to regional level.

Expected values are computed here from the CSV files read with plain pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from kompetensrapport.domain import budget, kompetens, oversikt
from kompetensrapport.inputs import reconcile
from kompetensrapport.present import sections
from kompetensrapport.present.blocks import md, write_files
from kompetensrapport.present.figures import Figure
from kompetensrapport.present.tables import Table

from helpers import MINUS, NBSP, csv, swedish

PN = ROOT / "params/2023/personalnamnden.yaml"


def tables_of(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def text_of(blocks) -> str:
    return "\n".join(b.markdown() for b in blocks)


# -- delmål och uppdrag ------------------------------------------------------------------------


def test_uppdrag_counts_and_amounts_match_the_csv(real_data):
    raw = csv("delmal_uppdrag.csv")
    got = budget.uppdrag_rows(real_data, 2023)
    assert list(got.uppdrag) == list(raw.sort_values("nr").uppdrag)
    per = budget.uppdrag_per_malomrade(real_data, 2023).set_index("malomrade")
    expected = raw.groupby("malomrade").size()
    assert per.antal.to_dict() == expected.to_dict()
    assert list(per.index) == list(dict.fromkeys(raw.sort_values("nr").malomrade))  # the document's order
    assert per.belopp_mnkr.sum() == raw.belopp_mnkr.sum() == 20
    assert per.med_belopp.sum() == raw.belopp_mnkr.notna().sum() == 1


def test_uppdrag_section_shows_every_assignment_with_its_source(real_data, out_dir):
    raw = csv("delmal_uppdrag.csv")
    blocks = sections.uppdrag.present(budget.uppdrag(real_data, 2023))
    [t] = tables_of(blocks)
    assert len(t.frame) == len(raw)
    markdown, html = t.markdown(), t.html()
    for text in ("24/7-tillägg", "barnmorskor på skånska lärosäten", "rekryteringsbonus", "handledarbonus",
                 "arbetstidsförkortning", "karriärstege"):
        assert text in markdown and text in html
    amount = raw.loc[raw.belopp_mnkr.notna()].iloc[0]
    assert f"| {swedish(amount.belopp_mnkr, 1)} |" in markdown
    serv = raw[raw.ansvarig.notna()].iloc[0]
    assert md(serv.ansvarig) in markdown
    assert markdown.count("| anges inte |") == raw.ansvarig.isna().sum()
    assert "Källa: Personalnämndens verksamhetsplan och internbudget för år 2023" in markdown
    summary = text_of(blocks[:2])
    assert f"**{len(raw)}{NBSP}uppdrag** inom {raw.malomrade.nunique()}{NBSP}målområden" in summary
    assert f"20,0{NBSP}mnkr" in summary


def test_start_page_has_a_line_about_the_assignments(real_data):
    raw = csv("delmal_uppdrag.csv")
    items = sections.oversikt.items(oversikt.glance(real_data, 2023))
    [line] = [i for i in items if "uppdrag" in i]
    assert items.index(line) == 0
    assert f"**{len(raw)}{NBSP}uppdrag**" in line and "Personalnämndens ansvarsområde" in line


def test_uppdrag_and_brygga_only_where_the_data_has_them(real_data):
    assert sections.uppdrag.present(budget.uppdrag(real_data, 2022)) == []
    assert sections.brygga.present(budget.brygga(real_data, 2022)) == []  # no steps for 2022
    empty = {k: v.iloc[0:0] for k, v in real_data.items()}
    assert sections.uppdrag.present(budget.uppdrag(empty, 2023)) == [] and sections.brygga.present(budget.brygga(empty, 2023)) == []
    assert "uppdrag" not in sections.oversikt.items(oversikt.glance(empty, 2023))
    assert "avsnitt: [uppdrag, budget, brygga]" in PN.read_text(encoding="utf-8")
    for other in (ROOT / "params/2023").glob("*.yaml"):
        if other != PN:
            text = other.read_text(encoding="utf-8")
            assert "uppdrag" not in text and "brygga" not in text


# -- the bridge ---------------------------------------------------------------------------------


def test_bridge_sums_to_the_stated_regionbidrag(real_data):
    steps, rb = csv("regionbidrag_brygga.csv"), csv("regionbidrag.csv")
    start = float(rb[rb.ar == 2022].belopp_mnkr.iloc[0])
    end = float(rb[rb.ar == 2023].belopp_mnkr.iloc[0])
    assert (start, end) == (182.9, 196.9)
    assert round(start + steps.belopp_mnkr.sum(), 6) == end
    br = budget.bridge_rows(real_data, 2023)
    assert list(br.typ) == ["utgangsvarde"] + ["forandring"] * len(steps) + ["slutvarde"]
    assert list(br.belopp_mnkr) == [start, *steps.sort_values("steg").belopp_mnkr, end]
    running = start + steps.sort_values("steg").belopp_mnkr.cumsum()
    assert list(br.efter_mnkr.iloc[1:-1]) == pytest.approx(list(running))
    [check] = reconcile.bridge_checks(real_data)
    assert check.status == reconcile.OK and check.stated == end and check.computed == pytest.approx(end)


def test_bridge_section_table_sentence_and_figure(real_data, out_dir):
    steps = csv("regionbidrag_brygga.csv")
    blocks = sections.brygga.present(budget.brygga(real_data, 2023))
    [t] = tables_of(blocks)
    assert list(t.frame["Belopp (mnkr)"]) == ["182,9", f"{MINUS}10,0", "+20,0", "+4,0", "196,9"]
    assert t.frame["Andel enligt underlaget"].iloc[3] == f"2,3{NBSP}%"
    text = text_of(blocks)
    assert f"från 182,9{NBSP}mnkr 2022 till 196,9{NBSP}mnkr 2023" in text
    assert f"Stegen summerar till 196,9{NBSP}mnkr, samma som det angivna regionbidraget 2023." in text
    [fig] = [b for b in blocks if isinstance(b, Figure)]
    write_files(blocks, out_dir)
    big, small = steps.loc[steps.belopp_mnkr.idxmax()], steps.loc[steps.belopp_mnkr.idxmin()]
    assert f"Störst är {big.forandring} med +{swedish(big.belopp_mnkr, 1)}{NBSP}mnkr" in fig.alt
    assert f"minst {small.forandring} med {swedish(small.belopp_mnkr, 1)}{NBSP}mnkr" in fig.alt
    assert 'alt="Vattenfallsdiagram' in fig.html() and "fig-alt=" in fig.markdown()
    assert (out_dir / "figurer" / f"{fig.name}.png").is_file()


def test_bridge_that_misses_the_regionbidrag_says_so(real_data, out_dir):
    data = dict(real_data)
    steps = data["regionbidrag_brygga.csv"].copy()
    steps.loc[steps.steg == 3, "belopp_mnkr"] = 5.0
    data["regionbidrag_brygga.csv"] = steps
    [check] = reconcile.bridge_checks(data)
    assert check.status == reconcile.ERROR and check.difference == pytest.approx(1.0)
    text = text_of(sections.brygga.present(budget.brygga(data, 2023)))
    assert f"Stegen summerar till 197,9{NBSP}mnkr mot det angivna regionbidraget 196,9{NBSP}mnkr." in text


# -- needs raised to regional level -------------------------------------------------------------

PHH, YSTAD = "psykiatri-habilitering-hjalpmedel", "lasarettet-ystad"


@pytest.mark.parametrize("slug", [PHH, YSTAD])
def test_behov_section_lists_every_point_in_order_with_its_source(real_data, slug):
    raw = csv("behov_annan_niva.csv")
    own = raw[raw.forvaltning == slug].sort_values("nr")
    assert len(own) == {PHH: 13, YSTAD: 4}[slug]
    blocks = sections.behov.present(kompetens.behov(real_data, slug, 2023))
    text = text_of(blocks)
    assert text.startswith("## Behov på regional nivå")
    bullets = [b for b in blocks if type(b).__name__ == "Bullets"][0]
    assert bullets.items == [md(t) for t in own.behov]
    n = len(own)
    assert f"med {n}{NBSP}punkter på frågan" in text
    assert f"Frågan gäller {md(own.niva.iloc[0])}" in text
    assert ("punkterna anger inte vilken nivå" in text) == (own.niva.iloc[0] != "regionnivå")
    assert "Källa: Kompetensförsörjningsplan" in text
    yaml = (ROOT / "params/2023" / f"{slug}.yaml").read_text(encoding="utf-8")
    assert "behov" in yaml


def test_behov_only_for_forvaltningar_that_raise_needs(real_data):
    raw = csv("behov_annan_niva.csv")
    for slug in ("koncernkontoret", "personalnamnden", "regional-utveckling"):
        assert slug not in set(raw.forvaltning)
        assert sections.behov.present(kompetens.behov(real_data, slug, 2023)) == []
        assert "behov" not in (ROOT / "params/2023" / f"{slug}.yaml").read_text(encoding="utf-8").split("avsnitt:")[1]
    assert sections.region.behov(kompetens.behov_region({}, 2023)) == []


def test_overview_names_each_forvaltning_with_its_needs(real_data):
    names = {PHH: "Psykiatri, habilitering och hjälpmedel", YSTAD: "Lasarettet i Ystad"}
    blocks = sections.region.behov(kompetens.behov_region(real_data, 2023, names))
    text = text_of(blocks)
    # sorted by name: Lasarettet i Ystad before Psykiatri, …
    assert text.index("### Lasarettet i Ystad: behov på regional nivå") < text.index(
        "### Psykiatri, habilitering och hjälpmedel: behov på regional nivå")
    assert "dövblindtolk" in text and "ST-utbildningstjänster" in text
