"""Budget summaries: Personalnämndens internbudget, regionbidrag over the years, budget targets,
and a förvaltning's resultaträkning.

Computations return plain DataFrames (numbers, not text) and are tested on the real data;
``*_section`` functions turn them into what a reader sees (:mod:`.blocks`).
"""

from __future__ import annotations

import pandas as pd

from kompetensrapport import fmt, reconcile
from kompetensrapport.blocks import Callout, Heading, Text, md
from kompetensrapport.figures import Figure, hbar
from kompetensrapport.sources import source_text
from kompetensrapport.tables import Table

# -- computations ---------------------------------------------------------------------------


def insatser(data, malomrade_nr: int | None = None) -> pd.DataFrame:
    """The insatser with cost per target place (tkr per plats/anställning) where both are given."""
    df = data["internbudget_insatser.csv"].copy()
    if malomrade_nr is not None:
        df = df[df.malomrade_nr == malomrade_nr]
    df["kostnad_per_mal_tkr"] = (df.anslag_tkr / df.mal_antal).where(df.mal_antal > 0)
    return df.reset_index(drop=True)


def malomraden(data) -> pd.DataFrame:
    """Per målområde: sum of its insatser, the stated total, the difference and the share of the
    overall sum (per cent), sorted as numbered."""
    ins = data["internbudget_insatser.csv"]
    tot = data["internbudget_totaler.csv"]
    sums = ins.groupby("malomrade_nr").agg(malomrade=("malomrade", "first"), summa_tkr=("anslag_tkr", "sum"),
                                           antal_insatser=("insats", "count"))
    stated = tot[tot.niva == "malomrade"].set_index("malomrade_nr")["belopp_tkr"]
    sums["angiven_tkr"] = stated.reindex(sums.index).astype(float).values
    sums["differens_tkr"] = sums.summa_tkr - sums.angiven_tkr
    sums["andel_procent"] = 100 * sums.summa_tkr / sums.summa_tkr.sum()
    return sums.reset_index()


def total(data) -> dict:
    """The overall sum of the insatser, the stated total and regionbidrag (tkr)."""
    tot = data["internbudget_totaler.csv"]
    get = lambda niva: float(tot.loc[tot.niva == niva, "belopp_tkr"].iloc[0]) if (tot.niva == niva).any() else None
    return {"summa_tkr": float(data["internbudget_insatser.csv"].anslag_tkr.sum()),
            "angiven_tkr": get("total"), "regionbidrag_tkr": get("regionbidrag")}


def largest(data, n: int = 3) -> pd.DataFrame:
    """The n largest insatser by anslag."""
    return data["internbudget_insatser.csv"].nlargest(n, "anslag_tkr").reset_index(drop=True)


def regionbidrag(data) -> pd.DataFrame:
    """Regionbidrag per year with the change from the year before, in tkr and per cent."""
    rb = data["regionbidrag.csv"].sort_values("ar").reset_index(drop=True).copy()
    rb["belopp_tkr"] = (rb.belopp_mnkr * 1000).round(0)
    rb["forandring_tkr"] = rb.belopp_tkr.diff()
    rb["forandring_procent"] = 100 * rb.belopp_tkr.pct_change()
    return rb


def resultatrakning(data, forvaltning: str) -> pd.DataFrame:
    """The resultaträkning as printed, with the difference in per cent computed from utfall and
    budget: (utfall − budget) / |budget| × 100 (empty when the budget is 0)."""
    rr = data["resultatrakning.csv"]
    rr = rr[rr.forvaltning == forvaltning].sort_values("radnr").reset_index(drop=True).copy()
    denom = rr.budget_mkr.abs()
    rr["avvikelse_procent"] = (100 * (rr.utfall_mkr - rr.budget_mkr) / denom).where(denom > 0)
    return rr


def whose_result(rr: pd.DataFrame) -> str:
    """Whose result a förvaltning's resultaträkning rows are (``avser``), e.g. ``'Regionstyrelsen'``;
    several are joined with " och "."""
    names = list(dict.fromkeys(rr.avser))
    return " och ".join(names)


