"""Fokus Kompetensförsörjning: the funnel, financing, results, focus areas and resources, as
computed (lib/kompetensrapport/domain/fokus.py) and as readers see them
(lib/kompetensrapport/present/sections/fokus.py, and the overview's part in region.py).

Expected values are computed here from the CSV files read with plain pandas."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from kompetensrapport.domain import fokus
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import md, write_files
from kompetensrapport.present.figures import Figure
from kompetensrapport.present.sections import fokus as fokus_page
from kompetensrapport.present.sections import region as region_page
from kompetensrapport.present.tables import Table

from helpers import NBSP, csv, personal_names, swedish, wcag_contrast


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures a test only built (without rendering them) are closed afterwards."""
    yield
    plt.close("all")


@pytest.fixture
def section(real_data):
    return fokus_page.present(fokus.outcomes(real_data, 2023))


def table(blocks, name: str) -> Table:
    found = [b for b in blocks if isinstance(b, Table) and b.name == name]
    assert len(found) == 1, f"expected one table named {name}"
    return found[0]


def figure(blocks, name: str) -> Figure:
    found = [b for b in blocks if isinstance(b, Figure) and b.name == name]
    assert len(found) == 1, f"expected one figure named {name}"
    return found[0]


# -- funnel ---------------------------------------------------------------------------------


def test_funnel_counts_and_shares_match_the_csv(real_data):
    raw = csv("fokus_kursomgangar.csv")
    fun = fokus.funnel(real_data)
    steps = ["sokande", "antagna", "fullfoljda", "klarat_prov"]
    assert len(fun) == len(raw) * len(steps)
    for r in raw.itertuples():
        got = fun[(fun.kurs == r.kurs) & (fun.omgang == r.omgang)].set_index("steg")
        assert list(got.index) == steps
        for i, step in enumerate(steps):
            n = getattr(r, step)
            assert got.loc[step, "antal"] == n
            assert got.loc[step, "andel_av_sokande_procent"] == pytest.approx(100 * n / r.sokande)
            if i:
                assert got.loc[step, "andel_av_foregaende_procent"] == pytest.approx(100 * n / getattr(r, steps[i - 1]))
            else:
                assert pd.isna(got.loc[step, "andel_av_foregaende_procent"])


def test_funnel_table_shows_the_shares_the_swedish_way(section):
    raw = csv("fokus_kursomgangar.csv")
    t = table(section, "fokus-tratt-intensivsvenska")
    html, markdown = t.html(), t.markdown()
    first = raw[raw.omgang == 1].iloc[0]
    expected = swedish(100 * first.antagna / first.sokande, 1) + NBSP + "%"
    assert expected == "22,0\u00a0%"  # 63/286
    assert expected in html and expected in markdown
    for r in raw.itertuples():
        assert f"Omgång {r.omgang}, {r.termin.lower()} (antal)" in t.frame.columns
        for a, b in [("antagna", "sokande"), ("fullfoljda", "antagna"), ("klarat_prov", "fullfoljda")]:
            share = swedish(100 * getattr(r, a) / getattr(r, b), 1) + NBSP + "%"
            assert share in list(t.frame[f"Omgång {r.omgang}: andel av föregående steg (%)"])
        share = swedish(100 * r.klarat_prov / r.sokande, 1) + NBSP + "%"
        assert share in list(t.frame[f"Omgång {r.omgang}: andel av sökande (%)"])
    assert "Källa: Fokus Kompetensförsörjning" in markdown  # the PDF: the title as text
    assert 'Källa: <a href="../kallor.html#kalla-fokus-kompetensforsorjning' in html  # the site: linked


def test_funnel_figure_alt_text_names_every_round_and_the_largest_value(section, out_dir):
    raw = csv("fokus_kursomgangar.csv")
    fig = figure(section, "fokus-tratt-intensivsvenska")
    biggest = raw[["sokande", "antagna", "fullfoljda", "klarat_prov"]].to_numpy().max()
    assert swedish(biggest) in fig.alt
    for termin in raw.termin:
        assert termin.lower() in fig.alt
    html = fig.html()
    assert 'alt="Grupperat liggande stapeldiagram' in html and "<figcaption>" in html
    write_files([fig], out_dir)
    assert [p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()] == [
        "figurer/fokus-tratt-intensivsvenska.png"]


