"""Fokus Kompetensförsörjning (Regional utveckling's project): the course funnel of the pilot
courses, the financing per year, the other results as key figures, the focus areas with their
activities and the resources (roles and shares of a post, never names).

Computations return plain DataFrames (numbers, not text) and are tested on the real data;
:func:`fokus_section` turns them into what a reader sees (:mod:`.blocks`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Bullets, Heading, Text, md
from kompetensrapport.present.figures import PRIMARY, SECONDARY, Figure, hbar, new, swedish_ticks
from kompetensrapport.present.sources import source_text
from kompetensrapport.present.tables import Table

#: The steps of the funnel: column in fokus_kursomgangar.csv and the name a reader sees. The table in
#: the document heads the last step "Klarat prov"; its text says these passed the whole course
#: ("67 procent fullföljde kursen, varav nästan 65 procent klarat hela kursen"), not Socialstyrelsens
#: kunskapsprov, so the report names the step by what the text says.
STEPS = [("sokande", "Sökande"), ("antagna", "Antagna"), ("fullfoljda", "Fullföljda"),
         ("klarat_prov", "Klarat hela kursen")]
#: The last step as a verb phrase: "20 klarade hela kursen".
PASSED_VERB = "klarade hela kursen"
#: The note under the funnel: what the last step means and what it does not.
PASSED_NOTE = ("Steget ”Klarat hela kursen” heter ”Klarat prov” i dokumentets tabell. Texten i samma avsnitt visar "
               "att det gäller kursen: ”67 procent fullföljde kursen, varav nästan 65 procent klarat hela kursen”. "
               "Det är alltså inte antalet som klarat Socialstyrelsens kunskapsprov; det antalet anger dokumentet inte.")
#: The pilot courses of the project (fokusområde 3). Their rows in fokus_resultat.csv are shown with
#: the courses, not among the other results.
PILOT_COURSES = ("Intensivsvenska", "Avancerad sjukvårdssvenska")
#: Bar colour and hatch per course round, in order (colour is never the only difference).
ROUND_COLOURS = [PRIMARY, SECONDARY]
ROUND_HATCHES = ["", "//", "..", "xx"]
#: How a unit of fokus_resultat.csv is written after a value.
UNIT_TEXT = {"procent": "%", "betyg av 10": "av 10", "antal": "st"}
NOT_GIVEN = "ej angiven"

FILES = ["fokus_kursomgangar.csv", "fokus_finansiering.csv", "fokus_resultat.csv",
         "fokus_fokusomraden.csv", "fokus_resurser.csv"]


# -- computations ---------------------------------------------------------------------------


def _frame(data, file: str) -> pd.DataFrame:
    """A data file, or an empty frame when the year has none."""
    frame = data.get(file)
    return frame if frame is not None else pd.DataFrame()


def funnel(data) -> pd.DataFrame:
    """The course funnel in long form: one row per course round and step, with the count and the
    step's share of the previous step and of sökande (per cent; missing where a count is missing
    or the base is 0). Sorted by course, round and step."""
    rounds = _frame(data, "fokus_kursomgangar.csv")
    rows = []
    for r in rounds.sort_values(["kurs", "omgang"]).itertuples():
        counts = [_float(getattr(r, col)) for col, _ in STEPS]
        for i, ((col, name), n) in enumerate(zip(STEPS, counts)):
            rows.append({"kurs": r.kurs, "omgang": r.omgang, "termin": r.termin, "ar": r.ar,
                         "steg_nr": i + 1, "steg": col, "steg_namn": name, "antal": n,
                         "andel_av_foregaende_procent": _pct(n, counts[i - 1]) if i else np.nan,
                         "andel_av_sokande_procent": _pct(n, counts[0]),
                         "kalla": r.kalla})
    return pd.DataFrame(rows, columns=["kurs", "omgang", "termin", "ar", "steg_nr", "steg", "steg_namn", "antal",
                                       "andel_av_foregaende_procent", "andel_av_sokande_procent", "kalla"])


def _float(value) -> float:
    """A count as float; pandas' NA (nullable integers) becomes NaN."""
    return np.nan if pd.isna(value) else float(value)