# -- what a reader sees ---------------------------------------------------------------------

STATUS_TEXT = {"föregående år": "utfall föregående år", "budget": "budget", "plan": "plan", "utfall": "utfall"}




def _agrees_sentence(t: dict) -> str:
    s, a, r = t["summa_tkr"], t["angiven_tkr"], t["regionbidrag_tkr"]
    text = f"Summan av alla insatser är **{fmt.tkr(s)}**."
    if a is not None:
        text += (" Den stämmer med den angivna totalen" if s == a else
                 f" Den stämmer **inte** med den angivna totalen ({fmt.tkr(a)}; skillnad {fmt.tkr(s - a, sign=True)})")
        text += f" ({fmt.tkr(a)})" if s == a else ""
    if r is not None:
        text += (f" och med regionbidraget {fmt.tkr(r)}." if a == r else
                 f". Regionbidraget är {fmt.tkr(r)}.")
    return text


def internbudget_section(data, ar: int) -> list:
    ins_all = data["internbudget_insatser.csv"]
    if ins_all.empty:
        return []
    blocks = [Heading(f"Personalnämndens internbudget {ar}"), Text(_agrees_sentence(total(data)))]
    mo = malomraden(data)
    summary = pd.DataFrame({
        "Målområde": [f"{r.malomrade_nr}. {r.malomrade}" for r in mo.itertuples()],
        "Antal insatser": [fmt.number(v) for v in mo.antal_insatser],
        "Summa insatser (tkr)": [fmt.number(v) for v in mo.summa_tkr],
        "Angiven summa (tkr)": [fmt.number(v) for v in mo.angiven_tkr],
        "Andel av totalen (%)": [fmt.number(v, 1) for v in mo.andel_procent],
        "Stämmer": ["ja" if d == 0 else f"nej ({fmt.number(d, sign=True)} tkr)" for d in mo.differens_tkr],
    })
    t = total(data)
    summary.loc[len(summary)] = ["Totalt", fmt.number(mo.antal_insatser.sum()), fmt.number(t["summa_tkr"]),
                                 fmt.number(t["angiven_tkr"]), fmt.number(100.0, 1),
                                 "ja" if t["summa_tkr"] == t["angiven_tkr"] else "nej"]
    tot = data["internbudget_totaler.csv"]
    blocks.append(Table(summary, caption=f"Internbudget {ar} per målområde: summan av insatserna mot den angivna summan",
                        source=source_text(data, tot), name="internbudget-malomraden",
                        data=mo, numeric=list(summary.columns[1:5]), strong_rows=[len(summary) - 1],
                        computed_rows=[len(summary) - 1]))
    # figure: shares per målområde, sorted
    srt = mo.sort_values("summa_tkr", ascending=False)
    labels = [f"{r.malomrade_nr}. {r.malomrade}" for r in srt.itertuples()]
    texts = [f"{fmt.tkr(v)} ({fmt.procent(p)})" for v, p in zip(srt.summa_tkr, srt.andel_procent)]
    fig, ax = hbar(labels, list(srt.summa_tkr), texts, "Anslag (tkr)")
    big, small = srt.iloc[0], srt.iloc[-1]
    blocks.append(Figure(fig, caption=f"Målområdenas andel av internbudgeten {ar}",
                         alt=(f"Liggande stapeldiagram över internbudgetens {len(srt)} målområden, sorterade efter anslag. "
                              f"Störst är {big.malomrade} med {fmt.tkr(big.summa_tkr)} ({fmt.procent(big.andel_procent)}), "
                              f"minst {small.malomrade} med {fmt.tkr(small.summa_tkr)} ({fmt.procent(small.andel_procent)})."),
                         name="internbudget-andelar"))
    top = largest(data)
    blocks.append(Text("De tre största insatserna är " + ", ".join(
        f"{md(r.insats)} ({fmt.tkr(r.anslag_tkr)})" for r in top.itertuples()) + "."))
    for r in mo.itertuples():
        df = insatser(data, r.malomrade_nr)
        cells = pd.DataFrame({
            "Insats": [md_free(x) for x in df.insats],
            "Underrubrik": [x if isinstance(x, str) else "" for x in df.rubrik],
            "Anslag (tkr)": [fmt.number(v) for v in df.anslag_tkr],
            "Mål (antal)": [fmt.number(v) if pd.notna(v) else "" for v in df.mal_antal],
            "Målet avser": [x if isinstance(x, str) else "" for x in df.mal_enhet],
            "Kostnad per mål (tkr)": [fmt.number(v, 1) if pd.notna(v) else "" for v in df.kostnad_per_mal_tkr],
        })
        cells.loc[len(cells)] = [f"Summa målområde {r.malomrade_nr}", "", fmt.number(r.summa_tkr), "", "", ""]
        note = [] if r.differens_tkr == 0 else [f"Summan av insatserna avviker från den angivna summan {fmt.tkr(r.angiven_tkr)}."]
        blocks.append(Table(cells, caption=f"Målområde {r.malomrade_nr}: {r.malomrade} – insatser och anslag {ar}",
                            source=source_text(data, df), name=f"internbudget-malomrade-{r.malomrade_nr}",
                            data=df.drop(columns=["malomrade"]), numeric=["Anslag (tkr)", "Mål (antal)", "Kostnad per mål (tkr)"],
                            strong_rows=[len(cells) - 1], computed_rows=[len(cells) - 1], notes=note))
    return blocks


