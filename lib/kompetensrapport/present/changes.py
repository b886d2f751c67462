"""The page "Ändringar och rättelser": the report's versions, and every value that changed since
the previous publication, with the analyst's reason.

The changes come from :func:`kompetensrapport.domain.changes.compare` with the reasons of
:func:`kompetensrapport.domain.changes.explain`; every value from data and every reason is escaped
for Markdown, and numbers are written the Swedish way.

>>> value("196.9"), value("2023"), value("1234567"), value("Brist"), value("")
('196,9', '2023', '1\\xa0234\\xa0567', 'Brist', '(tom)')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from kompetensrapport.domain.changes import ADDED, CHANGED, REMOVED
from kompetensrapport.present import fmt
from kompetensrapport.present.escape import markdown as md

TITLE = "Ändringar och rättelser"
#: The page's file in the Quarto project.
FILE = "andringar.qmd"
EMPTY = "(tom)"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
#: Whole numbers of up to this many digits are written as typed (years, small counts).
PLAIN_DIGITS = 4


@dataclass(frozen=True)
class Published:
    """A version published earlier: its number, date (YYYY-MM-DD), the changes it published
    (explained; None for the first version of the year) and the address of its downloads."""

    version: str
    datum: str
    changes: pd.DataFrame | None
    link: str


def value(text: str) -> str:
    """A data value as readers see it: numbers the Swedish way (whole numbers of up to four
    digits, such as years, as typed), text escaped for Markdown, an empty cell as ``(tom)``."""
    if text == "":
        return EMPTY
    if _NUMBER.match(text):
        decimals = len(text.split(".")[1]) if "." in text else 0
        digits = len(text.lstrip("-"))
        if decimals or digits > PLAIN_DIGITS or text.startswith("-"):
            return fmt.number(float(text), decimals)
    return md(text)


def _pairs(pairs) -> str:
    return "; ".join(f"{md(column)}: {value(v)}" for column, v in pairs)


def _reason(change) -> str:
    if not change.skal:
        return "*skäl inte angivet*"
    return f"{md(change.skal)} ({fmt.date(change.datum)})" if change.datum else md(change.skal)


def _row(change, previous: str) -> str:
    if change.typ == CHANGED:
        where, what, before, after = str(change.rad), md(change.kolumn), value(change.tidigare), value(change.nu)
    elif change.typ == ADDED:
        where, what, before, after = str(change.rad), "ny rad", fmt.MISSING, _pairs(change.varden)
    else:
        where, what = f"{change.rad} i version {previous}", "borttagen rad"
        before, after = _pairs(change.varden), fmt.MISSING
    return f"| {where} | {_pairs(change.nyckel)} | {what} | {before} | {after} | {_reason(change)} |"


def summary(changes: pd.DataFrame) -> str:
    """The kinds of change that occur, counted: ``1 ändrat värde och 2 tillagda rader``."""
    n = changes["typ"].value_counts()
    parts = [fmt.count(int(n[kind]), singular, plural) for kind, singular, plural in
             ((CHANGED, "ändrat värde", "ändrade värden"), (ADDED, "tillagd rad", "tillagda rader"),
              (REMOVED, "borttagen rad", "borttagna rader")) if n.get(kind, 0)]
    return " och ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def changes_section(changes: pd.DataFrame, previous: Published, heading: str) -> list[str]:
    """The changes since ``previous``, one table per data file (Markdown lines)."""
    since = f"version {previous.version} (publicerad {fmt.date(previous.datum)})"
    if changes.empty:
        return [f"Inga siffror är ändrade sedan {since}.", ""]
    lines = [f"Jämfört med {since}: {summary(changes)}.", ""]
    for file, these in changes.groupby("fil", sort=True):
        lines += [f"{heading} Filen {md(file)}", "",
                  "| Rad i filen | Raden gäller | Kolumn | Tidigare värde | Nytt värde | Skäl |",
                  "|---:|---|---|---|---|---|"]
        lines += [_row(change, previous.version) for change in these.itertuples(index=False)]
        lines.append("")
    return lines


def page(year: int, version: str, current: pd.DataFrame | None, published: list[Published]) -> str:
    """The page's Quarto Markdown. ``version``: the version this build would publish;
    ``current``: its explained changes since the last published version (None when ``year``
    has not been published); ``published``: the earlier versions, oldest first."""
    lines = ["---", f"title: \"{TITLE}\"", "lang: sv", "---", "",
             f"Rapporten för {year} publiceras i numrerade versioner: {year}.1 är den första, och varje ny "
             "publicering får nästa nummer. Ändras en siffra i underlaget efter en publicering står här varje "
             "ändrat värde med det tidigare och det nya värdet och skälet till ändringen. Raden anges med sitt "
             "radnummer i datafilen och med de kolumner som identifierar den.", "",
             f"## Version {version}", ""]
    if current is None or not published:
        lines += [f"Inga ändringar ännu: det här är den första versionen av rapporten för {year}, "
                  "så det finns ingen tidigare version att jämföra med.", ""]
    else:
        lines += changes_section(current, published[-1], "###")
    if published:
        lines += ["## Tidigare versioner", "",
                  "Varje tidigare versions nedladdningar och PDF:er finns kvar under versionens nummer.", ""]
    for i in range(len(published) - 1, -1, -1):
        p = published[i]
        lines += [f"### Version {p.version}", "",
                  f"Publicerad {fmt.date(p.datum)}. [Nedladdningar och PDF:er i version {p.version}]({p.link})", ""]
        if p.changes is None or i == 0:
            lines += [f"Den första publicerade versionen av rapporten för {year}.", ""]
        else:
            lines += changes_section(p.changes, published[i - 1], "####")
    return "\n".join(lines)