def test_funnel_colours_have_contrast_against_white():
    for colour in fokus_page.ROUND_COLOURS:
        assert wcag_contrast(colour) >= 3.0
    # rounds differ by hatch as well as colour
    assert len(set(fokus_page.ROUND_HATCHES[:2])) == 2


def test_missing_step_gives_missing_shares_not_guessed_ones(real_data):
    data = dict(real_data)
    rounds = data["fokus_kursomgangar.csv"].copy()
    rounds.loc[rounds.omgang == 2, "fullfoljda"] = pd.NA
    data["fokus_kursomgangar.csv"] = rounds
    fun = fokus.funnel(data).set_index(["omgang", "steg"])
    assert pd.isna(fun.loc[(2, "fullfoljda"), "antal"])
    assert pd.isna(fun.loc[(2, "fullfoljda"), "andel_av_foregaende_procent"])
    # klarat prov: no previous step to divide by, so no share of it (never a skip to antagna)
    assert pd.isna(fun.loc[(2, "klarat_prov"), "andel_av_foregaende_procent"])
    assert fun.loc[(2, "klarat_prov"), "andel_av_sokande_procent"] == pytest.approx(100 * 20 / 336)
    blocks = fokus_page.kurser_blocks(fokus.outcomes(data, 2023))
    t = table(blocks, "fokus-tratt-intensivsvenska")
    assert t.frame.loc[2, "Omgång 2, höst 2022 (antal)"] == "–"
    assert "uppgift saknas" in figure(blocks, "fokus-tratt-intensivsvenska").alt


def test_avancerad_sjukvardssvenska_is_shown_as_printed_without_a_funnel(section):
    raw = csv("fokus_resultat.csv")
    adv = raw[raw.omrade == "Avancerad sjukvårdssvenska"]
    assert len(adv)
    assert not any("avancerad" in b.name for b in section if isinstance(b, (Table, Figure)))
    t = table(section, "fokus-pilotkurser-resultat")
    markdown = t.markdown()
    for r in adv.itertuples():
        unit = "%" if r.enhet == "procent" else r.enhet
        assert f"{swedish(r.varde)}{NBSP}{unit}" in markdown
    text = "\n".join(b.markdown() for b in section)
    assert "För Avancerad sjukvårdssvenska redovisar underlaget inga antal sökande" in text


# -- financing ------------------------------------------------------------------------------


def test_financing_marks_the_preliminary_year_by_text_in_html_and_markdown(section):
    raw = csv("fokus_finansiering.csv")
    prel = raw[raw.preliminar]
    assert list(prel.ar) == [2024]
    t = table(section, "fokus-finansiering")
    html, markdown = t.html(), t.markdown()
    assert "2024 (preliminärt)" in html and "2024 (preliminärt)" in markdown
    assert "2023 (preliminärt)" not in markdown
    total, final = raw.belopp_kr.sum(), raw.loc[~raw.preliminar, "belopp_kr"].sum()
    for value in (total, final):
        assert swedish(value) in html and swedish(value) in markdown
    assert "anger ingen summa" in markdown
    assert f"{swedish(final)}{NBSP}kr" in " ".join(t.notes)
    fig = figure(section, "fokus-finansiering")
    assert "preliminärt" in fig.caption and "streckat" in fig.alt
    big = raw.loc[raw.belopp_kr.idxmax()]
    assert f"{big.ar} med {swedish(big.belopp_kr)}{NBSP}kr" in fig.alt


def test_financing_without_a_preliminary_year_has_one_sum(real_data):
    data = dict(real_data)
    fin = data["fokus_finansiering.csv"].copy()
    fin["preliminar"] = False
    data["fokus_finansiering.csv"] = fin
    t = table(fokus_page.finansiering_blocks(fokus.outcomes(data, 2023)), "fokus-finansiering")
    assert "preliminär" not in t.markdown()
    assert len(t.frame) == len(fin) + 1


# -- results, focus areas, resources ---------------------------------------------------------


