"""The overview's parts from the kompetensanalys, the needs raised to regional level, the budget
and Fokus Kompetensförsörjning, as a reader sees them: :func:`kompetens` (from
:func:`kompetensrapport.domain.kompetens.region`), :func:`behov` (from
:func:`kompetensrapport.domain.kompetens.behov_region`), :func:`budget` (from
:func:`kompetensrapport.domain.budget.internbudget`) and :func:`fokus` (from
:func:`kompetensrapport.domain.fokus.region`).

The overview's tables and figures are named with :data:`PREFIX`, so that their download and
figure files do not collide with a förvaltning page's (the pages share one folder)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from kompetensrapport.domain import budget as budget_domain
from kompetensrapport.domain import fokus as fokus_domain
from kompetensrapport.domain import kompetens as kompetens_domain
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Bullets, Callout, Heading, Text, md
from kompetensrapport.present.figures import Figure, hbar
from kompetensrapport.present.sections import behov as behov_section
from kompetensrapport.present.sections import budget as budget_section
from kompetensrapport.present.sections.fokus import PASSED_VERB
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.sections.ratings import comparison
from kompetensrapport.present.tables import Table

#: What the overview's table and figure names start with.
PREFIX = "oversikt-"


def kompetens(r: kompetens_domain.Region) -> list:
    """The regional overview: per regional occupation the förvaltningar and units rating it Brist,
    Obalans and Balans, the occupations most often in Brist, and the change since the year
    before; an empty list when no förvaltning has a kompetensanalys."""
    if r.rows.empty:
        return []
    s = r.summary
    blocks = [Heading(f"Kompetensläget i regionen {r.ar}"),
              Text(f"Sammanställningen bygger på {'kompetensanalysen' if len(r.forvaltningar) == 1 else 'kompetensanalyserna'} "
                   f"från {fmt.count(len(r.forvaltningar), 'förvaltning', 'förvaltningar')} ("
                   + ", ".join(md(r.name(f)) for f in r.forvaltningar) + "). Yrkesnamnen förs till ett gemensamt "
                   "regionalt namn enligt yrkesmappningen. En enhet är ett verksamhetsområde som förvaltningen själv "
                   "anger; förvaltningarna delar in sig olika (en del bedömer hela förvaltningen som en enhet), "
                   "så antalet enheter jämförs inte rakt av mellan förvaltningar.")]
    if not r.unmatched.empty:
        blocks.append(Callout("Yrkesnamn som finns i flera förvaltningar men förs till olika regionala namn: "
                              + "; ".join(sorted({md(n) for n in r.unmatched.yrke})) + "."))
    frame = pd.DataFrame({"Yrke (regionalt namn)": list(s.yrke_regionalt)})
    for rating in ("Brist", "Obalans", "Balans"):
        frame[f"{rating}: förvaltningar (antal)"] = [fmt.number(v) for v in s[f"forvaltningar_{rating.lower()}"]]
        frame[f"{rating}: enheter (antal)"] = [fmt.number(v) for v in s[f"enheter_{rating.lower()}"]]
    frame["Förvaltningar som redovisar yrket (antal)"] = [fmt.number(v) for v in s.forvaltningar]
    frame["Rader utan bedömning (antal)"] = [fmt.number(v) for v in s.utan_bedomning]
    blocks.append(Table(frame, caption=f"Bedömningar per yrke i regionen {r.ar}, flest med Brist först",
                        source=source(r, r.rows), name=f"{PREFIX}region-kompetens-yrken", data=s,
                        numeric=list(frame.columns[1:]),
                        notes=["En enhet som bedömer två delroller olika räknas under båda bedömningarna. "
                               "Rader utan bedömning är yrken eller yrke–enhet-par där underlaget saknar bedömning."]))
    blocks.append(Heading("Yrken som oftast bedöms som Brist", 3))
    srt = r.brist
    if srt.empty:
        blocks.append(Text("Inget yrke bedöms som Brist i underlaget."))
    else:
        blocks.append(Bullets([
            f"{md(t.yrke_regionalt)}: Brist vid {fmt.count(t.enheter_brist, 'enhet', 'enheter')} i "
            f"{fmt.count(t.forvaltningar_brist, 'förvaltning', 'förvaltningar')}" for t in r.top.itertuples()]))
        fig, ax = hbar(list(srt.yrke_regionalt), [int(v) for v in srt.enheter_brist],
                       [fmt.number(v) for v in srt.enheter_brist], "Enheter med Brist (antal)")
        big, small = srt.iloc[0], srt.iloc[-1]
        if len(srt) == 1:
            alt = (f"Liggande stapeldiagram över det enda yrke som bedöms som Brist vid minst en enhet {r.ar}: "
                   f"{big.yrke_regionalt}, vid {fmt.count(big.enheter_brist, 'enhet', 'enheter')}.")
        else:
            alt = (f"Liggande stapeldiagram över de {fmt.number(len(srt))} yrken som bedöms som Brist vid minst en "
                   f"enhet {r.ar}, sorterade efter antal enheter. Flest har {big.yrke_regionalt} "
                   f"({fmt.count(big.enheter_brist, 'enhet', 'enheter')}), minst {small.yrke_regionalt} "
                   f"({fmt.number(small.enheter_brist)}).")
        blocks.append(Figure(
            fig, caption=f"Antal enheter som bedömer yrket som Brist {r.ar}; antalet står vid varje stapel",
            alt=alt, name=f"{PREFIX}region-kompetens-brist"))
    return blocks + comparison(r.comparison, r.ar, f"{PREFIX}region", r.names)


def behov(r: kompetens_domain.BehovRegion) -> list:
    """Every förvaltning's needs at regional level, one sub-heading each named by the förvaltning;
    an empty list when none raises any."""
    if not r.forvaltningar:
        return []
    blocks = [Heading(f"Behov som förvaltningarna lyfter till regional nivå {r.ar}"),
              Text("Förvaltningarnas kompetensförsörjningsplaner svarar på frågan om åtgärder som behöver hanteras "
                   "på annan nivå i organisationen. Punkterna står som i planerna.")]
    for b in r.forvaltningar:
        blocks += behov_section.blocks(b, 3, r.name(b.forvaltning))
    return blocks


def fokus(r: fokus_domain.RegionSummary) -> list:
    """Fokus Kompetensförsörjning in brief: each course round's funnel in one line and the
    financing's sum; an empty list when the year has no course rounds."""
    f = r.funnel
    if f.empty:
        return []
    items = []
    for (kurs, omgang), g in f.groupby(["kurs", "omgang"], sort=True):
        c = {s.steg: s for s in g.itertuples()}
        items.append(f"{md(kurs)}, omgång {omgang} ({md(g.termin.iloc[0])}): {fmt.number(c['sokande'].antal)} sökande, "
                     f"{fmt.number(c['antagna'].antal)} antagna ({fmt.procent(c['antagna'].andel_av_sokande_procent)} av sökande), "
                     f"{fmt.number(c['klarat_prov'].antal)} {PASSED_VERB} "
                     f"({fmt.procent(c['klarat_prov'].andel_av_foregaende_procent)} av dem som fullföljde).")
    prelim = ", ".join(str(a) for a in r.totals.preliminary_years)
    items.append(f"Projektets finansiering: {fmt.kr(r.totals.total_kr)} sammanlagt"
                 + (f", varav {prelim} är preliminärt" if prelim else "") + ".")
    return [Heading("Fokus Kompetensförsörjning i korthet"), Bullets(items),
            Text("Hela redovisningen finns på sidan för Regional utveckling.")]


def budget(r: budget_domain.Internbudget) -> list:
    """Personalnämndens budget in brief: the internbudget's sum against the stated total and the
    regionbidrag, and the regionbidrag over the years; an empty list without an internbudget."""
    if r.insatser.empty:
        return []
    blocks = [Heading("Budget för kompetensförsörjning"), Text(budget_section.agreement_sentence(r.totals))]
    blocks += [dataclasses.replace(b, name=PREFIX + b.name) if isinstance(b, (Table, Figure)) else b
               for b in budget_section.regionbidrag_blocks(r) if not isinstance(b, Heading)]
    return blocks