def _pct(part: float, whole: float) -> float:
    """``part`` as per cent of ``whole``; NaN when either is missing or whole is 0."""
    if pd.isna(part) or pd.isna(whole) or whole == 0:
        return np.nan
    return 100 * part / whole


def finansiering(data) -> pd.DataFrame:
    """Financing per year (kr), sorted by year, with the preliminary flag."""
    fin = _frame(data, "fokus_finansiering.csv")
    return fin if fin.empty else fin.sort_values("ar").reset_index(drop=True)


def finansiering_totals(data) -> dict:
    """Computed sums (the document states none): all years, and only the final (non-preliminary) ones."""
    fin = finansiering(data)
    if fin.empty:
        return {"summa_kr": 0.0, "summa_ej_preliminar_kr": 0.0, "preliminara_ar": []}
    return {"summa_kr": float(fin.belopp_kr.sum()),
            "summa_ej_preliminar_kr": float(fin.loc[~fin.preliminar, "belopp_kr"].sum()),
            "preliminara_ar": [int(a) for a in fin.loc[fin.preliminar, "ar"]]}


def resurser(data) -> pd.DataFrame:
    """The resources as roles and shares of a post (per cent), in the printed order."""
    return _frame(data, "fokus_resurser.csv").reset_index(drop=True)


# -- formatting helpers ---------------------------------------------------------------------


def _decimals(value) -> int:
    return 0 if pd.isna(value) or float(value).is_integer() else 1


def quantity(value, enhet: str) -> str:
    """A value of fokus_resultat.csv with its unit: ``'67 %'``, ``'134 personer'``, ``'8,2 av 10'``."""
    text = fmt.number(value, _decimals(value))
    if text == fmt.MISSING:
        return text
    return f"{text}{fmt.NBSP}{UNIT_TEXT.get(enhet, enhet)}"


def _round_label(termin: str, omgang: int) -> str:
    return f"Omgång {omgang}, {termin[:1].lower()}{termin[1:]}"


