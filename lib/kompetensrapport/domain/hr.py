"""HR key figures of a förvaltning (with the previous year and the whole region where the source
gives them) and the education places a förvaltning reports.

Every function takes the year's data (``kompetensrapport.inputs.load.load_year``) and returns
numbers: DataFrames, or a frozen dataclass holding them. The two section entry points named in
:mod:`kompetensrapport.sections` (:func:`key_figures`, :func:`utbildning`) return everything
their presentation (``kompetensrapport.present.sections``) needs, the rows of ``kallor.csv``
for the source lines included. A comparison the source does not give stays missing: nothing is
filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetensrapport.domain.sources import kallor_rows
from kompetensrapport.inputs import load

#: The values of ``omfattning``: the förvaltning itself, the whole region.
OWN, REGION = "förvaltningen", "hela regionen"
#: (year offset, scope) of a value -> the column of :func:`key_figure_values` holding its row's note.
NOTE_COLUMNS = {(0, OWN): "anmarkning", (-1, OWN): "anmarkning_foregaende_ar", (0, REGION): "anmarkning_regionen"}
#: The units whose key figures are on a 0–100 scale.
SCALE_100 = ("procent", "index")


# -- key figures ------------------------------------------------------------------------------


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


KEY_FIGURE_COLUMNS = ["nyckeltal", "enhet", "varde", "varde_foregaende_ar", "varde_regionen",
                      "forandring", "forandring_procent", "skillnad_region", *NOTE_COLUMNS.values(), "kalla"]


def key_figure_values(data, forvaltning: str, ar: int) -> pd.DataFrame:
    """One row per key figure of ``ar`` (in the order of the source): the value, the previous
    year's value and the whole region's value where given, and the differences.

    ``forandring`` and ``skillnad_region`` are in the key figure's own unit: persons for antal,
    index points for index and percentage points (procentenheter) for procent.
    ``forandring_procent`` is the change in per cent, for antal only. Missing stays NaN.
    ``anmarkning``, ``anmarkning_foregaende_ar`` and ``anmarkning_regionen`` hold the note of the
    value's row (None without one)."""
    hr = data.get("hr_nyckeltal.csv")
    if hr is None or hr.empty:
        return pd.DataFrame(columns=KEY_FIGURE_COLUMNS)
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
    return pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)


@dataclass(frozen=True)
class KeyFigures:
    """The section ``hr``: a förvaltning's key figures of year ``ar`` (:func:`key_figure_values`)
    and the rows of ``hr_nyckeltal.csv`` they come from (``source_rows``, for the source line)."""

    forvaltning: str
    ar: int
    figures: pd.DataFrame
    source_rows: pd.DataFrame
    kallor: pd.DataFrame

    @property
    def with_previous(self) -> int:
        """How many key figures have a value for the year before."""
        return int(self.figures.varde_foregaende_ar.notna().sum())

    @property
    def with_region(self) -> int:
        """How many key figures have a value for the whole region."""
        return int(self.figures.varde_regionen.notna().sum())

    @property
    def with_notes(self) -> int:
        """How many values have a note."""
        return int(self.figures[list(NOTE_COLUMNS.values())].notna().sum().sum())

    @property
    def scale_100(self) -> pd.DataFrame:
        """The key figures on a 0–100 scale (procent and index) that have a value, highest first."""
        kf = self.figures
        return kf[kf.enhet.isin(SCALE_100) & kf.varde.notna()].sort_values("varde", ascending=False)


def key_figures(data, forvaltning: str, ar: int) -> KeyFigures:
    """Everything of the section ``hr`` for ``forvaltning`` in year ``ar``."""
    kf = key_figure_values(data, forvaltning, ar)
    hr = data.get("hr_nyckeltal.csv")
    rows = (hr[(hr.forvaltning == forvaltning) & hr.nyckeltal.isin(kf.nyckeltal)] if hr is not None
            else pd.DataFrame(columns=["kalla"]))
    return KeyFigures(forvaltning=forvaltning, ar=ar, figures=kf, source_rows=rows, kallor=kallor_rows(data, rows))


# -- education places -------------------------------------------------------------------------


@dataclass(frozen=True)
class Utbildning:
    """The section ``utbildning``: the education places and programmes a förvaltning reports, in
    the order of the source (the rows of ``utbildningsplatser.csv``)."""

    forvaltning: str
    ar: int
    places: pd.DataFrame
    kallor: pd.DataFrame


def utbildning(data, forvaltning: str, ar: int) -> Utbildning:
    """Everything of the section ``utbildning`` for ``forvaltning`` in year ``ar``."""
    up = load.rows_for(data, "utbildningsplatser.csv", forvaltning)
    return Utbildning(forvaltning=forvaltning, ar=ar, places=up, kallor=kallor_rows(data, up))
