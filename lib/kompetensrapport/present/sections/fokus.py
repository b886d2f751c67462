"""The section ``fokus`` as a reader sees it: the pilot courses' funnel (tables, figures), the
financing with its sums, the other results, the focus areas and the resources, from
:func:`kompetensrapport.domain.fokus.outcomes`."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from kompetensrapport.domain import fokus
from kompetensrapport.domain.fokus import STEPS
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Bullets, Heading, Text, md
from kompetensrapport.present.figures import PRIMARY, SECONDARY, Figure, hbar, new, swedish_ticks
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table

#: The last step as a verb phrase: "20 klarade hela kursen".
PASSED_VERB = "klarade hela kursen"
#: The note under the funnel: what the last step means and what it does not.
PASSED_NOTE = ("Steget ”Klarat hela kursen” heter ”Klarat prov” i dokumentets tabell. Texten i samma avsnitt visar "
               "att det gäller kursen: ”67 procent fullföljde kursen, varav nästan 65 procent klarat hela kursen”. "
               "Det är alltså inte antalet som klarat Socialstyrelsens kunskapsprov; det antalet anger dokumentet inte.")
#: Bar colour and hatch per course round, in order (colour is never the only difference).
ROUND_COLOURS = [PRIMARY, SECONDARY]
ROUND_HATCHES = ["", "//", "..", "xx"]
#: How a unit of fokus_resultat.csv is written after a value.
UNIT_TEXT = {"procent": "%", "betyg av 10": "av 10", "antal": "st"}
NOT_GIVEN = "ej angiven"


# -- formatting helpers ---------------------------------------------------------------------


def _decimals(value) -> int:
    return 0 if pd.isna(value) or float(value).is_integer() else 1


def quantity(value, enhet: str) -> str:
    """A value of fokus_resultat.csv with its unit: ``'67 %'``, ``'134 personer'``, ``'8,2 av 10'``."""
    text = fmt.number(value, _decimals(value))
    if text == fmt.MISSING:
        return text
    return f"{text}{fmt.NBSP}{UNIT_TEXT.get(enhet, enhet)}"


def round_label(termin: str, omgang: int) -> str:
    return f"Omgång {omgang}, {termin[:1].lower()}{termin[1:]}"


def slug(text: str) -> str:
    """A file-safe name for ``text``: lower-case ASCII letters and digits joined by hyphens. A
    name with no letter or digit to keep (only punctuation, or another script) gets ``kurs-``
    and the start of its SHA-256 instead, so the name is never empty and is the same in every
    build."""
    folded = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    name = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return name or "kurs-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _years(years) -> str:
    """``2021–2023`` for consecutive years, otherwise ``2021, 2023``."""
    years = list(years)
    if years and years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(a) for a in years)


# -- the pilot courses ----------------------------------------------------------------------


def _funnel_table(r: fokus.Outcomes, kurs: str) -> Table:
    """Rows = steps; per round the count, the share of the previous step and of sökande."""
    f = r.funnel[r.funnel.kurs == kurs]
    cells = pd.DataFrame({"Steg": [name for _, name in STEPS]})
    raw = pd.DataFrame({"Steg": [name for _, name in STEPS]})  # the same rows, numbers unformatted
    numeric = []
    for (omgang, termin), g in f.groupby(["omgang", "termin"], sort=True):
        g = g.sort_values("steg_nr")
        head = f"Omgång {omgang}"
        cols = {f"{round_label(termin, omgang)} (antal)": [fmt.number(v) for v in g.antal],
                f"{head}: andel av föregående steg (%)": [""] + [fmt.procent(v) for v in g.andel_av_foregaende_procent.iloc[1:]],
                f"{head}: andel av sökande (%)": [fmt.procent(v) for v in g.andel_av_sokande_procent]}
        for c, values in cols.items():
            cells[c] = values
            numeric.append(c)
        raw[f"{round_label(termin, omgang)} (antal)"] = list(g.antal)
        raw[f"{head}: andel av föregående steg (%)"] = [None] + list(g.andel_av_foregaende_procent.iloc[1:])
        raw[f"{head}: andel av sökande (%)"] = list(g.andel_av_sokande_procent)
    rounds = f.drop_duplicates("omgang")
    return Table(cells, caption=f"{kurs}: sökande, antagna, fullföljda och klarat hela kursen per kursomgång "
                                f"({fmt.join([round_label(t, o).lower() for o, t in zip(rounds.omgang, rounds.termin)])})",
                 source=source(r, f), name=f"fokus-tratt-{slug(kurs)}", data=raw,
                 numeric=numeric,
                 notes=["Andelarna är beräknade ur antalen. Sökande är första steget och har ingen andel av "
                        "föregående steg.", PASSED_NOTE])


def _counts_text(steps: pd.DataFrame) -> str:
    """``sökande 286, antagna 63, fullföljda 42, klarat hela kursen 27`` for one round's steps."""
    return ", ".join(f"{name.lower()} {fmt.number(v) if pd.notna(v) else 'uppgift saknas'}"
                     for name, v in zip(steps.steg_namn, steps.antal))


