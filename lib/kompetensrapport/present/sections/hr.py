"""A förvaltning's HR key figures (section ``hr``): a summary, the table with footnotes and the
dot plot. A comparison the source does not give shows as missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetensrapport.domain.hr import KeyFigures
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, Text
from kompetensrapport.present.figures import PRIMARY, Figure, new, wrap
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table

#: What the Enhet column shows.
ENHET_TEXT = {"procent": "procent", "antal": "antal", "index": "index"}
#: Markers of the dot plot: this year, the previous year, the whole region. Each differs from the
#: others in shape as well as colour; every colour has at least 3:1 contrast against white.
CURRENT_COLOUR = PRIMARY
PREVIOUS_COLOUR = "#8c4a00"
REGION_COLOUR = "#555555"
CURRENT_MARKER, PREVIOUS_MARKER, REGION_MARKER = "o", "s", "^"
#: Superscript digits for footnote marks.
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def mark(n: int) -> str:
    """Footnote mark ``n`` as superscript digits: ``mark(12)`` gives ``'¹²'``."""
    return str(n).translate(SUPERSCRIPT)


# -- formatting -----------------------------------------------------------------------------


def decimals(enhet: str, value) -> int:
    """Per cent with one decimal (91,8 %), two when the source prints two (1,61 %); counts and
    index as integers unless they have decimals."""
    if enhet == "procent":
        return 2 if not pd.isna(value) and round(float(value), 1) != round(float(value), 6) else 1
    return 0 if pd.isna(value) or float(value).is_integer() else 1


def value_text(value, enhet: str) -> str:
    """A key-figure value: ``'91,8 %'``, ``'905'``, ``'77'``; missing as fmt.MISSING."""
    if enhet == "procent":
        return fmt.procent(value, decimals(enhet, value))
    return fmt.number(value, decimals(enhet, value))


def difference_text(diff, enhet: str, change_pct=np.nan) -> str:
    """A difference in the key figure's own unit: ``'−3,7 procentenheter'``, ``'−2 indexenheter'``,
    ``'+70 (+8,4 %)'`` (antal with the change in per cent); missing as fmt.MISSING."""
    if pd.isna(diff):
        return fmt.MISSING
    if enhet == "procent":
        return fmt.procentenheter(diff)
    text = fmt.number(diff, decimals(enhet, diff), sign=True)
    if enhet == "index":
        return f"{text}{fmt.NBSP}indexenheter"
    if not pd.isna(change_pct):
        text += f" ({fmt.procent(change_pct, 1, sign=True)})"
    return text


# -- what a reader sees ---------------------------------------------------------------------


def footnoted(kf: pd.DataFrame, ar: int) -> tuple[dict[str, list[str]], list[str]]:
    """The value cells of the HR table (``varde``, ``varde_foregaende_ar``, ``varde_regionen``:
    one text per key figure) with a footnote mark after each value whose row has a note, and the
    footnotes in the order of their marks: ``'84¹'`` and ``'¹ Ledarskap (index), 2022: …'``."""
    where = {"anmarkning": f"{ar}", "anmarkning_foregaende_ar": f"{ar - 1}", "anmarkning_regionen": f"hela regionen {ar}"}
    columns = (("varde", "anmarkning"), ("varde_foregaende_ar", "anmarkning_foregaende_ar"),
               ("varde_regionen", "anmarkning_regionen"))
    cells, notes = {value_col: [] for value_col, _ in columns}, []
    for r in kf.itertuples():  # row by row, so that the marks run in reading order
        for value_col, note_col in columns:
            text, note = value_text(getattr(r, value_col), r.enhet), getattr(r, note_col)
            if isinstance(note, str) and note:
                m = mark(len(notes) + 1)
                notes.append(f"{m} {r.nyckeltal}, {where[note_col]}: {note}")
                text += m
            cells[value_col].append(text)
    return cells, notes


def _table(result: KeyFigures) -> Table:
    kf, ar = result.figures, result.ar
    values, footnotes = footnoted(kf, ar)
    cells = pd.DataFrame({
        "Nyckeltal": list(kf.nyckeltal),
        f"Värde {ar}": values["varde"],
        "Enhet": [ENHET_TEXT.get(e, e) for e in kf.enhet],
        f"{ar - 1}": values["varde_foregaende_ar"],
        "Förändring": [difference_text(d, e, p) for d, e, p in zip(kf.forandring, kf.enhet, kf.forandring_procent)],
        "Hela regionen": values["varde_regionen"],
        "Skillnad mot regionen": [difference_text(d, e) for d, e in zip(kf.skillnad_region, kf.enhet)],
    })
    return Table(cells, caption=f"HR-nyckeltal {ar} jämfört med {ar - 1} och med hela regionen",
                 source=source(result, result.source_rows), name=f"{result.forvaltning}-hr-nyckeltal", data=kf,
                 numeric=list(cells.columns[1:2]) + list(cells.columns[3:]),
                 notes=[f"Förändringen mot {ar - 1} och skillnaden mot hela regionen är beräknade: i procentenheter för "
                        "andelar i procent, i indexenheter för index och i antal för antal (med förändringen i procent "
                        f"inom parentes). {fmt.MISSING} betyder att underlaget inte anger något jämförelsevärde."]
                 + footnotes)


def _figure(result: KeyFigures) -> Figure | None:
    """Dot plot of the key figures in procent and index (scale 0–100): this year, the previous year
    and the whole region where given, each with its own marker shape and colour, values written out."""
    fk, ar = result.scale_100, result.ar
    if fk.empty:
        return None
    labels = [wrap(_figure_label(n, e), 34) for n, e in zip(fk.nyckeltal, fk.enhet)]
    fig, ax = new(height=0.3 * len(fk) + 0.2 * sum(t.count("\n") + 1 for t in labels) + 1.6)
    y = np.arange(len(fk))
    # this year on the row's line, the previous year just above it and the region just below,
    # so that equal values do not hide each other
    series = [(fk.varde, 0.0, CURRENT_MARKER, CURRENT_COLOUR, CURRENT_COLOUR, f"Förvaltningen {ar}"),
              (fk.varde_foregaende_ar, -0.22, PREVIOUS_MARKER, PREVIOUS_COLOUR, "white", f"Förvaltningen {ar - 1}"),
              (fk.varde_regionen, 0.22, REGION_MARKER, REGION_COLOUR, REGION_COLOUR, f"Hela regionen {ar}")]
    for values, offset, marker, colour, face, label in series:
        if values.notna().any():
            ax.scatter(values, y + offset, marker=marker, s=55, color=face, edgecolors=colour, linewidths=1.8,
                       label=label, zorder=3)
    for i, r in enumerate(fk.itertuples()):
        extra = [f"{ar - 1}: {value_text(r.varde_foregaende_ar, r.enhet)}"] if not pd.isna(r.varde_foregaende_ar) else []
        extra += [f"regionen: {value_text(r.varde_regionen, r.enhet)}"] if not pd.isna(r.varde_regionen) else []
        text = value_text(r.varde, r.enhet) + (f" ({'; '.join(extra)})" if extra else "")
        ax.text(105, i, text, va="center", ha="left", color="#1a1a1a", clip_on=False)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 102)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Värde (procent respektive index, skala 0–100)")
    ax.xaxis.set_major_formatter(lambda x, _: fmt.number(x))
    ax.grid(axis="y", visible=False)
    axes_height_in = fig.get_figheight() * ax.get_position().height
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.75 / axes_height_in), ncol=3, frameon=False)
    top, low = fk.iloc[0], fk.iloc[-1]
    with_prev = fk[fk.varde_foregaende_ar.notna()]
    up, down = int((with_prev.forandring > 0).sum()), int((with_prev.forandring < 0).sum())
    alt = (f"Punktdiagram över {len(fk)} HR-nyckeltal i procent och index {ar}, sorterade efter värde, med {ar - 1} "
           f"och hela regionen där underlaget anger dem. Högst är {top.nyckeltal} med {value_text(top.varde, top.enhet)}, "
           f"lägst {low.nyckeltal} med {value_text(low.varde, low.enhet)}."
           + (f" {change_sentence(len(with_prev), up, down, ar - 1)}" if len(with_prev) else ""))
    return Figure(fig, caption=f"HR-nyckeltal i procent och index {ar} jämfört med {ar - 1} och hela regionen "
                               "(antal visas i tabellen)", alt=alt, name=f"{result.forvaltning}-hr-nyckeltal")


def change_sentence(n: int, up: int, down: int, previous: int) -> str:
    """How many of the ``n`` key figures with a value for ``previous`` rose and fell:
    ``'Av de 8 nyckeltal som har ett värde för 2022 har 2 ökat och 6 minskat.'``, or for one
    ``'Det enda nyckeltal som har ett värde för 2022 har ökat.'``."""
    if n == 1:
        how = "ökat" if up else "minskat" if down else "inte ändrats"
        return f"Det enda nyckeltal som har ett värde för {previous} har {how}."
    return f"Av de {fmt.number(n)} nyckeltal som har ett värde för {previous} har {up} ökat och {down} minskat."


def _figure_label(nyckeltal: str, enhet: str) -> str:
    """The row label with its unit, unless the name already carries it (``Ledarskap (index)``)."""
    unit = "%" if enhet == "procent" else enhet
    return nyckeltal if f"({unit})" in nyckeltal else f"{nyckeltal} ({unit})"


def present(result: KeyFigures) -> list[Block]:
    """The HR key figures: a summary, the table and the dot plot; empty without HR rows."""
    kf, ar = result.figures, result.ar
    if kf.empty:
        return []
    blocks = [Heading(f"HR-nyckeltal {ar}"),
              Text(f"Underlaget redovisar {len(kf)} HR-nyckeltal för {ar}. För {result.with_previous} av dem anges även "
                   f"värdet för {ar - 1} och för {result.with_region} värdet för hela regionen; övriga jämförelser saknas "
                   "i underlaget och visas som saknade."
                   + (" Där texten jämför i ord i stället för med ett värde, eller där ett värde har kopplats till sitt "
                      "nyckeltal genom uteslutning, står det i en fotnot under tabellen." if result.with_notes else "")),
              _table(result)]
    figure = _figure(result)
    return blocks + ([figure] if figure is not None else [])