def md_free(text) -> str:
    """Table cells are escaped by the table itself; this only normalises missing values."""
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)


def regionbidrag_section(data, ar: int) -> list:
    rb = regionbidrag(data)
    if rb.empty:
        return []
    cells = pd.DataFrame({
        "År": [str(a) for a in rb.ar],
        "Status": [STATUS_TEXT.get(s, s) for s in rb.status],
        "Regionbidrag (mnkr)": [fmt.number(v, 1) for v in rb.belopp_mnkr],
        "Förändring (tkr)": [fmt.number(v, sign=True) for v in rb.forandring_tkr],
        "Förändring (%)": [fmt.number(v, 1, sign=True) for v in rb.forandring_procent],
    })
    blocks = [Heading("Regionbidrag till Personalnämnden"),
              Table(cells, caption=f"Regionbidrag {rb.ar.min()}–{rb.ar.max()} (planår markerade i kolumnen Status)",
                    source=source_text(data, rb), name="regionbidrag", data=rb,
                    numeric=["Regionbidrag (mnkr)", "Förändring (tkr)", "Förändring (%)"])]
    labels = [f"{a} ({STATUS_TEXT.get(s, s)})" for a, s in zip(rb.ar, rb.status)]
    hatches = ["//" if s == "plan" else None for s in rb.status]
    fig, ax = hbar(labels, list(rb.belopp_mnkr), [fmt.mnkr(v) for v in rb.belopp_mnkr], "Regionbidrag (mnkr)", hatches)
    first, last = rb.iloc[0], rb.iloc[-1]
    plan_years = ", ".join(str(a) for a in rb.ar[rb.status == "plan"])
    blocks.append(Figure(fig, caption="Regionbidrag per år; planår är streckade och märkta ”plan”",
                         alt=(f"Liggande stapeldiagram över regionbidraget {first.ar}–{last.ar}. Det ökar från "
                              f"{fmt.mnkr(first.belopp_mnkr)} {first.ar} till {fmt.mnkr(last.belopp_mnkr)} {last.ar}"
                              + (f"; {plan_years} är planår." if plan_years else ".")),
                         name="regionbidrag"))
    return blocks


def budgetmal_section(data, ar: int) -> list:
    bm = data["budgetmal.csv"]
    if bm.empty:
        return []
    cells = pd.DataFrame({
        "Mål": list(bm.mal),
        "Avser": list(bm.avser),
        "Målvärde": [f"{r} {fmt.procent(v)}" for r, v in zip(bm.riktning, bm.grans_procent)],
        "Utfall": ["redovisas inte i underlaget"] * len(bm),
    })
    return [Heading("Mål för inhyrd personal"),
            Text("Målet visas som mål. Underlaget redovisar inget utfall, så inget utfall visas."),
            Table(cells, caption=f"Budgetmål {ar}", source=source_text(data, bm), name="budgetmal", data=bm)]


