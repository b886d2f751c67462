"""Budget summaries: Personalnämndens internbudget, regionbidrag over the years, budget targets,
and a förvaltning's resultaträkning.

Computations return plain DataFrames (numbers, not text) and are tested on the real data;
``*_section`` functions turn them into what a reader sees (:mod:`.blocks`).
"""

from __future__ import annotations

import pandas as pd

from kompetensrapport.present import fmt
from kompetensrapport.inputs import reconcile
from kompetensrapport.present.blocks import Callout, Heading, Text, md
from kompetensrapport.present.figures import Figure, hbar
from kompetensrapport.present.sources import source_text
from kompetensrapport.present.tables import Table

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


# -- the budget bridge: from one year's regionbidrag to the next -------------------------------


def brygga(data, ar: int) -> pd.DataFrame:
    """The bridge from regionbidrag ``ar − 1`` to ``ar`` (mnkr): the first row is the year before's
    regionbidrag, then each step in its order, then the stated regionbidrag of ``ar``. ``fore_mnkr``
    and ``efter_mnkr`` are the running total before and after each row (for a step: the stated
    start plus the steps so far); ``typ`` is ``utgangsvarde``, ``forandring`` or ``slutvarde``.
    Empty when the year has no steps or either regionbidrag is missing."""
    columns = ["typ", "text", "belopp_mnkr", "procent", "fore_mnkr", "efter_mnkr", "kalla"]
    steps = data.get("regionbidrag_brygga.csv")
    rb = data.get("regionbidrag.csv")
    if steps is None or rb is None:
        return pd.DataFrame(columns=columns)
    steps = steps[steps.ar == ar].sort_values("steg")
    start, end = rb[rb.ar == ar - 1], rb[rb.ar == ar]
    if steps.empty or start.empty or end.empty:
        return pd.DataFrame(columns=columns)
    s0, s1 = start.iloc[0], end.iloc[0]
    rows = [{"typ": "utgangsvarde", "text": f"Regionbidrag {ar - 1}", "belopp_mnkr": float(s0.belopp_mnkr),
             "procent": float("nan"), "fore_mnkr": 0.0, "efter_mnkr": float(s0.belopp_mnkr), "kalla": s0.kalla}]
    running = float(s0.belopp_mnkr)
    for r in steps.itertuples():
        rows.append({"typ": "forandring", "text": r.forandring, "belopp_mnkr": float(r.belopp_mnkr),
                     "procent": r.procent, "fore_mnkr": running, "efter_mnkr": round(running + r.belopp_mnkr, 6),
                     "kalla": r.kalla})
        running = round(running + r.belopp_mnkr, 6)
    rows.append({"typ": "slutvarde", "text": f"Regionbidrag {ar}", "belopp_mnkr": float(s1.belopp_mnkr),
                 "procent": float("nan"), "fore_mnkr": 0.0, "efter_mnkr": float(s1.belopp_mnkr), "kalla": s1.kalla})
    return pd.DataFrame(rows, columns=columns)