def test_other_results_table_has_every_row_with_value_and_unit(section):
    raw = csv("fokus_resultat.csv")
    other = raw[~raw.omrade.isin(["Intensivsvenska", "Avancerad sjukvårdssvenska"])]
    t = table(section, "fokus-resultat")
    assert list(t.frame.columns) == ["Område", "Mått", "Värde (med enhet)"]
    assert len(t.frame) == len(other)
    rows = {(o, m): v for o, m, v in t.frame.itertuples(index=False)}
    for r in other.itertuples():
        decimals = 0 if float(r.varde).is_integer() else 1
        assert rows[(r.omrade, r.matt)].startswith(swedish(r.varde, decimals) + NBSP)
    assert rows[("Kompetensförsörjningsdag", "genomsnittsbetyg (skala 1–10)")] == f"8,2{NBSP}av 10"
    assert "Källa:" in t.markdown()


def test_focus_areas_list_every_activity_under_its_area(section):
    raw = csv("fokus_fokusomraden.csv")
    text = "\n".join(b.markdown() for b in section)
    for nr, name in raw[["nr", "fokusomrade"]].drop_duplicates().itertuples(index=False):
        assert f"**Fokusområde {nr}: {md(name)}**" in text
    for activity in raw.aktivitet:
        assert f"- {md(activity)}" in text


def test_resources_show_roles_and_shares_and_ej_angiven(section):
    raw = csv("fokus_resurser.csv")
    t = table(section, "fokus-resurser")
    assert list(t.frame.Roll) == list(raw.roll)
    shares = list(t.frame["Andel av tjänst (%)"])
    assert shares.count("ej angiven") == raw.andel_tjanst_procent.isna().sum() > 0
    for got, value in zip(shares, raw.andel_tjanst_procent):
        if pd.notna(value):
            assert got == f"{swedish(value)}{NBSP}%"
    assert f"{swedish(raw.andel_tjanst_procent.sum())}{NBSP}%" in t.notes[0]


# -- the section as a whole -----------------------------------------------------------------


def test_no_personal_name_in_any_block(section):
    names = personal_names()
    for block in section:
        text = (block.markdown() + block.html()).lower()
        for name in names:
            assert name.lower() not in text


def test_every_table_has_source_and_unique_name_and_every_figure_alt(section):
    tables = [b for b in section if isinstance(b, Table)]
    assert len({t.name for t in tables}) == len(tables)
    assert all(t.source and t.name.startswith("fokus-") for t in tables)
    assert all(f.alt.strip() and f.caption.strip() for f in section if isinstance(f, Figure))
    assert section[0].markdown() == "## Fokus Kompetensförsörjning 2023"


def test_no_fokus_data_gives_no_section(real_data):
    assert fokus_page.present(fokus.outcomes({"kallor.csv": real_data["kallor.csv"]}, 2023)) == []
    empty = {f: real_data[f].iloc[0:0] for f in fokus.FILES}
    assert fokus_page.present(fokus.outcomes(empty, 2023)) == []
    assert region_page.fokus(fokus.region(empty, 2023)) == []


def test_last_funnel_step_is_the_whole_course_not_socialstyrelsens_exam(section, real_data):
    """The table's "Klarat prov" is, by the text, those who passed the whole course (27 of 42 is
    "nästan 65 procent"); nothing a reader sees calls it the exam, and a note says what it is."""
    raw = csv("fokus_kursomgangar.csv")
    first = raw[raw.omgang == 1].iloc[0]
    assert 60 < 100 * first.klarat_prov / first.fullfoljda < 65  # "nästan 65 procent klarat hela kursen"
    t = table(section, "fokus-tratt-intensivsvenska")
    assert list(t.frame.Steg)[-1] == "Klarat hela kursen"
    assert fokus_page.PASSED_NOTE in t.notes and "Socialstyrelsens kunskapsprov" in fokus_page.PASSED_NOTE
    text = "\n".join(b.markdown() for b in section)
    assert "klarade provet" not in text and "klarat prov per" not in text
    assert f"{swedish(first.klarat_prov)} ({fmt.procent(100 * first.klarat_prov / first.sokande)} av de sökande " \
           f"klarade hela kursen)" in text.replace("\\", "")
    region = "\n".join(b.markdown() for b in region_page.fokus(fokus.region(real_data, 2023)))
    assert "klarade hela kursen" in region and "provet" not in region


