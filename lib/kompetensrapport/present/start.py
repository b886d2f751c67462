"""The start page (``index.qmd``): the year at a glance and the way on to every page.

The page leads with the year's key figures as cards with large numbers (text, not images) and
one figure, Personalnämndens internbudget per målområde, drawn with HTML and CSS (both from
:mod:`kompetensrapport.present.sections.oversikt`, the cards the same as on the regional
overview). Then a card per förvaltning linking to its page and saying what it reports, and
cards for the regional overview, Källor, Ordlista and Om rapporten. Cards are Quarto Markdown
divs (``.kr-cards``) styled by ``templates/start.css``, so that they stack on a narrow screen;
values from data are escaped for Markdown, or for HTML in the raw HTML of the cards and the
figure."""

from __future__ import annotations

from kompetensrapport.present import fmt, ordlista, sources
from kompetensrapport.present.blocks import md

#: The figure's cross-reference label on the page (Quarto numbers it "Figur 1").
FIGURE_ID = "fig-internbudget"
#: The pages beside the report's own, with what each holds: (href, title, what).
ABOUT_PAGES = (("kallor.qmd", "Källor", "Dokumenten som siffrorna kommer från, och öppna data att ladda ned."),
               (ordlista.FILE, ordlista.TITLE, "Vad rapportens ord och förkortningar betyder."),
               ("om-rapporten.qmd", "Om rapporten", "Metod, definitioner och kända luckor."))
#: What the regional overview holds.
OVERVIEW_TEXT = "Året i korthet, kompetensläget och behoven i hela regionen, budgeten och Fokus Kompetensförsörjning."


def _raw_html(html: str) -> list[str]:
    """Lines of a raw HTML block for Quarto (passed to the page as it is)."""
    return ["```{=html}", html, "```", ""]


def _card(href: str, title: str, text: str) -> list[str]:
    """A card: its title (escaped Markdown) as a heading that links to ``href``, and one line."""
    return ["::: {.kr-card}", f"### [{title}]({href}) {{.unlisted}}", "", text, ":::", ""]


def page(data: dict, pages: list, year: int, forvaltningar=()) -> str:
    """The start page of ``year``: the key figures, the internbudget per målområde, a card per
    förvaltning of ``pages`` (what it reports from ``forvaltningar``, the year's parameter files;
    without them the cards only name and link the pages), and links onward."""
    from kompetensrapport.domain import oversikt
    from kompetensrapport.present.sections import oversikt as glance

    g = oversikt.glance(data, year, forvaltningar)
    documents = fmt.count(len(data["kallor.csv"]), "offentligt dokument", "offentliga dokument")
    lines = ["---", f"title: \"Kompetensförsörjning i Region Skåne {year}\"", "lang: sv", "---", "",
             f"Rapporten samlar {year} års siffror om kompetensförsörjningen i Region Skåne från {documents}. "
             "Varje tabell anger sin källa och kan laddas ned.", "",
             "## Året i korthet", ""]
    figures = glance.key_figures(g)
    if figures:
        lines += _raw_html(glance.KeyFigures(figures).html())
    figure = glance.budget_figure(g)
    if figure is not None:
        lines += [f"### {md(figure.title)}", "", f"::: {{#{FIGURE_ID} .kr-barfigure}}", ""] + _raw_html(figure.body)
        lines += [f"{md(figure.caption)} Källa: {sources.markdown_linked(figure.source, 'kallor.qmd')}.", ":::", ""]
    these = [p for p in pages if p.year == year]
    units = sorted((p for p in these if p.slug != "oversikt"), key=lambda p: p.title)
    if units:
        reports = dict(zip(g.reports.forvaltning, g.reports.avsnitt))
        lines += ["## Förvaltningarna", "", "Varje förvaltning har en egen sida, som också finns som PDF.", "",
                  "::: {.kr-cards}", ""]
        for p in units:
            keys = reports.get(p.slug, ())
            lines += _card(p.href, md(p.title), f"Redovisar {md(glance.reported(keys))}." if keys else "")
        lines += [":::", ""]
    lines += ["## Läs vidare", "", "::: {.kr-cards}", ""]
    for p in these:
        if p.slug == "oversikt":
            lines += _card(p.href, "Regional översikt", OVERVIEW_TEXT)
    for href, title, text in ABOUT_PAGES:
        lines += _card(href, title, text)
    lines += [":::", ""]
    older = sorted({p.year for p in pages if p.year != year}, reverse=True)
    if older:
        lines += ["## Tidigare år", ""]
        lines += [f"- [Regional översikt {y}]({y}/oversikt.ipynb)" for y in older]
        lines.append("")
    return "\n".join(lines)
