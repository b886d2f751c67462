"""The page "Källor" (``kallor.qmd``): the documents the figures come from, and the open data."""

from __future__ import annotations

from kompetensrapport.inputs.codes import TITLES
from kompetensrapport.present.blocks import md
from kompetensrapport.present.sources import anchors


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
                  f"- **Datum:** {md(r.datum) if isinstance(r.datum, str) else 'anges inte i dokumentet'}",
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
