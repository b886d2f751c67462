"""How the kompetensanalys' ratings look wherever they are shown (a förvaltning's page and the
overview): the cell colours, and the change of the ratings since the year before."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain import kompetens
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Heading, Text
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table

#: Cell colours for the ratings: background and text colour. The lightness differs clearly (light
#: Balans, mid Obalans, dark Brist with white text), so the matrix also reads in grey scale, and
#: the text has contrast of at least 4.5:1 on its background (tested with the WCAG formula).
#: The cell text always names the rating, so colour never carries the meaning alone.
PALETTE = {
    "Balans": {"background": "#dcefd8", "text": "#1a1a1a"},   # light green, 14.4:1
    "Obalans": {"background": "#d98c1f", "text": "#1a1a1a"},  # amber, 6.4:1
    "Brist": {"background": "#8e1b1b", "text": "#ffffff"},    # dark red, 9.0:1
}
#: "uppgift saknas" is not coloured, only set in italics.
MISSING_STYLE = "font-style:italic"
#: What a unit that the data does not give reads as in a list of pairs.
NO_UNIT_TEXT = "anges inte"


def css(rating: str) -> str:
    """The CSS of a cell holding ``rating`` ("" for an empty cell)."""
    if rating in PALETTE:
        p = PALETTE[rating]
        return f"background-color:{p['background']};color:{p['text']}"
    return MISSING_STYLE if rating == kompetens.MISSING else ""


def text(value) -> str:
    """A data value as text; a missing one as the empty string."""
    return "" if pd.isna(value) or str(value) == "" else str(value)


def first_year_sentence(ar: int) -> str:
    """What the comparison says when there is no earlier year."""
    return f"Jämförelse med föregående år saknas: {ar} är det första året i rapporten."


def comparison(comp: kompetens.Comparison | None, ar: int, name: str, names: dict | None = None) -> list:
    """The change since the year before: one sentence when there is no earlier year, else the
    transition table and the list of changed ratings. ``name`` starts the tables' names; a
    comparison of every förvaltning names each row's förvaltning (``names``: slug → name)."""
    blocks = [Heading("Förändring sedan föregående år", 3)]
    if comp is None:
        return blocks + [Text(first_year_sentence(ar))]
    prev_ar = comp.previous_ar
    n = {k: comp.changed(k) for k in kompetens.DIRECTIONS}
    if comp.both.empty:
        return blocks + [Text(f"Inget yrke–enhet-par finns med både {prev_ar} och {ar}, så bedömningarna kan inte "
                              f"jämföras ({fmt.number(comp.only_now)} par finns bara {ar}, "
                              f"{fmt.number(comp.only_before)} bara {prev_ar}).")]
    blocks.append(Text(
        f"{fmt.number(len(comp.both))} yrke–enhet-par finns med både {prev_ar} och {ar}. Av dem bedöms "
        f"{fmt.number(n['sämre'])} sämre och {fmt.number(n['bättre'])} bättre än året innan; "
        f"{fmt.number(comp.unchanged)} har samma bedömning, {fmt.number(n['bedömning saknas'])} saknar "
        f"bedömning i år och {fmt.number(n['ny bedömning'])} har fått en bedömning. "
        f"{fmt.number(comp.only_now)} par finns bara {ar} och {fmt.number(comp.only_before)} bara {prev_ar}; "
        "de ingår inte i jämförelsen."))
    t = comp.transitions
    frame = pd.DataFrame({f"Bedömning {prev_ar}": list(t.index)})
    for c in t.columns:
        frame[f"{c} {ar} (antal)"] = [fmt.number(v) for v in t[c]]
    frame["Totalt (antal)"] = [fmt.number(v) for v in t.sum(axis=1)]
    frame.loc[len(frame)] = ["Totalt"] + [fmt.number(v) for v in t.sum(axis=0)] + [fmt.number(int(t.values.sum()))]
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles.iloc[:, 0] = [css(r) for r in t.index] + [""]
    src = (f"{ar}: {source(comp, list(comp.both.kalla))}. "
           f"{prev_ar}: {source(comp, list(comp.both.kalla_foregaende))}")
    data_t = t.reset_index().rename(columns={"foregaende_ar": f"bedomning_{prev_ar}"})
    blocks.append(Table(frame, caption=f"Bedömning {prev_ar} (rader) mot bedömning {ar} (kolumner): antal yrke–enhet-par",
                        source=src, name=f"{name}-kompetens-overgangar", data=data_t,
                        numeric=list(frame.columns[1:]), styles=styles, strong_rows=[len(frame) - 1],
                        computed_rows=[len(frame) - 1], notes=["Diagonalen (samma bedömning båda åren) är oförändrade par."]))
    ch = comp.changes
    if ch.empty:
        return blocks + [Text(f"Ingen bedömning har ändrats mellan {prev_ar} och {ar}.")]
    frame = pd.DataFrame({
        "Yrke": list(ch.yrke_label),
        "Verksamhetsområde": [text(v) or NO_UNIT_TEXT for v in ch.verksamhetsomrade],
        f"Bedömning {prev_ar}": list(ch.bedomning_foregaende),
        f"Bedömning {ar}": list(ch.bedomning),
        "Förändring": list(ch.riktning),
    })
    if comp.forvaltning is None:
        frame.insert(0, "Förvaltning", [(names or {}).get(f, f) for f in ch.forvaltning])
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles[f"Bedömning {prev_ar}"] = [css(b) for b in ch.bedomning_foregaende]
    styles[f"Bedömning {ar}"] = [css(b) for b in ch.bedomning]
    blocks.append(Table(frame, caption=f"Yrke–enhet-par vars bedömning ändrats mellan {prev_ar} och {ar}",
                        source=src, name=f"{name}-kompetens-forandringar", data=ch, styles=styles,
                        row_headers=comp.forvaltning is not None))
    return blocks