def _funnel_sentence(fun: pd.DataFrame, kurs: str) -> str:
    """One sentence per round: the counts and the share of sökande who passed."""
    parts = []
    for (omgang, termin), g in fun[fun.kurs == kurs].groupby(["omgang", "termin"], sort=True):
        g = g.sort_values("steg_nr")
        last = g.iloc[-1]
        parts.append(f"{md(round_label(termin, omgang))}: {_counts_text(g)} "
                     f"({fmt.procent(last.andel_av_sokande_procent)} av de sökande {PASSED_VERB}).")
    return f"**{md(kurs)}.** " + " ".join(parts)


def _funnel_figure(fun: pd.DataFrame, kurs: str) -> Figure:
    """Grouped horizontal bars: one group per step, one bar per round, colour and hatch per round."""
    f = fun[fun.kurs == kurs]
    groups = list(f.groupby(["omgang", "termin"], sort=True))
    n = len(groups)
    height = 0.8 / n
    fig, ax = new(height=0.45 * len(STEPS) * n + 1.6)
    vmax = float(np.nanmax(f.antal)) if f.antal.notna().any() else 1.0
    for j, ((omgang, termin), g) in enumerate(groups):
        g = g.sort_values("steg_nr")
        ys = np.arange(len(STEPS)) + (j - (n - 1) / 2) * height
        values = [0.0 if pd.isna(v) else v for v in g.antal]
        bars = ax.barh(ys, values, height=height * 0.95, color=ROUND_COLOURS[j % len(ROUND_COLOURS)],
                       hatch=ROUND_HATCHES[j % len(ROUND_HATCHES)], edgecolor="#1a1a1a",
                       label=round_label(termin, omgang))
        short = termin[:1].lower() + termin[1:]
        for bar, v in zip(bars, g.antal):
            text = f"{fmt.number(v)} ({short})" if pd.notna(v) else f"uppgift saknas ({short})"
            ax.text(bar.get_width() + vmax * 0.01, bar.get_y() + bar.get_height() / 2, text,
                    va="center", ha="left", color="#1a1a1a")
    ax.set_yticks(np.arange(len(STEPS)), [name for _, name in STEPS])
    ax.invert_yaxis()
    ax.set_xlim(0, vmax * 1.35)
    ax.set_xlabel("Antal personer")
    swedish_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True)
    valid = f[f.antal.notna()]
    big, small = valid.loc[valid.antal.idxmax()], valid.loc[valid.antal.idxmin()]
    per_round = " ".join(f"{round_label(t, o)}: {_counts_text(g.sort_values('steg_nr'))}." for (o, t), g in groups)
    alt = (f"Grupperat liggande stapeldiagram för {kurs}: antal personer i varje steg från sökande till klarat hela kursen, "
           f"en stapel per kursomgång (omgångarna skiljs åt med färg, mönster och text). {per_round} "
           f"Högst värde: {big.steg_namn.lower()} {big.termin.lower()}, {fmt.number(big.antal)}; lägst: "
           f"{small.steg_namn.lower()} {small.termin.lower()}, {fmt.number(small.antal)}.")
    return Figure(fig, caption=f"{kurs}: antal personer per steg och kursomgång", alt=alt,
                  name=f"fokus-tratt-{slug(kurs)}")


