"""The accessibility statement (Tillgänglighetsredogörelse) that lag (2018:1937) om
tillgänglighet till digital offentlig service requires, as a Quarto page.

It follows the contents Digg (Myndigheten för digital förvaltning) asks of a statement: the
public authority and the service, the conformance (helt, delvis or inte förenlig), the content
that is not accessible and why, the dates of the assessment and of the last update, the
evaluation method, a feedback route, the link to Digg's complaint form, and the content that is
exempted or outside the law. It is filled from the publisher's configuration
(``publicering.yml``), the known shortcomings (``tillganglighet/kanda-brister.yml``) and the
record of the last ``check-site`` run (``tillganglighet/granskning.json``). Every value from
those files is escaped: it reaches readers as text.
"""

from __future__ import annotations

import re

from kompetensrapport.present import fmt
from kompetensrapport.present.escape import markdown as md

FILE = "tillganglighet.qmd"
TITLE = "Tillgänglighetsredogörelse"
#: The page's heading: the title with a soft hyphen (U+00AD) where the word may break, so that on a
#: narrow screen it breaks as "Tillgänglighets-" / "redogörelse" and not at the screen's edge.
HEADING = "Tillgänglighets\u00adredogörelse"
#: Digg's form for reporting a lack of accessibility.
DIGG_COMPLAINT_FORM = "https://www.digg.se/tdosanmalan"
LAW = "lagen (2018:1937) om tillgänglighet till digital offentlig service"
#: What no automatic check covers, as the statement says it.
NOT_CHECKED_BY_MACHINE = (
    "Automatiska verktyg hittar bara en del av bristerna. Ingen människa har ännu granskat att "
    "sidorna går att använda med enbart tangentbord och med skärmläsare, att texterna är lätta att "
    "förstå, att diagrammens textbeskrivningar återger det väsentliga eller i vilken ordning "
    "PDF-filernas innehåll läses upp.")
_EMAIL = re.compile(r"^[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https://[^\s<>()\[\]\"']+$")


def conformance(shortcomings: list, record: dict | None) -> str:
    """"helt förenlig" only when there is no known shortcoming and the last automatic check found
    no violation; else "delvis förenlig"."""
    if not shortcomings and record is not None and record.get("overtradelser") == 0:
        return "helt förenlig"
    return "delvis förenlig"


def link(value: str, placeholder: bool) -> str:
    """A contact route as Markdown: an e-mail address or an https address becomes a link, a
    placeholder is "inte angiven", anything else is text."""
    if placeholder:
        return "inte angiven"
    value = value.strip()
    if _EMAIL.match(value):
        return f"[{md(value)}](mailto:{value})"
    if _URL.match(value):
        return f"[{md(value)}]({value})"
    return md(value)


def check_lines(record: dict | None) -> list[str]:
    """The statement's lines on how the site was checked, from the check's ``record`` (None: not
    checked yet): the automatic check with its findings counted, and the PDF files' tagging."""
    if record is None:
        return ["- **Automatisk granskning:** webbplatsen har ännu inte granskats automatiskt."]
    widths = " och ".join(f"{w}" for w in record.get("bredder_px", []))
    found = int(record.get("overtradelser", 0))
    result = ("inga brister hittades" if found == 0 else
              f"{fmt.count(found, 'brist', 'brister')} på "
              f"{fmt.count(int(record.get('sidor_med_overtradelser', 0)), 'sida', 'sidor')}")
    lines = [f"- **Automatisk granskning** den {fmt.date(record['datum'])} med {md(record.get('verktyg', ''))} "
             f"mot kraven i WCAG 2.1 på nivå A och AA: "
             f"{fmt.count(int(record.get('sidor', 0)), 'sida', 'sidor')}, var och en i ett "
             f"{widths} pixlar brett fönster, och webbplatsens sökfunktion med sökresultat. Resultat: {result}."]
    per_rule = record.get("overtradelser_per_regel") or {}
    if per_rule:
        lines += [f"    - {md(rule)}: {fmt.count(int(n), 'brist', 'brister')}" for rule, n in sorted(per_rule.items())]
    pdf = record.get("pdf")
    if pdf is None:
        lines.append("- **PDF-filerna:** taggningen kontrollerades inte vid granskningen.")
    elif pdf.get("antal"):
        tagged = int(pdf.get('taggade', 0))
        lines.append(f"- **PDF-filerna:** {fmt.number(tagged)} av "
                     f"{fmt.count(int(pdf['antal']), 'PDF-fil', 'PDF-filer')} är "
                     f"{'taggad' if tagged == 1 else 'taggade'} (PDF/UA-1).")
    return lines


