"""The analyst's reasons for changed data: ``rattelser/<år>.csv`` in the project folder, and the
data files as text for comparing two versions of a year's data.

Each line of ``rattelser/<år>.csv`` gives the reason for changes published in one version::

    version,fil,rad,kolumn,skal,datum
    2023.2,hr_nyckeltal.csv,5,varde,Felskrivet värde: rätt siffra enligt årsredovisningen,2024-03-01
    2023.2,handlingsplan.csv,12,,Aktiviteten saknades i underlaget,2024-03-01

- ``version``: the version that publishes the change (``<år>.<löpnummer>``);
- ``fil``: the data file in ``data/<år>/``;
- ``rad``: the line of the row in that file (for a removed row: its line in the previous
  version's file, ``publiceringar/<år>/<version>/<fil>``);
- ``kolumn``: the changed column; empty: every change of the row (also an added or removed row);
- ``skal``: the reason, as readers see it on the page "Ändringar och rättelser";
- ``datum``: when the change was made (YYYY-MM-DD).

The file lives outside ``data/<år>/``, where an unknown file is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kompetensrapport.exceptions import InputError, Problem

FOLDER = "rattelser"
HEADER = ["version", "fil", "rad", "kolumn", "skal", "datum"]
VERSION = re.compile(r"^(\d{4})\.([1-9]\d*)$")
DATA_FILE = re.compile(r"^[^/\\]+\.csv$")


@dataclass(frozen=True)
class Correction:
    """One line of the corrections file (``line``: where it stands in the file)."""

    version: str
    fil: str
    rad: int
    kolumn: str
    skal: str
    datum: str
    line: int


def path(root: Path, year: int) -> Path:
    return Path(root) / FOLDER / f"{year}.csv"


def display(year: int) -> str:
    """The corrections file as messages name it."""
    return f"{FOLDER}/{year}.csv"


def read(root: Path, year: int) -> list[Correction]:
    """The corrections of ``year`` (none when the file does not exist). An :class:`InputError`
    names the file, line, column, value and rule of every problem."""
    from kompetensrapport.inputs import load

    file = path(root, year)
    if not file.exists():
        return []
    shown = display(year)
    frame, lines, problems = load.read_table(file, shown)
    if frame is None:
        raise InputError(problems)
    if list(frame.columns) != HEADER:
        raise InputError(problems + [Problem(shown, 1, None, ",".join(frame.columns),
                                             f"the header must be exactly: {','.join(HEADER)}")])
    frame = frame.fillna("")
    found, seen = [], {}
    for line, row in zip(lines, frame.itertuples(index=False)):
        wrong = _problems(shown, line, row, year)
        problems += wrong
        if wrong:
            continue
        c = Correction(row.version, row.fil, int(row.rad), row.kolumn, row.skal, row.datum, line)
        what = (c.version, c.fil, c.rad, c.kolumn)
        if what in seen:
            problems.append(Problem(shown, line, "rad", c.rad, f"the same version, file, line and column stand on "
                                    f"line {seen[what]}: give one reason per change"))
            continue
        seen[what] = line
        found.append(c)
    if problems:
        raise InputError(problems)
    return found


def _problems(shown: str, line: int, row, year: int) -> list[Problem]:
    found = []
    match = VERSION.match(row.version)
    if not match or int(match.group(1)) != year:
        found.append(Problem(shown, line, "version", row.version,
                             f"must be a version of {year}: {year}.<löpnummer>, e.g. {year}.2"))
    if not DATA_FILE.match(row.fil):
        found.append(Problem(shown, line, "fil", row.fil, f"must name a data file of data/{year}/, e.g. "
                                                          "hr_nyckeltal.csv"))
    if not row.rad.isdigit() or int(row.rad) < 2:
        found.append(Problem(shown, line, "rad", row.rad, "must be the line of a data row: a whole number, 2 or "
                                                          "more (line 1 is the header)"))
    if not row.skal:
        found.append(Problem(shown, line, "skal", None, "the reason is missing: write why the value changed"))
    try:
        dt.date.fromisoformat(row.datum)
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", row.datum):
            raise ValueError
    except ValueError:
        found.append(Problem(shown, line, "datum", row.datum, "must be a date written YYYY-MM-DD"))
    return found


def texts(folder: Path, root: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every ``*.csv`` in ``folder`` as text (empty cells ``""``), indexed by the line each row
    starts on; an :class:`InputError` for a file that cannot be read as CSV."""
    from kompetensrapport.inputs import load
    from kompetensrapport.paths import display_path

    frames, problems = {}, []
    for file in sorted(Path(folder).glob("*.csv")):
        frame, lines, found = load.read_table(file, display_path(file, root))
        problems += found
        if frame is not None:
            frames[file.name] = frame.fillna("").set_axis(lines, axis=0)
    if problems:
        raise InputError(problems)
    return frames


def row_keys(files) -> dict[str, list[str]]:
    """Each data file's key columns, as its schema declares them (columns unique together, or a
    column unique by itself); none for a file without a schema or a key."""
    from kompetensrapport.inputs.schemas import FILES

    keys = {}
    for name in files:
        if name not in FILES:
            continue
        schema = FILES[name].to_schema()
        unique = schema.unique if isinstance(schema.unique, list) else [schema.unique] if schema.unique else []
        keys[name] = unique or [c for c, column in schema.columns.items() if column.unique][:1]
    return keys
