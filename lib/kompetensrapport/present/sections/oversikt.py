"""The year at a glance, as the overview page and the start page show it (from
:func:`kompetensrapport.domain.oversikt.glance`): the key figures (:func:`key_figures`), shown as
cards with large numbers on the website and as a list in Markdown (:class:`KeyFigures`), the
internbudget per målområde as bars drawn with HTML and CSS (:func:`budget_figure`; the start page
shows it), and what each förvaltning reports (:func:`reported`). The cards' and bars' look is in
``templates/start.css``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetensrapport import sections
from kompetensrapport.domain.oversikt import Glance
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, esc, md
from kompetensrapport.present.sections import resultatrakning
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.sections.fokus import PASSED_VERB
from kompetensrapport.present.sections.region import PREFIX
from kompetensrapport.present.sources import Source
from kompetensrapport.present.tables import Table


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of the year: what it is (``label``), the number as readers see it
    (``value``, formatted with its unit) and a line of context. Plain text: escaped where shown."""

    label: str
    value: str
    context: str


def _shortage_context(top: pd.DataFrame) -> str:
    """Which occupations the most units rate Brist, then the runners-up with their counts."""
    most = top.enheter_brist.iloc[0]
    leaders = [str(n) for n in top.yrke_regionalt[top.enheter_brist == most]]
    rest = top[top.enheter_brist < most]
    text = (f"bedömer {leaders[0]} som Brist, fler än för något annat yrke" if len(leaders) == 1
            else f"bedömer vart och ett av yrkena {fmt.join(leaders)} som Brist, fler än för något annat yrke")
    if len(rest):
        text += "; därefter " + fmt.join([f"{r.yrke_regionalt} ({fmt.count(r.enheter_brist, 'enhet', 'enheter')})"
                                           for r in rest.itertuples()])
    return text + "."


def key_figures(g: Glance) -> list[KeyFigure]:
    """The year's key figures, each only where the data have it: the political assignments, the
    internbudget, the occupations most in shortage, the latest Fokus course round and each
    förvaltning's result against its budget."""
    out = []
    if not g.uppdrag.empty:
        out.append(KeyFigure(
            f"Politiska uppdrag {g.ar}", fmt.count(len(g.uppdrag.rows), "uppdrag", "uppdrag"),
            "i Region Skånes budget med koppling till Personalnämndens ansvarsområde (delmål och uppdrag), inom "
            f"{fmt.count(len(g.uppdrag.per_malomrade), 'målområde', 'målområden')}."))
    if g.totals is not None:
        out.append(KeyFigure(
            f"Personalnämndens internbudget {g.ar}", fmt.tkr(g.totals.summa_tkr),
            f"fördelat på {fmt.count(g.malomraden, 'målområde', 'målområden')} och "
            f"{fmt.count(g.insatser, 'insats', 'insatser')}; "
            + ("summan stämmer med regionbidraget." if g.totals.agrees else "summan stämmer inte med de angivna beloppen.")))
    if len(g.top_shortage):
        most = g.top_shortage.enheter_brist.iloc[0]
        several = (g.top_shortage.enheter_brist == most).sum() > 1
        out.append(KeyFigure("Yrkena i brist på flest enheter" if several else "Yrket i brist på flest enheter",
                             fmt.count(most, "enhet", "enheter"), _shortage_context(g.top_shortage)))
    if len(g.latest_round):
        counts = {r.steg: r.antal for r in g.latest_round.itertuples()}
        r0 = g.latest_round.iloc[0]
        termin = r0.termin[:1].lower() + r0.termin[1:]
        out.append(KeyFigure(
            "Fokus Kompetensförsörjning",
            f"{fmt.number(counts.get('klarat_prov'))} av {fmt.number(counts.get('sokande'))}",
            f"sökande till {r0.kurs} {termin} {PASSED_VERB}; {fmt.number(counts.get('antagna'))} antogs och "
            f"{fmt.number(counts.get('fullfoljda'))} fullföljde."))
    for r in g.results.itertuples():
        out.append(KeyFigure(f"Resultat {g.ar} för {resultatrakning.whose(r.owners)}",
                             fmt.mkr(r.utfall_mkr, sign=True),
                             f"mot ett budgeterat resultat på {fmt.mkr(r.budget_mkr)}."))
    return out


def item(k: KeyFigure) -> str:
    """A key figure as one Markdown list item's text, the number in bold (values escaped)."""
    return f"{md(k.label)}: **{md(k.value)}** {md(k.context)}"