def test_start_page_names_the_last_step_the_whole_course(real_data):
    """The start page's key figure for the latest course round (built by the overview)."""
    from kompetensrapport.domain import oversikt
    from kompetensrapport.present.sections import oversikt as glance

    raw = csv("fokus_kursomgangar.csv")
    last = raw[raw.ar == raw.ar.max()].iloc[0]
    items = glance.items(oversikt.glance(real_data, 2023))
    termin = last.termin[:1].lower() + last.termin[1:]
    assert any(f"**{swedish(last.klarat_prov)} av {swedish(last.sokande)}** sökande till {last.kurs} {termin} "
               "klarade hela kursen;" in i for i in items), items
    assert not any("provet" in i for i in items)


# -- the results the section presents ------------------------------------------------------------


def test_outcomes_carry_the_csv_values(real_data):
    o = fokus.outcomes(real_data, 2023)
    assert o.ar == 2023 and not o.empty
    fin = csv("fokus_finansiering.csv").sort_values("ar")
    assert list(o.financing.belopp_kr) == list(fin.belopp_kr)
    assert o.totals.total_kr == fin.belopp_kr.sum()
    assert o.totals.total_final_kr == fin.loc[~fin.preliminar, "belopp_kr"].sum()
    assert o.totals.preliminary_years == tuple(fin.ar[fin.preliminar]) == (2024,)
    assert o.totals.final_years == tuple(fin.ar[~fin.preliminar])
    res = csv("fokus_resultat.csv")
    pilot = res.omrade.isin(["Intensivsvenska", "Avancerad sjukvårdssvenska"])
    assert list(o.course_results.matt) == list(res[pilot].matt)
    assert list(o.other_results.matt) == list(res[~pilot].matt)
    rounds = csv("fokus_kursomgangar.csv")
    assert o.courses_without_funnel == tuple(k for k in res[pilot].omrade.drop_duplicates()
                                             if k not in set(rounds.kurs)) == ("Avancerad sjukvårdssvenska",)
    rs = csv("fokus_resurser.csv")
    assert o.resources_given_procent == rs.andel_tjanst_procent.sum()
    assert o.resources_not_given == rs.andel_tjanst_procent.isna().sum()
    assert list(o.focus_areas.aktivitet) == list(csv("fokus_fokusomraden.csv").aktivitet)
    cited = {k.split(": ")[0] for name in fokus.FILES for k in csv(name).kalla}
    kallor = csv("kallor.csv")
    assert dict(zip(o.kallor.fil, o.kallor.titel)) == {f: t for f, t in zip(kallor.fil, kallor.titel) if f in cited}


def test_region_summary_of_the_project(real_data):
    r = fokus.region(real_data, 2023)
    fin = csv("fokus_finansiering.csv")
    assert r.totals.total_kr == fin.belopp_kr.sum()
    rounds = csv("fokus_kursomgangar.csv")
    first = r.funnel[(r.funnel.omgang == 1) & (r.funnel.steg == "antagna")].iloc[0]
    assert first.antal == rounds[rounds.omgang == 1].antagna.iloc[0]
    text = "\n".join(b.markdown() for b in region_page.fokus(r))
    assert f"{swedish(fin.belopp_kr.sum())}{NBSP}kr sammanlagt, varav 2024 är preliminärt." in text


# -- file names of courses -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["?!", "–", "…", "日本語"])
def test_course_without_letters_gets_a_stable_file_safe_name(real_data, name, out_dir):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", fokus_page.slug(name))
    assert fokus_page.slug(name) == fokus_page.slug(name)
    assert fokus_page.slug("Intensivsvenska") == "intensivsvenska"
    # a course named only by punctuation gets a table and a figure with a name of their own
    data = dict(real_data)
    rounds = data["fokus_kursomgangar.csv"].copy()
    rounds["kurs"] = name
    data["fokus_kursomgangar.csv"] = rounds
    blocks = fokus_page.kurser_blocks(fokus.outcomes(data, 2023))
    named = [b.name for b in blocks if isinstance(b, (Table, Figure)) and b.name.startswith("fokus-tratt-")]
    assert len(named) == 2 and named[0] == named[1] == f"fokus-tratt-{fokus_page.slug(name)}"
    write_files(blocks, out_dir)
    assert (out_dir / "nedladdning" / f"{named[0]}.csv").is_file()


def test_different_punctuation_names_differ():
    assert len({fokus_page.slug(n) for n in ["?!", "!?", "–", "…"]}) == 4
