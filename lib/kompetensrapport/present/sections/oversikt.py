"""The year at a glance, as the overview page and the start page show it (from
:func:`kompetensrapport.domain.oversikt.glance`)."""

from __future__ import annotations

import pandas as pd

from kompetensrapport import sections
from kompetensrapport.domain.oversikt import Glance
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Bullets, Heading, md
from kompetensrapport.present.sections import resultatrakning, uppdrag
from kompetensrapport.present.sections.fokus import PASSED_VERB
from kompetensrapport.present.sections.region import PREFIX
from kompetensrapport.present.tables import Table


def items(g: Glance) -> list[str]:
    """The year in brief, as Markdown list items (values escaped)."""
    out = []
    if not g.uppdrag.empty:
        out.append(f"Politiska uppdrag i Region Skånes budget {g.ar} med koppling till Personalnämndens ansvarsområde "
                   f"(delmål och uppdrag): {uppdrag.summary(g.uppdrag)}")
    if g.totals is not None:
        out.append(f"Personalnämndens internbudget {g.ar}: **{fmt.tkr(g.totals.summa_tkr)}** fördelat på "
                   f"{g.malomraden} målområden och {g.insatser} insatser"
                   + ("; summan stämmer med regionbidraget." if g.totals.agrees
                      else "; summan stämmer inte med de angivna beloppen."))
    if len(g.top_shortage):
        names = ", ".join(f"{md(r.yrke_regionalt)} ({fmt.number(r.enheter_brist)} enheter)"
                          for r in g.top_shortage.itertuples())
        out.append(f"Yrken i brist på flest enheter: {names}.")
    if len(g.latest_round):
        counts = {r.steg: r.antal for r in g.latest_round.itertuples()}
        r0 = g.latest_round.iloc[0]
        termin = r0.termin[:1].lower() + r0.termin[1:]
        out.append(f"Fokus Kompetensförsörjning, {md(r0.kurs)} {md(termin)}: {fmt.number(counts.get('sokande'))} sökande, "
                   f"{fmt.number(counts.get('antagna'))} antagna, {fmt.number(counts.get('fullfoljda'))} fullföljde och "
                   f"{fmt.number(counts.get('klarat_prov'))} {PASSED_VERB}.")
    for r in g.results.itertuples():
        out.append(f"Resultat {g.ar} för {md(resultatrakning.whose(r.owners))}: "
                   f"**{fmt.mkr(r.utfall_mkr, sign=True)}** mot budget {fmt.mkr(r.budget_mkr)}.")
    return out


def glance(g: Glance) -> list[Block]:
    """The overview's "Året i korthet": the items, and a table of what each förvaltning reports
    (the sections' labels from :mod:`kompetensrapport.sections`)."""
    cells = pd.DataFrame({"Förvaltning": list(g.reports.namn),
                          "Redovisar": [", ".join(sections.label(s) for s in keys) for keys in g.reports.avsnitt]})
    return [Heading("Året i korthet"), Bullets(items(g)),
            Table(cells, caption=f"Förvaltningar och vad de redovisar {g.ar}",
                  source=f"params/{g.ar}/ (en parameterfil per förvaltning)", name=f"{PREFIX}forvaltningar")]
