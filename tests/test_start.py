"""The start page shows the year at a glance (issue 20, point 2), read from the rendered 2023 site:
key figures as text that equal the values in data/2023 (computed here with plain pandas, not with
the package), one figure with alt text and a caption, a card per förvaltning that links to its
page and says what it reports, the links onward, headings in order, large numbers, and cards that
stack at 375 px; and, without the site, that a tie among the occupations most in shortage is kept
whole and named in the right number."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, require_tool
from helpers import NBSP, csv, swedish

YEAR = 2023


@pytest.fixture(scope="module")
def start(rendered_site) -> BeautifulSoup:
    return BeautifulSoup((rendered_site / "index.html").read_text(encoding="utf-8"), "html.parser")


def key_figures(start: BeautifulSoup) -> dict[str, tuple[str, str]]:
    """Each key-figure card's label -> (its number, its line of context), as the page's text."""
    out = {}
    for card in start.select("main ul.kr-keyfigures > li"):
        label, value, context = (card.select_one(f"p.kr-kf-{part}").get_text(" ", strip=True)
                                 for part in ("label", "value", "context"))
        out[label] = (value, context)
    return out


def params() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / f"params/{YEAR}").glob("*.yaml"))]


def card_links(start: BeautifulSoup) -> dict[str, list]:
    """Each card title's link target (without a leading ``./``) -> the links."""
    out: dict[str, list] = {}
    for a in start.select("main .kr-card h3 a[href]"):
        out.setdefault(re.sub(r"^\./", "", a["href"]), []).append(a)
    return out


def shortage_per_occupation() -> pd.Series:
    """Per regional occupation, the units (förvaltning, verksamhetsområde) that rate it Brist."""
    ka = csv("kompetensanalys.csv")
    names = csv("yrkesmappning.csv")
    ka = ka.merge(names, on=["forvaltning", "yrke"], how="left")
    ka["regional"] = ka.yrke_regionalt.fillna(ka.yrke)
    ka["unit"] = ka.verksamhetsomrade.fillna("")
    brist = ka[ka.bedomning == "Brist"].drop_duplicates(["regional", "forvaltning", "unit"])
    return brist.groupby("regional").size().sort_values(ascending=False)


@pytest.mark.quarto
def test_four_to_six_key_figures_as_text_equal_to_the_data(start):
    figures = key_figures(start)
    assert 4 <= len(figures) <= 6, figures
    assert not start.select("main ul.kr-keyfigures img, main ul.kr-keyfigures svg")  # numbers are text

    ins = csv("internbudget_insatser.csv")
    value, context = figures[f"Personalnämndens internbudget {YEAR}"]
    assert value == f"{swedish(ins.anslag_tkr.sum())}{NBSP}tkr"
    assert f"{ins.malomrade_nr.nunique()}{NBSP}målområden och {len(ins)}{NBSP}insatser" in context

    du = csv("delmal_uppdrag.csv")
    du = du[du.ar == YEAR]
    value, context = figures[f"Politiska uppdrag {YEAR}"]
    assert value == f"{len(du)}{NBSP}uppdrag"
    assert f"{du.malomrade.nunique()}{NBSP}målområden" in context

    per = shortage_per_occupation()
    value, context = figures["Yrket i brist på flest enheter"]
    assert (per == per.iloc[0]).sum() == 1  # one occupation leads in 2023
    assert value == f"{per.iloc[0]}{NBSP}enheter"
    assert context.startswith(f"bedömer {per.index[0]} som Brist")
    assert f"{per.index[1]} ({per.iloc[1]}{NBSP}enheter)" in context

    rounds = csv("fokus_kursomgangar.csv")
    last = rounds[rounds.ar == rounds.ar.max()].iloc[0]
    value, context = figures["Fokus Kompetensförsörjning"]
    assert value == f"{swedish(last.klarat_prov)} av {swedish(last.sokande)}"
    assert f"{last.kurs} {last.termin.lower()} klarade hela kursen" in context
    assert f"{swedish(last.antagna)} antogs och {swedish(last.fullfoljda)} fullföljde" in context

    rr = csv("resultatrakning.csv")
    result = rr[rr.typ == "resultat"].iloc[0]
    value, context = figures[f"Resultat {YEAR} för {result.avser}"]
    assert value == f"{swedish(result.utfall_mkr, 1, sign=True)}{NBSP}mkr"
    assert f"{swedish(result.budget_mkr, 1)}{NBSP}mkr" in context