def kurser_blocks(r: fokus.Outcomes) -> list:
    """The pilot courses: the funnel per round (table, figure) and what the text gives besides."""
    fun, course_res = r.funnel, r.course_results
    if fun.empty and course_res.empty:
        return []
    blocks = [Heading("Pilotkurserna i sjukvårdssvenska", level=3)]
    for kurs in fun.kurs.drop_duplicates():
        blocks += [Text(_funnel_sentence(fun, kurs)), _funnel_table(r, kurs), _funnel_figure(fun, kurs)]
    if not course_res.empty:
        if r.courses_without_funnel:
            blocks.append(Text(f"För {md(fmt.join(list(r.courses_without_funnel)))} redovisar underlaget inga antal "
                               "sökande, antagna eller fullföljda, så ingen tratt visas; tabellen nedan visar det som "
                               "texten anger."))
        cells = pd.DataFrame({"Kurs": list(course_res.omrade), "Mått": list(course_res.matt),
                              "Värde (med enhet)": [quantity(v, e) for v, e in zip(course_res.varde, course_res.enhet)]})
        notes = []
        if course_res.matt.str.contains("våren").any():
            notes.append("Uppgifterna som gäller ”under våren” anger inte vilket år eller vilken kursomgång de avser. "
                         "De visas som de står i texten och räknas inte in i tratten.")
        blocks.append(Table(cells, caption="Pilotkurserna: uppgifter som texten anger utöver tratten",
                            source=source(r, course_res), name="fokus-pilotkurser-resultat",
                            data=course_res, numeric=["Värde (med enhet)"], notes=notes))
    return blocks


# -- financing, results, focus areas, resources ------------------------------------------------


def finansiering_blocks(r: fokus.Outcomes) -> list:
    """Financing per year with the preliminary years marked by text and hatching, and computed sums."""
    fin, tot = r.financing, r.totals
    if fin.empty:
        return []
    labels = [f"{a} (preliminärt)" if p else str(a) for a, p in zip(fin.ar, fin.preliminar)]
    first, last = int(fin.ar.min()), int(fin.ar.max())
    cells = pd.DataFrame({"År": labels, "Belopp (kr)": [fmt.number(v) for v in fin.belopp_kr]})
    prel = [str(a) for a in tot.preliminary_years]
    if prel:
        cells.loc[len(cells)] = [f"Summa {first}–{last}, inklusive preliminärt {fmt.join(prel)} (beräknad)",
                                 fmt.number(tot.total_kr)]
        cells.loc[len(cells)] = [f"Summa utan preliminära år, {_years(tot.final_years)} (beräknad)",
                                 fmt.number(tot.total_final_kr)]
        note = (f"Dokumentet anger ingen summa; summorna är beräknade här. Summan {first}–{last} "
                f"({fmt.kr(tot.total_kr)}) inkluderar "
                + (f"det preliminära beloppet för {prel[0]}; utan det" if len(prel) == 1 else
                   f"de preliminära beloppen för {fmt.join(prel)}; utan dem")
                + f" är summan {fmt.kr(tot.total_final_kr)}.")
    else:
        cells.loc[len(cells)] = [f"Summa {first}–{last} (beräknad)", fmt.number(tot.total_kr)]
        note = "Dokumentet anger ingen summa; summan är beräknad här."
    n_years = len(fin)
    blocks = [Heading("Finansiering", level=3),
              Table(cells, caption=f"Finansiella resurser för projektinsatser per år {first}–{last}",
                    source=source(r, fin), name="fokus-finansiering", data=fin,
                    numeric=["Belopp (kr)"], strong_rows=list(range(n_years, len(cells))),
                    computed_rows=list(range(n_years, len(cells))), notes=[note])]
    # the bars' labels in the axis' unit, mkr (the table and the alt text give the kronor)
    texts = [fmt.mkr(v / 1e6) + (" (preliminärt)" if p else "") for v, p in zip(fin.belopp_kr, fin.preliminar)]
    fig, ax = hbar(labels, [v / 1e6 for v in fin.belopp_kr], texts, "Belopp (mkr)",
                   ["//" if p else None for p in fin.preliminar])
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, _decimals(x))))
    big, small = fin.loc[fin.belopp_kr.idxmax()], fin.loc[fin.belopp_kr.idxmin()]
    alt = (f"Liggande stapeldiagram över finansieringen per år {first}–{last}. Störst är {big.ar} med "
           f"{fmt.kr(big.belopp_kr)}, minst {small.ar} med {fmt.kr(small.belopp_kr)}. Beloppen är "
           + ", ".join(f"{a}: {fmt.kr(v)}" for a, v in zip(fin.ar, fin.belopp_kr)) + "."
           + (f" {fmt.join(prel)} " + ("är preliminärt och visas streckat." if len(prel) == 1 else
                                         "är preliminära och visas streckade.") if prel else ""))
    caption = "Finansiering per år" + ("; preliminära år är streckade och märkta ”preliminärt”" if prel else "")
    blocks.append(Figure(fig, caption=caption, alt=alt, name="fokus-finansiering"))
    return blocks