def _bridge_figure(br: pd.DataFrame, ar: int) -> Figure:
    """A horizontal waterfall, read top to bottom: the two regionbidrag as full bars, each step as a
    floating bar from the running total before it to the one after; a deduction is hatched, every
    bar has its amount written."""
    from kompetensrapport.present.figures import PRIMARY, SECONDARY, new, swedish_ticks

    fig, ax = new(7.0, 0.62 * len(br) + 1.3)
    vmax = float(br.efter_mnkr.max())
    for i, r in enumerate(br.itertuples()):
        low, high = min(r.fore_mnkr, r.efter_mnkr), max(r.fore_mnkr, r.efter_mnkr)
        step = r.typ == "forandring"
        ax.barh(i, high - low, left=low, color=SECONDARY if step else PRIMARY, edgecolor="#1a1a1a",
                hatch="//" if step and r.belopp_mnkr < 0 else None, height=0.6)
        ax.text(high + vmax * 0.01, i, fmt.mnkr(r.belopp_mnkr, sign=step), va="center", ha="left", fontsize=9,
                color="#1a1a1a")
    ax.set_yticks(range(len(br)), [_short(t) for t in br.text], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("Regionbidrag (mnkr)")
    ax.set_xlim(0, vmax * 1.2)
    swedish_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    steps = br[br.typ == "forandring"]
    big, small = steps.loc[steps.belopp_mnkr.idxmax()], steps.loc[steps.belopp_mnkr.idxmin()]
    first, last = br.iloc[0], br.iloc[-1]
    alt = (f"Vattenfallsdiagram från regionbidraget {ar - 1}, {fmt.mnkr(first.belopp_mnkr)}, till regionbidraget {ar}, "
           f"{fmt.mnkr(last.belopp_mnkr)}, i {len(steps)} steg: "
           + "; ".join(f"{t} {fmt.mnkr(v, sign=True)}" for t, v in zip(steps.text, steps.belopp_mnkr))
           + f". Störst är {big.text} med {fmt.mnkr(big.belopp_mnkr, sign=True)}, minst {small.text} med "
           f"{fmt.mnkr(small.belopp_mnkr, sign=True)}.")
    return Figure(fig, caption=f"Från regionbidrag {ar - 1} till {ar}: varje steg med sitt belopp; avdrag är streckade",
                  alt=alt, name=f"regionbidrag-brygga-{ar}")


def _short(text: str, width: int = 34) -> str:
    """A bar label: the first words of a step, wrapped on two lines at most, with an ellipsis when cut."""
    import textwrap

    lines = textwrap.wrap(text, width)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def brygga_section(data, ar: int) -> list:
    """The bridge from the year before's regionbidrag to this year's: a sentence, the table with
    each step and the running total, the reconciliation and the waterfall; empty without steps."""
    br = brygga(data, ar)
    if br.empty:
        return []
    first, last = br.iloc[0], br.iloc[-1]
    steps = br[br.typ == "forandring"]
    n = len(steps)
    cells = pd.DataFrame({
        "Steg": list(br.text),
        "Belopp (mnkr)": [fmt.number(v, 1, sign=t == "forandring") for v, t in zip(br.belopp_mnkr, br.typ)],
        "Andel enligt underlaget": [fmt.procent(p) if pd.notna(p) else "" for p in br.procent],
        "Summa efter steget (mnkr)": [fmt.number(v, 1) for v in br.efter_mnkr],
    })
    checks = [c for c in reconcile.bridge_checks(data) if c.description.startswith(f"{ar}:")]
    agrees = all(c.status != reconcile.ERROR for c in checks)
    computed = steps.efter_mnkr.iloc[-1]
    text = (f"Regionbidraget går från {fmt.mnkr(first.belopp_mnkr)} {ar - 1} till {fmt.mnkr(last.belopp_mnkr)} {ar}, "
            f"i {fmt.number(n)} steg som underlaget anger: "
            + "; ".join(f"{md(t[:1].lower() + t[1:])} {fmt.mnkr(v, sign=True)}"
                        for t, v in zip(steps.text, steps.belopp_mnkr)) + ". "
            + (f"Stegen summerar till {fmt.mnkr(computed)}, samma som det angivna regionbidraget {ar}."
               if agrees and computed == last.belopp_mnkr else
               f"Stegen summerar till {fmt.mnkr(computed)} mot det angivna regionbidraget {fmt.mnkr(last.belopp_mnkr)}."))
    notes = [f"Första och sista raden är regionbidragen {ar - 1} och {ar} som underlaget anger dem; summan efter "
             "varje steg är beräknad."]
    if steps.procent.notna().any():
        notes.append("Andelen står som i underlaget (andel av föregående års regionbidrag efter tidigare avdrag).")
    return [Heading(f"Från regionbidrag {ar - 1} till {ar}"), Text(text),
            Table(cells, caption=f"Regionbidragets förändring från {ar - 1} till {ar}, steg för steg",
                  source=source_text(data, br), name=f"regionbidrag-brygga-{ar}", data=br,
                  numeric=list(cells.columns[1:]), strong_rows=[0, len(cells) - 1], notes=notes),
            _bridge_figure(br, ar)]


# -- Delmål och uppdrag: the political assignments ---------------------------------------------


def uppdrag(data, ar: int) -> pd.DataFrame:
    """The year's assignments (Delmål och uppdrag) in the order of the document."""
    du = data.get("delmal_uppdrag.csv")
    if du is None or du.empty:
        return pd.DataFrame(columns=["ar", "nr", "malomrade", "uppdrag", "ansvarig", "belopp_mnkr", "kalla"])
    return du[du.ar == ar].sort_values("nr").reset_index(drop=True)


def uppdrag_per_malomrade(data, ar: int) -> pd.DataFrame:
    """Per målområde (in the order of the document): the number of assignments and the sum of the
    amounts given (mnkr; 0 when none is given) with the number of assignments that give one."""
    du = uppdrag(data, ar)
    g = du.groupby("malomrade", sort=False)
    return pd.DataFrame({"antal": g.size(), "med_belopp": g.belopp_mnkr.count(),
                         "belopp_mnkr": g.belopp_mnkr.sum()}).reset_index()


def uppdrag_summary(data, ar: int) -> str:
    """One Markdown sentence: how many assignments in how many målområden, and each amount given."""
    du = uppdrag(data, ar)
    per = uppdrag_per_malomrade(data, ar)
    n = len(du)
    text = (f"**{fmt.number(n)} uppdrag** inom {fmt.number(len(per))} "
            f"{'målområde' if len(per) == 1 else 'målområden'} ("
            + ", ".join(f"{md(r.malomrade)} {fmt.number(r.antal)}" for r in per.itertuples()) + ")")
    with_amount = du[du.belopp_mnkr.notna()]
    if len(with_amount):
        text += ("; " + ("ett av dem anger ett belopp: " if len(with_amount) == 1 else
                         f"{fmt.number(len(with_amount))} av dem anger ett belopp: ")
                 + "; ".join(f"{fmt.mnkr(r.belopp_mnkr)} (”{md(_sentence_with(r.uppdrag, 'kronor'))}”)"
                             for r in with_amount.itertuples()))
    return text + "."


def _sentence_with(text: str, word: str) -> str:
    """The first sentence of ``text`` that holds ``word`` (the whole text when none does)."""
    import re

    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-ZÅÄÖ0-9])", text) if s.strip()]
    return next((s for s in sentences if word in s), text)


