"""HR key figures of a förvaltning (with the previous year and the whole region where the source
gives them) and the education places a förvaltning reports.

Computations return plain DataFrames (numbers, not text) and are tested on the real data;
``*_section`` functions turn them into what a reader sees (:mod:`.blocks`). A comparison the
source does not give stays missing: nothing is filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetensrapport.present import fmt
from kompetensrapport.inputs import load
from kompetensrapport.present.blocks import Heading, Text
from kompetensrapport.present.figures import PRIMARY, Figure, new
from kompetensrapport.present.sources import source_text
from kompetensrapport.present.tables import Table

OWN, REGION = "förvaltningen", "hela regionen"
#: What the Enhet column shows.
ENHET_TEXT = {"procent": "procent", "antal": "antal", "index": "index"}
#: Markers of the dot plot: this year, the previous year, the whole region. Each differs from the
#: others in shape as well as colour; every colour has at least 3:1 contrast against white.
CURRENT_COLOUR = PRIMARY
PREVIOUS_COLOUR = "#8c4a00"
REGION_COLOUR = "#555555"
CURRENT_MARKER, PREVIOUS_MARKER, REGION_MARKER = "o", "s", "^"
#: (year offset, scope) of a value -> the column of key_figures holding its row's note.
NOTE_COLUMNS = {(0, OWN): "anmarkning", (-1, OWN): "anmarkning_foregaende_ar", (0, REGION): "anmarkning_regionen"}
#: Superscript digits for footnote marks.
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def mark(n: int) -> str:
    """Footnote mark ``n`` as superscript digits: ``mark(12)`` gives ``'¹²'``."""
    return str(n).translate(SUPERSCRIPT)

# -- computations ---------------------------------------------------------------------------


def _value(frame: pd.DataFrame, nyckeltal: str, ar: int, omfattning: str) -> float:
    """The value of one key figure, year and scope; NaN when the source does not give it."""
    hit = frame[(frame.nyckeltal == nyckeltal) & (frame.ar == ar) & (frame.omfattning == omfattning)]
    return float(hit.varde.iloc[0]) if len(hit) else np.nan


def _note(frame: pd.DataFrame, nyckeltal: str, ar: int, omfattning: str) -> str | None:
    """The row's ``anmarkning`` (e.g. where the document gives another reading); None without one."""
    if "anmarkning" not in frame.columns:
        return None
    hit = frame[(frame.nyckeltal == nyckeltal) & (frame.ar == ar) & (frame.omfattning == omfattning)]
    note = hit.anmarkning.iloc[0] if len(hit) else None
    return note if isinstance(note, str) and note else None


def key_figures(data, forvaltning: str, ar: int) -> pd.DataFrame:
    """One row per key figure of ``ar`` (in the order of the source): the value, the previous
    year's value and the whole region's value where given, and the differences.

    ``forandring`` and ``skillnad_region`` are in the key figure's own unit: persons for antal,
    index points for index and percentage points (procentenheter) for procent.
    ``forandring_procent`` is the change in per cent, for antal only. Missing stays NaN.
    ``anmarkning``, ``anmarkning_foregaende_ar`` and ``anmarkning_regionen`` hold the note of the
    value's row (None without one)."""
    hr = data.get("hr_nyckeltal.csv")
    columns = ["nyckeltal", "enhet", "varde", "varde_foregaende_ar", "varde_regionen",
               "forandring", "forandring_procent", "skillnad_region", *NOTE_COLUMNS.values(), "kalla"]
    if hr is None or hr.empty:
        return pd.DataFrame(columns=columns)
    hr = hr[hr.forvaltning == forvaltning]
    rows = []
    for name in dict.fromkeys(hr.loc[hr.ar == ar, "nyckeltal"]):
        enhet = hr.loc[hr.nyckeltal == name, "enhet"].iloc[0]
        v, prev, reg = _value(hr, name, ar, OWN), _value(hr, name, ar - 1, OWN), _value(hr, name, ar, REGION)
        change_pct = 100 * (v - prev) / prev if enhet == "antal" and prev and not np.isnan(prev) else np.nan
        rows.append({"nyckeltal": name, "enhet": enhet, "varde": v, "varde_foregaende_ar": prev,
                     "varde_regionen": reg, "forandring": round(v - prev, 10),
                     "forandring_procent": change_pct, "skillnad_region": round(v - reg, 10),
                     **{col: _note(hr, name, ar + dy, scope) for (dy, scope), col in NOTE_COLUMNS.items()},
                     "kalla": "; ".join(dict.fromkeys(hr.loc[hr.nyckeltal == name, "kalla"]))})
    return pd.DataFrame(rows, columns=columns)


# -- formatting -----------------------------------------------------------------------------


def _decimals(enhet: str, value) -> int:
    """Per cent with one decimal (91,8 %), two when the source prints two (1,61 %); counts and
    index as integers unless they have decimals."""
    if enhet == "procent":
        return 2 if not pd.isna(value) and round(float(value), 1) != round(float(value), 6) else 1
    return 0 if pd.isna(value) or float(value).is_integer() else 1


def value_text(value, enhet: str) -> str:
    """A key-figure value: ``'91,8 %'``, ``'905'``, ``'77'``; missing as fmt.MISSING."""
    if enhet == "procent":
        return fmt.procent(value, _decimals(enhet, value))
    return fmt.number(value, _decimals(enhet, value))