def _slug(text: str) -> str:
    text = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _join(items: list[str]) -> str:
    """Swedish enumeration: ``a, b och c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


# -- what a reader sees ---------------------------------------------------------------------


def _funnel_table(data, fun: pd.DataFrame, kurs: str) -> Table:
    """Rows = steps; per round the count, the share of the previous step and of sökande."""
    f = fun[fun.kurs == kurs]
    cells = pd.DataFrame({"Steg": [name for _, name in STEPS]})
    raw = pd.DataFrame({"Steg": [name for _, name in STEPS]})  # the same rows, numbers unformatted
    numeric = []
    for (omgang, termin), r in f.groupby(["omgang", "termin"], sort=True):
        r = r.sort_values("steg_nr")
        head = f"Omgång {omgang}"
        cols = {f"{_round_label(termin, omgang)} (antal)": [fmt.number(v) for v in r.antal],
                f"{head}: andel av föregående steg (%)": [""] + [fmt.procent(v) for v in r.andel_av_foregaende_procent.iloc[1:]],
                f"{head}: andel av sökande (%)": [fmt.procent(v) for v in r.andel_av_sokande_procent]}
        for c, values in cols.items():
            cells[c] = values
            numeric.append(c)
        raw[f"{_round_label(termin, omgang)} (antal)"] = list(r.antal)
        raw[f"{head}: andel av föregående steg (%)"] = [None] + list(r.andel_av_foregaende_procent.iloc[1:])
        raw[f"{head}: andel av sökande (%)"] = list(r.andel_av_sokande_procent)
    rounds = f.drop_duplicates("omgang")
    return Table(cells, caption=f"{kurs}: sökande, antagna, fullföljda och klarat hela kursen per kursomgång "
                                f"({_join([_round_label(t, o).lower() for o, t in zip(rounds.omgang, rounds.termin)])})",
                 source=source_text(data, f), name=f"fokus-tratt-{_slug(kurs)}", data=raw,
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
    for (omgang, termin), r in fun[fun.kurs == kurs].groupby(["omgang", "termin"], sort=True):
        r = r.sort_values("steg_nr")
        last = r.iloc[-1]
        parts.append(f"{md(_round_label(termin, omgang))}: {_counts_text(r)} "
                     f"({fmt.procent(last.andel_av_sokande_procent)} av de sökande {PASSED_VERB}).")
    return f"**{md(kurs)}.** " + " ".join(parts)


def _funnel_figure(fun: pd.DataFrame, kurs: str) -> Figure:
    """Grouped horizontal bars: one group per step, one bar per round, colour and hatch per round."""
    f = fun[fun.kurs == kurs]
    groups = list(f.groupby(["omgang", "termin"], sort=True))
    n = len(groups)
    height = 0.8 / n
    fig, ax = new(7.0, 0.45 * len(STEPS) * n + 1.4)
    vmax = float(np.nanmax(f.antal)) if f.antal.notna().any() else 1.0
    for j, ((omgang, termin), r) in enumerate(groups):
        r = r.sort_values("steg_nr")
        ys = np.arange(len(STEPS)) + (j - (n - 1) / 2) * height
        values = [0.0 if pd.isna(v) else v for v in r.antal]
        bars = ax.barh(ys, values, height=height * 0.95, color=ROUND_COLOURS[j % len(ROUND_COLOURS)],
                       hatch=ROUND_HATCHES[j % len(ROUND_HATCHES)], edgecolor="#1a1a1a",
                       label=_round_label(termin, omgang))
        short = termin[:1].lower() + termin[1:]
        for bar, v in zip(bars, r.antal):
            text = f"{fmt.number(v)} ({short})" if pd.notna(v) else f"uppgift saknas ({short})"
            ax.text(bar.get_width() + vmax * 0.01, bar.get_y() + bar.get_height() / 2, text,
                    va="center", ha="left", fontsize=8.5, color="#1a1a1a")
    ax.set_yticks(np.arange(len(STEPS)), [name for _, name in STEPS])
    ax.invert_yaxis()
    ax.set_xlim(0, vmax * 1.35)
    ax.set_xlabel("Antal personer")
    swedish_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True)
    valid = f[f.antal.notna()]
    big, small = valid.loc[valid.antal.idxmax()], valid.loc[valid.antal.idxmin()]
    per_round = " ".join(f"{_round_label(t, o)}: {_counts_text(r.sort_values('steg_nr'))}." for (o, t), r in groups)
    alt = (f"Grupperat liggande stapeldiagram för {kurs}: antal personer i varje steg från sökande till klarat hela kursen, "
           f"en stapel per kursomgång (omgångarna skiljs åt med färg, mönster och text). {per_round} "
           f"Högst värde: {big.steg_namn.lower()} {big.termin.lower()}, {fmt.number(big.antal)}; lägst: "
           f"{small.steg_namn.lower()} {small.termin.lower()}, {fmt.number(small.antal)}.")
    return Figure(fig, caption=f"{kurs}: antal personer per steg och kursomgång", alt=alt,
                  name=f"fokus-tratt-{_slug(kurs)}")


def kurser_section(data, ar: int) -> list:
    """The pilot courses: the funnel per round (table, figure) and what the text gives besides."""
    fun = funnel(data)
    res = _frame(data, "fokus_resultat.csv")
    course_res = res[res.omrade.isin(PILOT_COURSES)] if not res.empty else res
    if fun.empty and course_res.empty:
        return []
    blocks = [Heading("Pilotkurserna i sjukvårdssvenska", level=3)]
    for kurs in fun.kurs.drop_duplicates():
        blocks += [Text(_funnel_sentence(fun, kurs)), _funnel_table(data, fun, kurs), _funnel_figure(fun, kurs)]
    if not course_res.empty:
        without_funnel = [k for k in course_res.omrade.drop_duplicates() if k not in set(fun.kurs)]
        if without_funnel:
            blocks.append(Text(f"För {md(_join(without_funnel))} redovisar underlaget inga antal sökande, antagna "
                               "eller fullföljda, så ingen tratt visas; tabellen nedan visar det som texten anger."))
        cells = pd.DataFrame({"Kurs": list(course_res.omrade), "Mått": list(course_res.matt),
                              "Värde (med enhet)": [quantity(v, e) for v, e in zip(course_res.varde, course_res.enhet)]})
        notes = []
        if course_res.matt.str.contains("våren").any():
            notes.append("Uppgifterna som gäller ”under våren” anger inte vilket år eller vilken kursomgång de avser. "
                         "De visas som de står i texten och räknas inte in i tratten.")
        blocks.append(Table(cells, caption="Pilotkurserna: uppgifter som texten anger utöver tratten",
                            source=source_text(data, course_res), name="fokus-pilotkurser-resultat",
                            data=course_res, numeric=["Värde (med enhet)"], notes=notes))
    return blocks


def finansiering_section(data, ar: int) -> list:
    """Financing per year with the preliminary years marked by text and hatching, and computed sums."""
    fin = finansiering(data)
    if fin.empty:
        return []
    tot = finansiering_totals(data)
    labels = [f"{a} (preliminärt)" if p else str(a) for a, p in zip(fin.ar, fin.preliminar)]
    first, last = int(fin.ar.min()), int(fin.ar.max())
    cells = pd.DataFrame({"År": labels, "Belopp (kr)": [fmt.number(v) for v in fin.belopp_kr]})
    prel = tot["preliminara_ar"]
    final_years = [int(a) for a in fin.ar[~fin.preliminar]]
    if prel:
        cells.loc[len(cells)] = [f"Summa {first}–{last}, inklusive preliminärt {_join([str(a) for a in prel])} (beräknad)",
                                 fmt.number(tot["summa_kr"])]
        cells.loc[len(cells)] = [f"Summa utan preliminära år, {_years(final_years)} (beräknad)",
                                 fmt.number(tot["summa_ej_preliminar_kr"])]
        note = (f"Dokumentet anger ingen summa; summorna är beräknade här. Summan {first}–{last} "
                f"({fmt.kr(tot['summa_kr'])}) inkluderar det preliminära beloppet för {_join([str(a) for a in prel])}; "
                f"utan det är summan {fmt.kr(tot['summa_ej_preliminar_kr'])}.")
    else:
        cells.loc[len(cells)] = [f"Summa {first}–{last} (beräknad)", fmt.number(tot["summa_kr"])]
        note = "Dokumentet anger ingen summa; summan är beräknad här."
    n_years = len(fin)
    blocks = [Heading("Finansiering", level=3),
              Table(cells, caption=f"Finansiella resurser för projektinsatser per år {first}–{last}",
                    source=source_text(data, fin), name="fokus-finansiering", data=fin,
                    numeric=["Belopp (kr)"], strong_rows=list(range(n_years, len(cells))),
                  computed_rows=list(range(n_years, len(cells))), notes=[note])]
    texts = [fmt.kr(v) + (" (preliminärt)" if p else "") for v, p in zip(fin.belopp_kr, fin.preliminar)]
    fig, ax = hbar(labels, [v / 1e6 for v in fin.belopp_kr], texts, "Belopp (miljoner kr)",
                   ["//" if p else None for p in fin.preliminar])
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, _decimals(x))))
    big, small = fin.loc[fin.belopp_kr.idxmax()], fin.loc[fin.belopp_kr.idxmin()]
    alt = (f"Liggande stapeldiagram över finansieringen per år {first}–{last}. Störst är {big.ar} med "
           f"{fmt.kr(big.belopp_kr)}, minst {small.ar} med {fmt.kr(small.belopp_kr)}. Beloppen är "
           + ", ".join(f"{a}: {fmt.kr(v)}" for a, v in zip(fin.ar, fin.belopp_kr)) + "."
           + (f" {_join([str(a) for a in prel])} är preliminärt och visas streckat." if prel else ""))
    caption = "Finansiering per år" + ("; preliminära år är streckade och märkta ”preliminärt”" if prel else "")
    blocks.append(Figure(fig, caption=caption, alt=alt, name="fokus-finansiering"))
    return blocks


def _years(years: list[int]) -> str:
    """``2021–2023`` for consecutive years, otherwise ``2021, 2023``."""
    if years and years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(a) for a in years)


def resultat_section(data, ar: int) -> list:
    """The other results (not the pilot courses) as a key-figure table."""
    res = _frame(data, "fokus_resultat.csv")
    if res.empty:
        return []
    res = res[~res.omrade.isin(PILOT_COURSES)]
    if res.empty:
        return []
    cells = pd.DataFrame({"Område": list(res.omrade), "Mått": list(res.matt),
                          "Värde (med enhet)": [quantity(v, e) for v, e in zip(res.varde, res.enhet)]})
    return [Heading("Övriga resultat", level=3),
            Table(cells, caption=f"Fokus Kompetensförsörjning: övriga resultat {ar}", source=source_text(data, res),
                  name="fokus-resultat", data=res, numeric=["Värde (med enhet)"])]


def fokusomraden_section(data, ar: int) -> list:
    """The focus areas, each with its activities as a bulleted list, and the source."""
    fo = _frame(data, "fokus_fokusomraden.csv")
    if fo.empty:
        return []
    blocks = [Heading("Fokusområden och aktiviteter", level=3),
              Text(f"Projektet arbetar inom {fo.nr.nunique()} fokusområden.")]
    for (nr, name), g in fo.groupby(["nr", "fokusomrade"], sort=True):
        blocks.append(Text(f"**Fokusområde {nr}: {md(name)}**"))
        blocks.append(Bullets([md(a) for a in g.aktivitet]))
    blocks.append(Text(f"Källa: {md(source_text(data, fo))}."))
    return blocks


def resurser_section(data, ar: int) -> list:
    """The resources as roles and shares of a post; a missing share shows as "ej angiven"."""
    rs = resurser(data)
    if rs.empty:
        return []
    cells = pd.DataFrame({"Roll": list(rs.roll),
                          "Andel av tjänst (%)": [fmt.procent(v, _decimals(v)) if pd.notna(v) else NOT_GIVEN
                                                  for v in rs.andel_tjanst_procent]})
    given = rs.andel_tjanst_procent.dropna()
    n_missing = int(rs.andel_tjanst_procent.isna().sum())
    note = (f"De angivna andelarna är sammanlagt {fmt.procent(given.sum(), _decimals(given.sum()))} av en tjänst "
            f"(beräknat; dokumentet anger ingen summa)."
            + (f" För {n_missing} av {len(rs)} resurser anges ingen exakt andel (”{NOT_GIVEN}”)." if n_missing else ""))
    return [Heading("Resurser", level=3),
            Text("Resurserna visas som roller och andelar av en tjänst."),
            Table(cells, caption="Personella resurser i projektet: roll och andel av tjänst",
                  source=source_text(data, rs), name="fokus-resurser", data=rs,
                  numeric=["Andel av tjänst (%)"], notes=[note])]


def fokus_section(data, ar: int) -> list:
    """Everything of the section ``fokus``; an empty list when the year has no fokus data."""
    if all(_frame(data, f).empty for f in FILES):
        return []
    blocks = [Heading(f"Fokus Kompetensförsörjning {ar}"),
              Text("Fokus Kompetensförsörjning är ett projekt inom Regional utveckling. Uppgifterna kommer från "
                   "projektets rapport; andelar och summor som dokumentet inte anger är beräknade och markerade så.")]
    for part in (kurser_section, finansiering_section, resultat_section, fokusomraden_section, resurser_section):
        blocks += part(data, ar)
    return blocks