@pytest.mark.quarto
def test_the_figure_has_alt_text_a_caption_and_the_budget_per_malomrade(start):
    figure = start.select_one("main figure:has(.kr-bars)")
    assert figure is not None
    image = figure.select_one('[role="img"]')
    alt = image.get("aria-label", "")
    caption = figure.find("figcaption").get_text(" ", strip=True)
    assert "per målområde" in caption and "Källa:" in caption
    ins = csv("internbudget_insatser.csv")
    sums = ins.groupby("malomrade").anslag_tkr.sum().sort_values(ascending=False)
    rows = [(r.select_one(".kr-bar-label").get_text(strip=True), r.select_one(".kr-bar-value").get_text(strip=True),
             r.select_one(".kr-bar")["style"]) for r in image.select(".kr-bar-row")]
    assert [name for name, _, _ in rows] == list(sums.index)  # largest first
    for (name, text, style), amount in zip(rows, sums):
        shown = f"{swedish(amount)}{NBSP}tkr ({swedish(100 * amount / sums.sum(), 1)}{NBSP}%)"
        assert text == shown and f"{name} {shown}" in alt, (name, text, alt)
        width = float(re.search(r"width:\s*([\d.]+)%", style).group(1))
        assert width == pytest.approx(100 * amount / sums.iloc[0], abs=0.06)
    assert f"{swedish(sums.sum())}{NBSP}tkr" in alt


@pytest.mark.quarto
def test_every_forvaltning_has_a_card_linking_to_its_page(start, rendered_site):
    links = card_links(start)
    for p in params():
        href = f"{YEAR}/{p['forvaltning']}.html"
        assert [a.get_text(" ", strip=True) for a in links.get(href, [])] == [p["namn"]], href
        assert (rendered_site / href).is_file()
    for href in (f"{YEAR}/oversikt.html", "kallor.html", "ordlista.html", "om-rapporten.html"):
        assert href in links, sorted(links)
        assert (rendered_site / href).is_file()


@pytest.mark.quarto
def test_each_card_says_what_the_forvaltning_reports(start):
    """The card names the förvaltning's sections (params/<år>/*.yaml, avsnitt) by their labels."""
    from kompetensrapport import sections

    links = card_links(start)
    for p in params():
        [a] = links[f"{YEAR}/{p['forvaltning']}.html"]
        text = a.find_parent(class_="kr-card").get_text(" ", strip=True)
        assert text.startswith(f"{p['namn']} Redovisar "), text
        for key in p["avsnitt"]:
            assert sections.label(key) in text, (key, text)


@pytest.mark.quarto
def test_headings_in_order(start):
    levels = [int(h.name[1]) for h in start.select("main h1, main h2, main h3, main h4, main h5, main h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.quarto
def test_large_numbers_and_cards_that_stack_on_a_narrow_screen(rendered_site):
    """At 1280 px the key figures' numbers are at least 1,5 times the body text and the cards
    stand side by side; at 375 px every card stands in one column, and nothing scrolls sideways."""
    from playwright.sync_api import sync_playwright

    from kompetensrapport.pipeline import a11y

    require_tool(a11y.missing_tools())
    measure = """() => {
      const boxes = s => [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect().left);
      const size = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
      return {value: size("main .kr-kf-value"), body: size("main > p, main section > p"),
              figures: boxes("main .kr-keyfigure"), cards: boxes("main .kr-card"),
              overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
    }"""
    seen = {}
    with a11y.serve(Path(rendered_site)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=a11y.chromium_path(), args=a11y.CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                       else route.abort("blockedbyclient"))
            page.goto(base + "index.html", wait_until="load")
            for width in (1280, 375):
                page.set_viewport_size({"width": width, "height": 900})
                seen[width] = page.evaluate(measure)
        finally:
            browser.close()
    wide, narrow = seen[1280], seen[375]
    assert wide["value"] >= 1.5 * wide["body"], wide
    assert len(set(wide["figures"])) > 1 and len(set(wide["cards"])) > 1, wide
    assert len(set(narrow["figures"])) == 1 and len(set(narrow["cards"])) == 1, narrow
    assert narrow["overflow"] <= 1 and wide["overflow"] <= 1, seen


def test_a_tie_among_the_occupations_most_in_shortage_is_kept_whole(real_data):
    from kompetensrapport.domain import oversikt

    per = shortage_per_occupation()
    for n in range(1, len(per)):
        cut = per.iloc[n - 1]
        assert len(oversikt.top_shortage(real_data, n)) == (per >= cut).sum(), n
    assert any((per >= per.iloc[n - 1]).sum() > n for n in range(1, len(per)))  # 2023 has such a tie


def test_the_shortage_figure_names_a_tie_and_one_unit_in_the_right_number(real_data):
    import dataclasses

    from kompetensrapport.domain import oversikt
    from kompetensrapport.present.sections import oversikt as glance

    def shortage(names, units):
        top = pd.DataFrame({"yrke_regionalt": names, "enheter_brist": units})
        g = dataclasses.replace(oversikt.glance(real_data, YEAR), top_shortage=top)
        [k] = [k for k in glance.key_figures(g) if "brist" in k.label]
        return k

    k = shortage(["Logoped", "Psykolog"], [1, 1])
    assert (k.label, k.value) == ("Yrkena i brist på flest enheter", f"1{NBSP}enhet")
    assert k.context == "bedömer vart och ett av yrkena Logoped och Psykolog som Brist, fler än för något annat yrke."
    k = shortage(["Logoped", "Kurator"], [2, 1])
    assert (k.label, k.value) == ("Yrket i brist på flest enheter", f"2{NBSP}enheter")
    assert k.context == (f"bedömer Logoped som Brist, fler än för något annat yrke; därefter Kurator (1{NBSP}enhet).")