def resultat_blocks(r: fokus.Outcomes) -> list:
    """The other results (not the pilot courses) as a key-figure table."""
    res = r.other_results
    if res.empty:
        return []
    cells = pd.DataFrame({"Område": list(res.omrade), "Mått": list(res.matt),
                          "Värde (med enhet)": [quantity(v, e) for v, e in zip(res.varde, res.enhet)]})
    return [Heading("Övriga resultat", level=3),
            Table(cells, caption=f"Fokus Kompetensförsörjning: övriga resultat {r.ar}",
                  source=source(r, res), name="fokus-resultat", data=res, numeric=["Värde (med enhet)"])]


def fokusomraden_blocks(r: fokus.Outcomes) -> list:
    """The focus areas, each with its activities as a bulleted list, and the source."""
    fo = r.focus_areas
    if fo.empty:
        return []
    blocks = [Heading("Fokusområden och aktiviteter", level=3),
              Text(f"Projektet arbetar inom {fmt.count(fo.nr.nunique(), 'fokusområde', 'fokusområden')}.")]
    for (nr, name), g in fo.groupby(["nr", "fokusomrade"], sort=True):
        blocks.append(Text(f"**Fokusområde {nr}: {md(name)}**"))
        blocks.append(Bullets([md(a) for a in g.aktivitet]))
    blocks.append(Text(f"Källa: {md(source(r, fo))}."))
    return blocks


def resurser_blocks(r: fokus.Outcomes) -> list:
    """The resources as roles and shares of a post; a missing share shows as "ej angiven"."""
    rs = r.resources
    if rs.empty:
        return []
    cells = pd.DataFrame({"Roll": list(rs.roll),
                          "Andel av tjänst (%)": [fmt.procent(v, _decimals(v)) if pd.notna(v) else NOT_GIVEN
                                                  for v in rs.andel_tjanst_procent]})
    given, n_missing = r.resources_given_procent, r.resources_not_given
    note = (f"De angivna andelarna är sammanlagt {fmt.procent(given, _decimals(given))} av en tjänst "
            f"(beräknat; dokumentet anger ingen summa)."
            + (f" För {fmt.number(n_missing)} av {fmt.count(len(rs), 'resurs', 'resurser')} anges ingen exakt andel "
               f"(”{NOT_GIVEN}”)." if n_missing else ""))
    return [Heading("Resurser", level=3),
            Text("Resurserna visas som roller och andelar av en tjänst."),
            Table(cells, caption="Personella resurser i projektet: roll och andel av tjänst",
                  source=source(r, rs), name="fokus-resurser", data=rs,
                  numeric=["Andel av tjänst (%)"], notes=[note])]


def present(r: fokus.Outcomes) -> list:
    """Everything of the section ``fokus``; an empty list when the year has no fokus data."""
    if r.empty:
        return []
    blocks = [Heading(f"Fokus Kompetensförsörjning {r.ar}"),
              Text("Fokus Kompetensförsörjning är ett projekt inom Regional utveckling. Uppgifterna kommer från "
                   "projektets rapport; andelar och summor som dokumentet inte anger är beräknade och markerade så.")]
    for part in (kurser_blocks, finansiering_blocks, resultat_blocks, fokusomraden_blocks, resurser_blocks):
        blocks += part(r)
    return blocks
