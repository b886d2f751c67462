"""The start page (``index.qmd``): the year at a glance and the way on to every page."""

from __future__ import annotations

from kompetensrapport.present.blocks import md


def page(data: dict, pages: list, year: int) -> str:
    """The start page: the year's key figures in brief and links onward."""
    from kompetensrapport.domain import oversikt
    from kompetensrapport.present.sections import oversikt as glance

    lines = ["---", f"title: \"Kompetensförsörjning i Region Skåne {year}\"", "lang: sv", "---", "",
             f"Rapporten samlar {year} års siffror om kompetensförsörjningen i Region Skåne från "
             f"{len(data['kallor.csv'])} offentliga dokument. Varje tabell anger sin källa och kan laddas ned.", "",
             "## Året i korthet", ""]
    lines += [f"- {item}" for item in glance.items(oversikt.glance(data, year))]
    lines += ["", "## Läs vidare", ""]
    these = [p for p in pages if p.year == year]
    for p in these:
        if p.slug == "oversikt":
            lines.append(f"- [Regional översikt]({p.href}): kompetensläget, budgeten och Fokus Kompetensförsörjning i hela regionen")
    for p in sorted((p for p in these if p.slug != "oversikt"), key=lambda p: p.title):
        lines.append(f"- [{md(p.title)}]({p.href})")
    lines += ["- [Källor](kallor.qmd): dokumenten som siffrorna kommer från",
              "- [Om rapporten](om-rapporten.qmd): metod, definitioner och kända luckor", ""]
    older = sorted({p.year for p in pages if p.year != year}, reverse=True)
    if older:
        lines += ["## Tidigare år", ""]
        lines += [f"- [Regional översikt {y}]({y}/oversikt.ipynb)" for y in older]
        lines.append("")
    return "\n".join(lines)