def budget_section(data, ar: int) -> list:
    """Everything of the section ``budget`` (Personalnämnden)."""
    return internbudget_section(data, ar) + regionbidrag_section(data, ar) + budgetmal_section(data, ar)


CHECK_STATUS = {reconcile.OK: "stämmer", reconcile.ROUNDING: "avrundningsdifferens", reconcile.ERROR: "stämmer inte"}


def resultatrakning_section(data, forvaltning: str, ar: int) -> list:
    rr = resultatrakning(data, forvaltning)
    if rr.empty:
        return []
    strong = [i for i, t in enumerate(rr.typ) if t in ("summa_intakter", "summa_kostnader", "resultat")]
    cells = pd.DataFrame({
        "Rad": list(rr.rad),
        "Utfall (mkr)": [fmt.number(v, 1) for v in rr.utfall_mkr],
        "Budget (mkr)": [fmt.number(v, 1) for v in rr.budget_mkr],
        "Avvikelse (mkr)": [fmt.number(v, 1, sign=True) for v in rr.avvikelse_mkr],
        "Avvikelse (%)": [fmt.number(v, 1, sign=True) for v in rr.avvikelse_procent],
    })
    res = rr[rr.typ == "resultat"]
    avser = whose_result(rr)
    blocks = [Heading(f"Resultaträkning {ar}: {avser}"),
              Text(f"Underlaget redovisar resultaträkningen och resultatet för {md(avser)}.")]
    if len(res):
        r = res.iloc[0]
        blocks.append(Callout(f"**{md(avser)}s resultat {ar}: {fmt.mkr(r.utfall_mkr, sign=True)}** mot en budget på "
                              f"{fmt.mkr(r.budget_mkr)} (avvikelse {fmt.mkr(r.avvikelse_mkr, sign=True)})."))
    blocks.append(Table(cells, caption=f"{avser}s resultaträkning {ar}: utfall, budget och avvikelse", source=source_text(data, rr),
                        name=f"resultatrakning-{forvaltning}", data=rr,
                        numeric=list(cells.columns[1:]), strong_rows=strong,
                        notes=["Kostnader är negativa, som i underlaget; en positiv avvikelse är bättre än budget. "
                               "Avvikelsen i procent är beräknad ur utfall och budget, (utfall − budget) / |budget|: "
                               "den tryckta procentkolumnen kunde inte användas (den anger kvoten som bråktal, inte procent)."]))
    checks = [c for c in reconcile.resultat_checks(data) if c.description.startswith(f"{forvaltning}:")]
    sums = [c for c in checks if "avvikelse = utfall" not in c.description]
    rows = [c for c in checks if "avvikelse = utfall" in c.description and c.status != reconcile.OK]
    cc = pd.DataFrame({
        "Kontroll": [c.description.split(": ", 1)[1] for c in sums + rows],
        "Angivet (mkr)": [fmt.number(c.stated, 1) for c in sums + rows],
        "Summa av delarna (mkr)": [fmt.number(c.computed, 1) for c in sums + rows],
        "Skillnad (mkr)": [fmt.number(c.difference, 1, sign=True) for c in sums + rows],
        "Resultat": [CHECK_STATUS[c.status] for c in sums + rows],
    })
    n_round = sum(c.status == reconcile.ROUNDING for c in checks)
    blocks.append(Text(f"Summorna i resultaträkningen är kontrollerade mot sina delar. {n_round} skillnader på "
                       f"{fmt.mkr(0.1)} beror på att underlaget avrundar varje belopp till 0,1 mkr; de visas nedan som "
                       "avrundningsdifferenser." if n_round else
                       "Summorna i resultaträkningen är kontrollerade mot sina delar och stämmer."))
    blocks.append(Table(cc, caption=f"Kontroll av resultaträkningens summor {ar}", source=source_text(data, rr),
                        name=f"resultatrakning-kontroll-{forvaltning}", numeric=list(cc.columns[1:4])))
    return blocks