def page(config, shortcomings: list, record: dict | None, site_title: str, updated: str,
         placeholder) -> str:
    """The statement as a Quarto page (``tillganglighet.qmd``). ``config`` is the publisher's
    configuration, ``placeholder(value)`` tells a placeholder value, ``updated`` is the build's
    ISO date."""
    status = conformance(shortcomings, record)
    who = md(config.utgivare) if not placeholder(config.utgivare) else "Utgivaren"
    contact = link(config.kontakt_epost, placeholder(config.kontakt_epost))
    feedback = link(config.aterkoppling, placeholder(config.aterkoppling))
    answer = "inte angiven" if placeholder(config.svarstid) else md(config.svarstid)
    lines = ["---", f'title: "{HEADING}"', f'pagetitle: "{TITLE}"', "lang: sv", "---", "",
             f"{who} står bakom webbplatsen {md(site_title)}. Vi vill att så många som möjligt ska kunna "
             f"använda den. Här beskriver vi hur webbplatsen uppfyller {LAW}, vilka kända brister den har "
             "och hur du kan meddela oss om problem.", "",
             "## Hur tillgänglig är webbplatsen?", "",
             f"Webbplatsen är **{status}** med {LAW}"
             + (", på grund av de brister som beskrivs nedan." if status != "helt förenlig" else "."), "",
             "## Vad kan du göra om du inte kan använda delar av webbplatsen?", "",
             f"Om du behöver innehåll från webbplatsen i ett annat format kan du kontakta oss: {contact}. "
             "Varje tabell finns också att ladda ned som CSV- och Excelfil.", "",
             "## Meddela oss om brister i tillgängligheten", "",
             "Om du upptäcker problem som inte beskrivs på den här sidan, eller om du anser att vi inte "
             f"uppfyller lagens krav, meddela oss: {feedback}. Svarstid: {answer}.", "",
             "## Tillsyn", "",
             "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsynen över lagen. Om du inte är "
             f"nöjd med hur vi hanterar dina synpunkter kan du [anmäla det till Digg]({DIGG_COMPLAINT_FORM}).", "",
             "## Teknisk information om webbplatsens tillgänglighet", "",
             f"Webbplatsen är {status} med WCAG 2.1 på nivå AA (EN 301 549)"
             + (", på grund av bristerna nedan." if status != "helt förenlig" else "."), "",
             "### Innehåll som inte är tillgängligt", ""]
    if shortcomings:
        for s in shortcomings:
            lines.append(f"- {md(s.brist)} (WCAG {md(s.kriterium)}.) {md(s.skal)}")
    else:
        lines.append("Inga kända brister.")
    lines += ["", "### Innehåll som undantas eller inte omfattas av lagen", "",
              "Inget innehåll på webbplatsen har undantagits på grund av oskäligt betungande anpassning, "
              "och webbplatsen har inget innehåll som faller utanför lagens krav.", "",
              "## Hur vi har testat webbplatsen", "",
              "Vi har gjort en självskattning (intern granskning) av webbplatsen.", ""]
    lines += check_lines(record)
    lines += ["- **HTML-koden** kontrolleras med W3C:s validator (Nu Html Checker) när rapportens "
              "automatiska tester körs.",
              f"- **Det som inte granskats:** {NOT_CHECKED_BY_MACHINE}", ""]
    assessed = f"Bedömningen gjordes den {fmt.date(record['datum'])}." if record else "Ingen bedömning är gjord ännu."
    lines += [f"{assessed} Redogörelsen uppdaterades senast den {fmt.date(updated)}.", ""]
    return "\n".join(lines)
