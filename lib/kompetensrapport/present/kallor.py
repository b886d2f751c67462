"""The page "Källor" (``kallor.qmd``): the documents the figures come from, and the open data."""

from __future__ import annotations

from kompetensrapport.inputs.codes import TITLES
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import md
from kompetensrapport.present.sources import anchors


def _date(value) -> str:
    """A document's date as readers see it: an ISO date the Swedish way ("15 februari 2023"), any
    other text as written, none as "anges inte i dokumentet"."""
    if not isinstance(value, str) or not value.strip():
        return "anges inte i dokumentet"
    return fmt.date(value) if fmt.is_iso_date(value) else md(value)


def page(data: dict, year: int) -> str:
    """The page: one section per document, under a heading with the anchor that the tables' source
    lines link to (:func:`~kompetensrapport.present.sources.anchors`), then the open data. The
    documents' file names are left out (they stay in the data, for machines)."""
    k = data["kallor.csv"]
    ids = anchors(k)
    lines = ["---", "title: \"Källor\"", "lang: sv", "---", "",
             f"Alla siffror i rapporten för {year} kommer från dessa offentliga dokument från Region Skåne. "
             "Varje rad i rapportens data anger dokument och avsnitt.", ""]
    for r in k.itertuples():
        lines += [f"## {md(r.titel)} {{#{ids[r.fil]}}}", "",
                  f"- **Utgivare:** {md(r.utgivare)}",
                  f"- **Datum:** {_date(r.datum)}",
                  f"- **Hämtat ur dokumentet:** {md(r.innehall)}", ""]
    lines += ["## Öppna data", "",
              f"Uppgifterna bakom rapporten för {year} finns att ladda ned som öppna data, en fil per tabell, "
              "som de fördes över från dokumenten (utan avrundning). Varje fil finns som CSV och Excel. "
              f"[Databeskrivningen]({year}/data/datapackage.json) (Frictionless Data Package) anger varje kolumns "
              "typ, betydelse och enhet samt källan och licensen.", ""]
    for file in sorted(data):
        stem = file.removesuffix(".csv")
        lines.append(f"- {md(TITLES.get(file, file))}: [CSV]({year}/data/{stem}.csv) · [Excel]({year}/data/{stem}.xlsx)")
    lines.append("")
    return "\n".join(lines)