def uppdrag_section(data, ar: int) -> list:
    """Delmål och uppdrag: a summary, and per assignment its målområde, text, the responsible body
    where the document names one, and its amount; empty when the year has none."""
    du = uppdrag(data, ar)
    if du.empty:
        return []
    cells = pd.DataFrame({
        "Målområde": list(du.malomrade),
        "Uppdrag": list(du.uppdrag),
        "Ansvarig enligt underlaget": [a if isinstance(a, str) else "anges inte" for a in du.ansvarig],
        "Belopp (mnkr)": [fmt.number(v, 1) if pd.notna(v) else "" for v in du.belopp_mnkr],
    })
    return [Heading(f"Delmål och uppdrag {ar}"),
            Text(f"Region Skånes verksamhetsplan och budget {ar} ger uppdrag med särskild koppling till "
                 f"Personalnämndens ansvarsområde: {uppdrag_summary(data, ar)}"),
            Table(cells, caption=f"Delmål och uppdrag {ar} per målområde", source=source_text(data, du),
                  name=f"delmal-uppdrag-{ar}", data=du, numeric=["Belopp (mnkr)"], row_headers=False,
                  notes=["Underlaget anger ansvarig bara där det står i uppdragets text; ”anges inte” betyder att "
                         "uppdraget inte namnger någon. Belopp står bara där uppdraget anger ett."])]
