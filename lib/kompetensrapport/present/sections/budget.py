"""Personalnämndens internbudget, regionbidrag over the years and the budget targets (section
``budget``)."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain.budget import Internbudget, Totals
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, Text, md
from kompetensrapport.present.figures import Figure, hbar
from kompetensrapport.present.sections._common import cell, source
from kompetensrapport.present.tables import Table

#: What the Status column shows for a regionbidrag year's ``status``.
STATUS_TEXT = {"föregående år": "utfall föregående år", "budget": "budget", "plan": "plan", "utfall": "utfall"}


def agreement_sentence(t: Totals) -> str:
    """The sum of the insatser and whether it agrees with the stated total and the regionbidrag."""
    s, a, r = t.summa_tkr, t.angiven_tkr, t.regionbidrag_tkr
    text = f"Summan av alla insatser är **{fmt.tkr(s)}**."
    if a is not None:
        text += (" Den stämmer med den angivna totalen" if s == a else
                 f" Den stämmer **inte** med den angivna totalen ({fmt.tkr(a)}; skillnad {fmt.tkr(s - a, sign=True)})")
        text += f" ({fmt.tkr(a)})" if s == a else ""
    if r is not None:
        text += (f" och med regionbidraget {fmt.tkr(r)}." if a == r else
                 f". Regionbidraget är {fmt.tkr(r)}.")
    return text


def largest_sentence(largest: pd.DataFrame) -> str:
    """The largest insatser with their anslag: ``De tre största insatserna är …``, or ``Den största
    insatsen är …`` when there is one."""
    n = len(largest)
    names = fmt.join([f"{md(r.insats)} ({fmt.tkr(r.anslag_tkr)})" for r in largest.itertuples()])
    return (f"Den största insatsen är {names}." if n == 1 else
            f"De {fmt.word(n)} största insatserna är {names}.")


def _malomrade(r) -> str:
    return f"{r.malomrade_nr}. {r.malomrade}"


def internbudget_blocks(result: Internbudget) -> list[Block]:
    """The internbudget: its total, the sums per målområde, their shares, the largest insatser and
    each målområde's insatser; empty without insatser."""
    if result.insatser.empty:
        return []
    ar, mo, t = result.ar, result.malomraden, result.totals
    blocks = [Heading(f"Personalnämndens internbudget {ar}"), Text(agreement_sentence(t))]
    summary = pd.DataFrame({
        "Målområde": [_malomrade(r) for r in mo.itertuples()],
        "Antal insatser": [fmt.number(v) for v in mo.antal_insatser],
        "Summa insatser (tkr)": [fmt.number(v) for v in mo.summa_tkr],
        "Angiven summa (tkr)": [fmt.number(v) for v in mo.angiven_tkr],
        "Andel av totalen (%)": [fmt.number(v, 1) for v in mo.andel_procent],
        "Stämmer": ["ja" if d == 0 else f"nej ({fmt.number(d, sign=True)} tkr)" for d in mo.differens_tkr],
    })
    summary.loc[len(summary)] = ["Totalt", fmt.number(mo.antal_insatser.sum()), fmt.number(t.summa_tkr),
                                 fmt.number(t.angiven_tkr), fmt.number(100.0, 1),
                                 "ja" if t.summa_tkr == t.angiven_tkr else "nej"]
    blocks.append(Table(summary, caption=f"Internbudget {ar} per målområde: summan av insatserna mot den angivna summan",
                        source=source(result, result.totaler), name="internbudget-malomraden",
                        data=mo, numeric=list(summary.columns[1:5]), strong_rows=[len(summary) - 1],
                        computed_rows=[len(summary) - 1]))
    blocks.append(_shares_figure(mo, ar))
    blocks.append(Text(largest_sentence(result.largest)))
    for r in mo.itertuples():
        blocks.append(_malomrade_table(result, r))
    return blocks


def _shares_figure(mo: pd.DataFrame, ar: int) -> Figure:
    """Bars of the målområden's sums, largest first, with amount and share written out."""
    srt = mo.sort_values("summa_tkr", ascending=False)
    texts = [f"{fmt.tkr(v)} ({fmt.procent(p)})" for v, p in zip(srt.summa_tkr, srt.andel_procent)]
    fig, ax = hbar([_malomrade(r) for r in srt.itertuples()], list(srt.summa_tkr), texts, "Anslag (tkr)")
    big, small = srt.iloc[0], srt.iloc[-1]
    return Figure(fig, caption=f"Målområdenas andel av internbudgeten {ar}",
                  alt=(f"Liggande stapeldiagram över internbudgetens {fmt.count(len(srt), 'målområde', 'målområden')}, "
                       "sorterade efter anslag. "
                       f"Störst är {big.malomrade} med {fmt.tkr(big.summa_tkr)} ({fmt.procent(big.andel_procent)}), "
                       f"minst {small.malomrade} med {fmt.tkr(small.summa_tkr)} ({fmt.procent(small.andel_procent)})."),
                  name="internbudget-andelar")


