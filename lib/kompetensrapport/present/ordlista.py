"""The page "Ordlista" (``ordlista.qmd``): the words of the report, explained."""

from __future__ import annotations

from kompetensrapport.present.blocks import md

#: The page's file in the site.
FILE = "ordlista.qmd"
#: Its title and navbar text.
TITLE = "Ordlista"


def page(data: dict, year: int) -> str:
    """The glossary page: the ratings' definitions from the year's data."""
    defs = data["bedomningsdefinitioner.csv"].drop_duplicates("bedomning")
    lines = ["---", f"title: \"{TITLE}\"", "lang: sv", "---", ""]
    for r in defs.itertuples():
        lines += [f"## {md(r.bedomning)}", "", md(r.definition), ""]
    return "\n".join(lines)