def items(g: Glance) -> list[str]:
    """The key figures as Markdown list items (:func:`item`)."""
    return [item(k) for k in key_figures(g)]


@dataclass
class KeyFigures(Block):
    """The key figures: on the website a list of cards, each with its label, its number in large
    type (text, not an image) and its context (``templates/start.css``); in Markdown a list."""

    figures: list[KeyFigure]

    def markdown(self) -> str:
        return "\n".join(f"- {item(k)}" for k in self.figures)

    def html(self) -> str:
        cards = "".join(f'<li class="kr-keyfigure"><p class="kr-kf-label">{esc(k.label)}</p>'
                        f'<p class="kr-kf-value">{esc(k.value)}</p><p class="kr-kf-context">{esc(k.context)}</p></li>'
                        for k in self.figures)
        return f'<ul class="kr-keyfigures">{cards}</ul>'


@dataclass(frozen=True)
class HtmlFigure:
    """A figure drawn with HTML and CSS: ``title`` (plain text) above it; ``body`` (HTML, values
    escaped) is an image to assistive technology (``role="img"``) named by ``alt``, which says in
    words what it shows; ``caption`` (plain text) goes under it with its ``source``."""

    title: str
    body: str
    alt: str
    caption: str
    source: Source


def bars(labels: list[str], values: list[float], texts: list[str], alt: str) -> str:
    """Horizontal bars in HTML: per row the label and the value's text (``texts``) above a bar
    whose length is the value's share of the largest; named by ``alt`` (everything escaped)."""
    top = max(values) if values and max(values) > 0 else 1
    rows = "".join(f'<div class="kr-bar-row"><span class="kr-bar-label">{esc(label)}</span>'
                   f'<span class="kr-bar-value">{esc(text)}</span>'
                   f'<span class="kr-bar" style="width: {max(0.0, 100 * value / top):.1f}%"></span></div>'
                   for label, value, text in zip(labels, values, texts))
    return f'<div class="kr-bars" role="img" aria-label="{esc(alt)}">{rows}</div>'


def budget_figure(g: Glance) -> HtmlFigure | None:
    """Personalnämndens internbudget per målområde, largest first, each with its sum and its share
    of the whole; None without an internbudget."""
    per = g.per_malomrade
    if per.empty:
        return None
    per = per.sort_values("summa_tkr", ascending=False, kind="stable")
    texts = [f"{fmt.tkr(r.summa_tkr)} ({fmt.procent(r.andel_procent)})" for r in per.itertuples()]
    described = fmt.join([f"{r.malomrade} {text}" for r, text in zip(per.itertuples(), texts)])
    n = fmt.count(len(per), "målområde", "målområden")
    alt = (f"Liggande stapeldiagram över Personalnämndens internbudget {g.ar}, {fmt.tkr(per.summa_tkr.sum())}, "
           f"fördelad på {n}, störst först: {described}.")
    return HtmlFigure(title=f"Internbudgeten {g.ar} per målområde",
                      body=bars([str(m) for m in per.malomrade], [float(v) for v in per.summa_tkr], texts, alt),
                      alt=alt,
                      caption=f"Personalnämndens internbudget {g.ar} per målområde: summan av insatserna och, inom "
                              "parentes, dess andel av hela internbudgeten.",
                      source=source(g, list(g.per_malomrade_kalla)))


def reported(keys) -> str:
    """What a förvaltning reports, from its sections' labels: ``'resultaträkning och HR-nyckeltal'``."""
    return fmt.join([sections.label(k) for k in keys]) if len(keys) else ""


def glance(g: Glance) -> list[Block]:
    """The overview's "Året i korthet": the key figures, and a table of what each förvaltning
    reports (the sections' labels from :mod:`kompetensrapport.sections`)."""
    cells = pd.DataFrame({"Förvaltning": list(g.reports.namn),
                          "Redovisar": [reported(keys) for keys in g.reports.avsnitt]})
    figures = key_figures(g)
    return [Heading("Året i korthet")] + ([KeyFigures(figures)] if figures else []) + [
        Table(cells, caption=f"Förvaltningar och vad de redovisar {g.ar}",
              source=f"rapportens uppgifter om förvaltningarna {g.ar} (vilka avsnitt var och en redovisar)", name=f"{PREFIX}forvaltningar")]