def _malomrade_table(result: Internbudget, r) -> Table:
    """One målområde's insatser with anslag, target and cost per target, and their sum."""
    df = result.insatser_per_malomrade[r.malomrade_nr]
    cells = pd.DataFrame({
        "Insats": [cell(x) for x in df.insats],
        "Underrubrik": [x if isinstance(x, str) else "" for x in df.rubrik],
        "Anslag (tkr)": [fmt.number(v) for v in df.anslag_tkr],
        "Mål (antal)": [fmt.number(v) if pd.notna(v) else "" for v in df.mal_antal],
        "Målet avser": [x if isinstance(x, str) else "" for x in df.mal_enhet],
        "Kostnad per mål (tkr)": [fmt.number(v, 1) if pd.notna(v) else "" for v in df.kostnad_per_mal_tkr],
    })
    cells.loc[len(cells)] = [f"Summa målområde {r.malomrade_nr}", "", fmt.number(r.summa_tkr), "", "", ""]
    note = [] if r.differens_tkr == 0 else [f"Summan av insatserna avviker från den angivna summan {fmt.tkr(r.angiven_tkr)}."]
    return Table(cells, caption=f"Målområde {r.malomrade_nr}: {r.malomrade} – insatser och anslag {result.ar}",
                 source=source(result, df), name=f"internbudget-malomrade-{r.malomrade_nr}",
                 data=df.drop(columns=["malomrade"]), numeric=["Anslag (tkr)", "Mål (antal)", "Kostnad per mål (tkr)"],
                 strong_rows=[len(cells) - 1], computed_rows=[len(cells) - 1], notes=note)


def regionbidrag_blocks(result: Internbudget) -> list[Block]:
    """Regionbidrag over the years: a heading, the table and the bars; empty without years."""
    rb = result.regionbidrag
    if rb.empty:
        return []
    cells = pd.DataFrame({
        "År": [str(a) for a in rb.ar],
        "Status": [STATUS_TEXT.get(s, s) for s in rb.status],
        "Regionbidrag (mnkr)": [fmt.number(v, 1) for v in rb.belopp_mnkr],
        "Förändring (mnkr)": [fmt.number(v / 1000, 1, sign=True) for v in rb.forandring_tkr],
        "Förändring (%)": [fmt.number(v, 1, sign=True) for v in rb.forandring_procent],
    })
    blocks = [Heading("Regionbidrag till Personalnämnden"),
              Table(cells, caption=f"Regionbidrag {rb.ar.min()}–{rb.ar.max()} (planår markerade i kolumnen Status)",
                    source=source(result, rb), name="regionbidrag", data=rb,
                    numeric=["Regionbidrag (mnkr)", "Förändring (mnkr)", "Förändring (%)"])]
    labels = [f"{a} ({STATUS_TEXT.get(s, s)})" for a, s in zip(rb.ar, rb.status)]
    hatches = ["//" if s == "plan" else None for s in rb.status]
    fig, ax = hbar(labels, list(rb.belopp_mnkr), [fmt.mnkr(v) for v in rb.belopp_mnkr], "Regionbidrag (mnkr)", hatches)
    first, last = rb.iloc[0], rb.iloc[-1]
    plan_years = ", ".join(str(a) for a in rb.ar[rb.status == "plan"])
    blocks.append(Figure(fig, caption="Regionbidrag per år; planår är streckade och märkta ”plan”",
                         alt=(f"Liggande stapeldiagram över regionbidraget {first.ar}–{last.ar}. {_direction(first, last)}"
                              + (f"; {plan_years} är planår." if plan_years else ".")),
                         name="regionbidrag"))
    return blocks


def _direction(first, last) -> str:
    """How the regionbidrag goes from its first year to its last: ``Det ökar från 182,9 mnkr 2022
    till 203,8 mnkr 2025``, ``Det minskar från …`` or ``Det är 182,9 mnkr både 2022 och 2025``."""
    a, b = first.belopp_mnkr, last.belopp_mnkr
    if a == b:
        return f"Det är {fmt.mnkr(a)} både {first.ar} och {last.ar}"
    return f"Det {'ökar' if b > a else 'minskar'} från {fmt.mnkr(a)} {first.ar} till {fmt.mnkr(b)} {last.ar}"


def budgetmal_blocks(result: Internbudget) -> list[Block]:
    """The budget targets as targets (the source gives no outcome); empty without targets."""
    bm = result.budgetmal
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
            Table(cells, caption=f"Budgetmål {result.ar}", source=source(result, bm), name="budgetmal", data=bm)]


def present(result: Internbudget) -> list[Block]:
    """Everything of the section ``budget`` (Personalnämnden)."""
    return internbudget_blocks(result) + regionbidrag_blocks(result) + budgetmal_blocks(result)
