"""The regional overview page and the start page's key figures: the year across all
förvaltningar. Each part calls the domain module that computes it (budget, kompetens, fokus)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kompetensrapport.domain import budget, fokus, kompetens
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Bullets, Heading, Text, md
from kompetensrapport.present.figures import Figure
from kompetensrapport.present.tables import Table

PREFIX = "oversikt-"


def forvaltningar(root: Path, ar: int) -> list:
    """The year's förvaltningar, from their parameter files (:class:`.params.Params`). The
    parameter files' schema (pydantic) is imported here, by the one notebook that reads them,
    not by the kernel server for every notebook."""
    from kompetensrapport.inputs import params

    return params.load_all(Path(root), ar)


def _prefixed(blocks: list) -> list:
    """Give the overview's tables and figures their own file names (the förvaltning pages
    write theirs into the same folder)."""
    for b in blocks:
        if isinstance(b, (Table, Figure)) and not b.name.startswith(PREFIX):
            b.name = PREFIX + b.name
    return blocks


def top_shortage(data, n: int = 3) -> pd.DataFrame:
    """The occupations rated Brist at the most units across the region."""
    s = kompetens.region_summary(data)
    s = s[s.enheter_brist > 0].sort_values(["enheter_brist", "forvaltningar_brist"], ascending=False, kind="stable")
    return s.head(n)


def key_figure_items(data, ar: int) -> list[str]:
    """The year in brief, as Markdown list items (values escaped)."""
    items = []
    if not budget.uppdrag(data, ar).empty:
        items.append(f"Politiska uppdrag i Region Skånes budget {ar} med koppling till Personalnämndens ansvarsområde "
                     f"(delmål och uppdrag): {budget.uppdrag_summary(data, ar)}")
    ins = data["internbudget_insatser.csv"]
    if not ins.empty:
        t = budget.total(data)
        agrees = t["angiven_tkr"] == t["summa_tkr"] and t["regionbidrag_tkr"] == t["summa_tkr"]
        items.append(f"Personalnämndens internbudget {ar}: **{fmt.tkr(t['summa_tkr'])}** fördelat på "
                     f"{ins.malomrade_nr.nunique()} målområden och {len(ins)} insatser"
                     + ("; summan stämmer med regionbidraget." if agrees else "; summan stämmer inte med de angivna beloppen."))
    top = top_shortage(data)
    if len(top):
        names = ", ".join(f"{md(r.yrke_regionalt)} ({fmt.number(r.enheter_brist)} enheter)" for r in top.itertuples())
        items.append(f"Yrken i brist på flest enheter: {names}.")
    f = fokus.funnel(data)
    if len(f):
        last = f[(f.ar == f.ar.max())]
        counts = {r.steg: r.antal for r in last.itertuples()}
        r0 = last.iloc[0]
        termin = r0.termin[:1].lower() + r0.termin[1:]
        items.append(f"Fokus Kompetensförsörjning, {md(r0.kurs)} {md(termin)}: {fmt.number(counts.get('sokande'))} sökande, "
                     f"{fmt.number(counts.get('antagna'))} antagna, {fmt.number(counts.get('fullfoljda'))} fullföljde och "
                     f"{fmt.number(counts.get('klarat_prov'))} {fokus.PASSED_VERB}.")
    rr = data["resultatrakning.csv"]
    for slug, g in rr.groupby("forvaltning"):
        res = g[g.typ == "resultat"]
        if len(res):
            items.append(f"Resultat {ar} för {md(budget.whose_result(g))}: "
                         f"**{fmt.mkr(res.utfall_mkr.iloc[0], sign=True)}** mot budget {fmt.mkr(res.budget_mkr.iloc[0])}.")
    return items


SECTION_NAMES = {"uppdrag": "delmål och uppdrag", "brygga": "regionbidragets förändring", "budget": "budget", "resultatrakning": "resultaträkning", "kompetens": "kompetensanalys",
                 "handlingsplan": "handlingsplan", "behov": "behov på regional nivå", "utbildning": "utbildningsplatser",
                 "fokus": "Fokus Kompetensförsörjning", "hr": "HR-nyckeltal"}


def key_figures_section(data, ar: int, forvaltningar: list) -> list:
    blocks = [Heading("Året i korthet"), Bullets(key_figure_items(data, ar))]
    cells = pd.DataFrame({"Förvaltning": [p.namn for p in forvaltningar],
                          "Redovisar": [", ".join(SECTION_NAMES[s] for s in p.avsnitt) for p in forvaltningar]})
    blocks.append(Table(cells, caption=f"Förvaltningar och vad de redovisar {ar}",
                        source=f"params/{ar}/ (en parameterfil per förvaltning)", name="forvaltningar"))
    return _prefixed(blocks)


def kompetens_region(data, ar: int, previous=None, forvaltningar: list | None = None) -> list:
    names = {p.forvaltning: p.namn for p in forvaltningar or []}
    return _prefixed(kompetens.region_section(data, ar, previous, names=names or None))


def behov_region(data, ar: int, forvaltningar: list | None = None) -> list:
    """The needs each förvaltning raises to regional level, with the förvaltningar's names."""
    names = {p.forvaltning: p.namn for p in forvaltningar or []}
    return _prefixed(kompetens.behov_region(data, ar, names=names or None))


def budget_region(data, ar: int) -> list:
    if data["internbudget_insatser.csv"].empty:
        return []
    blocks = [Heading("Budget för kompetensförsörjning"), Text(budget._agrees_sentence(budget.total(data)))]
    blocks += [b for b in budget.regionbidrag_section(data, ar) if not isinstance(b, Heading)]
    return _prefixed(blocks)


def fokus_region(data, ar: int) -> list:
    f = fokus.funnel(data)
    if f.empty:
        return []
    totals = fokus.finansiering_totals(data)
    items = []
    for (kurs, omgang), g in f.groupby(["kurs", "omgang"], sort=True):
        c = {r.steg: r for r in g.itertuples()}
        items.append(f"{md(kurs)}, omgång {omgang} ({md(g.termin.iloc[0])}): {fmt.number(c['sokande'].antal)} sökande, "
                     f"{fmt.number(c['antagna'].antal)} antagna ({fmt.procent(c['antagna'].andel_av_sokande_procent)} av sökande), "
                     f"{fmt.number(c['klarat_prov'].antal)} {fokus.PASSED_VERB} "
                     f"({fmt.procent(c['klarat_prov'].andel_av_foregaende_procent)} av dem som fullföljde).")
    prelim = ", ".join(str(a) for a in totals["preliminara_ar"])
    items.append(f"Projektets finansiering: {fmt.kr(totals['summa_kr'])} sammanlagt"
                 + (f", varav {prelim} är preliminärt" if prelim else "") + ".")
    return [Heading("Fokus Kompetensförsörjning i korthet"), Bullets(items),
            Text("Hela redovisningen finns på sidan för Regional utveckling.")]
