"""The page "Ordlista" (``ordlista.qmd``): the words of the report, explained.

The terms are data, in the package's ``ordlista.yml`` (read by :func:`terms`). The page gives each
term a heading with a stable anchor (``ordlista.html#<id>``) and the words that link to it, as the
heading's attribute ``former`` (``|`` between them); the Lua filter ``templates/ordlista.lua``
reads them back from this page and links the first of them in each page's running text, so the
list lives once. The ratings' definitions (Balans, Obalans, Brist) come from the year's
``bedomningsdefinitioner.csv``, with their sources.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

from kompetensrapport.present import sources
from kompetensrapport.present.blocks import md

#: The page's file in the site.
FILE = "ordlista.qmd"
#: Its title and navbar text.
TITLE = "Ordlista"
#: The glossary's data file, in the package.
DATA_FILE = "ordlista.yml"
#: The heading attribute that carries the words linking to a term (``data-former`` in the HTML).
FORMS_ATTRIBUTE = "former"
#: Between two words in that attribute (a word never holds it).
FORMS_SEPARATOR = "|"
#: Swedish alphabetical order: å, ä, ö after z.
_SV_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


@dataclass(frozen=True)
class Term:
    """One glossary entry (see the comment at the top of ``ordlista.yml``)."""

    id: str
    term: str
    former: tuple[str, ...]
    definition: str | None = None
    kalla: str | None = None
    bedomning: str | None = None


@functools.cache
def terms() -> tuple[Term, ...]:
    """The glossary's terms from ``ordlista.yml``, in Swedish alphabetical order."""
    text = (resources.files("kompetensrapport") / DATA_FILE).read_text(encoding="utf-8")
    entries = [Term(**{**e, "former": tuple(e["former"])}) for e in yaml.safe_load(text)]
    for e in entries:
        if (e.definition is None) == (e.bedomning is None) or not e.former:
            raise ValueError(f"{DATA_FILE}: {e.id}: needs words (former) and a definition or a bedomning")
        if any(FORMS_SEPARATOR in f for f in e.former):
            raise ValueError(f"{DATA_FILE}: {e.id}: a word holds {FORMS_SEPARATOR!r}")
    if len({e.id for e in entries}) != len(entries):
        raise ValueError(f"{DATA_FILE}: an id is used twice")
    return tuple(sorted(entries, key=lambda e: e.term.lower().translate(_SV_ORDER)))


def _rating(data: dict, rating: str) -> list[str]:
    """The definitions the year's data give ``rating``, each with the documents that give it."""
    defs = data["bedomningsdefinitioner.csv"]
    defs = defs[defs.bedomning == rating]
    if defs.empty:
        return ["Årets underlag ger ingen definition.", ""]
    lines = []
    for definition, rows in defs.groupby("definition", sort=False):
        src = sources.source_text(data, rows)
        lines += [md(definition), "", f"Källa: {sources.markdown_linked(src, 'kallor.qmd')}.", ""]
    return lines


def page(data: dict, year: int) -> str:
    """The glossary page: every term of :func:`terms` under its heading, with its definition."""
    lines = ["---", f"title: \"{TITLE}\"", "lang: sv", "---", "",
             "Ord och förkortningar som rapporten använder. På rapportens sidor länkar ordet hit där det "
             "först förekommer på sidan. Bedömningarna Balans, Obalans och Brist definieras av "
             f"förvaltningarna själva; definitionerna här är de som gäller för {year}.", ""]
    for t in terms():
        forms = FORMS_SEPARATOR.join(t.former).replace('"', "")
        lines += [f'## {md(t.term)} {{#{t.id} {FORMS_ATTRIBUTE}="{forms}"}}', ""]
        if t.bedomning is not None:
            lines += _rating(data, t.bedomning)
            continue
        lines += [md(t.definition), ""]
        if t.kalla:
            lines += [f"Källa: {sources.markdown_linked(sources.source_text(data, [t.kalla]), 'kallor.qmd')}.", ""]
    return "\n".join(lines)