def difference_text(diff, enhet: str, change_pct=np.nan) -> str:
    """A difference in the key figure's own unit: ``'−3,7 procentenheter'``, ``'−2 indexenheter'``,
    ``'+70 (+8,4 %)'`` (antal with the change in per cent); missing as fmt.MISSING."""
    if pd.isna(diff):
        return fmt.MISSING
    if enhet == "procent":
        return fmt.procentenheter(diff)
    text = fmt.number(diff, _decimals(enhet, diff), sign=True)
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


def _hr_table(data, kf: pd.DataFrame, forvaltning: str, ar: int, caption: str | None = None,
              name: str | None = None) -> Table:
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
    hr = data["hr_nyckeltal.csv"]
    rows = hr[(hr.forvaltning == forvaltning) & hr.nyckeltal.isin(kf.nyckeltal)]
    return Table(cells, caption=caption or f"HR-nyckeltal {ar} jämfört med {ar - 1} och med hela regionen",
                 source=source_text(data, rows), name=name or f"{forvaltning}-hr-nyckeltal", data=kf,
                 numeric=list(cells.columns[1:2]) + list(cells.columns[3:]),
                 notes=[f"Förändringen mot {ar - 1} och skillnaden mot hela regionen är beräknade: i procentenheter för "
                        "andelar i procent, i indexenheter för index och i antal för antal (med förändringen i procent "
                        f"inom parentes). {fmt.MISSING} betyder att underlaget inte anger något jämförelsevärde."]
                 + footnotes)


def _hr_figure(kf: pd.DataFrame, forvaltning: str, ar: int) -> Figure | None:
    """Dot plot of the key figures in procent and index (scale 0–100): this year, the previous year
    and the whole region where given, each with its own marker shape and colour, values written out."""
    fk = kf[kf.enhet.isin(["procent", "index"]) & kf.varde.notna()].sort_values("varde", ascending=False)
    if fk.empty:
        return None
    fig, ax = new(7.0, 0.42 * len(fk) + 1.6)
    labels = [_figure_label(n, e) for n, e in zip(fk.nyckeltal, fk.enhet)]
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
        ax.text(105, i, text, va="center", ha="left", fontsize=8.5, color="#1a1a1a", clip_on=False)
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
           f"lägst {low.nyckeltal} med {value_text(low.varde, low.enhet)}. Av de {len(with_prev)} nyckeltal som har ett "
           f"värde för {ar - 1} har {up} ökat och {down} minskat.")
    return Figure(fig, caption=f"HR-nyckeltal i procent och index {ar} jämfört med {ar - 1} och hela regionen "
                               "(antal visas i tabellen)", alt=alt, name=f"{forvaltning}-hr-nyckeltal")


def _figure_label(nyckeltal: str, enhet: str) -> str:
    """The row label with its unit, unless the name already carries it (``Ledarskap (index)``)."""
    unit = "%" if enhet == "procent" else enhet
    return nyckeltal if f"({unit})" in nyckeltal else f"{nyckeltal} ({unit})"


def hr_section(data, forvaltning: str, ar: int) -> list:
    """The HR key figures: a summary, the table and the dot plot; empty without HR rows."""
    kf = key_figures(data, forvaltning, ar)
    if kf.empty:
        return []
    n_prev, n_reg = int(kf.varde_foregaende_ar.notna().sum()), int(kf.varde_regionen.notna().sum())
    n_notes = int(kf[list(NOTE_COLUMNS.values())].notna().sum().sum())
    blocks = [Heading(f"HR-nyckeltal {ar}"),
              Text(f"Underlaget redovisar {len(kf)} HR-nyckeltal för {ar}. För {n_prev} av dem anges även värdet för "
                   f"{ar - 1} och för {n_reg} värdet för hela regionen; övriga jämförelser saknas i underlaget och "
                   "visas som saknade."
                   + (" Där texten jämför i ord i stället för med ett värde, eller där ett värde har kopplats till sitt "
                      "nyckeltal genom uteslutning, står det i en fotnot under tabellen." if n_notes else "")),
              _hr_table(data, kf, forvaltning, ar)]
    figure = _hr_figure(kf, forvaltning, ar)
    return blocks + ([figure] if figure is not None else [])


def utbildningsplatser(data, forvaltning: str) -> pd.DataFrame:
    """The education places and programmes of a förvaltning, in the order of the source."""
    return load.rows_for(data, "utbildningsplatser.csv", forvaltning)


def utbildning_section(data, forvaltning: str, ar: int) -> list:
    """Education places: insats, mått, value with unit and period, with the source."""
    up = utbildningsplatser(data, forvaltning)
    if up.empty:
        return []
    cells = pd.DataFrame({
        "Insats": list(up.insats),
        "Mått": list(up.matt),
        "Värde (med enhet)": [f"{fmt.number(v, _decimals('', v))}{fmt.NBSP}{e}" for v, e in zip(up.varde, up.enhet)],
        "Period": [p if isinstance(p, str) else "ej angiven" for p in up.period],
    })
    return [Heading("Utbildningsplatser och utbildningsinsatser"),
            Text("Tabellen visar de utbildningsplatser och program som förvaltningen redovisar, med värdena som de står "
                 "i underlaget. Måtten är olika och summeras därför inte."),
            Table(cells, caption=f"Utbildningsplatser och utbildningsinsatser enligt underlaget för {ar}", source=source_text(data, up),
                  name=f"{forvaltning}-utbildningsplatser", data=up.drop(columns=["forvaltning"]),
                  numeric=["Värde (med enhet)"])]
