"""What changed in a year's data between two versions: every changed value, added row and removed
row, as a frame.

A file's frame holds its cells as text (empty cells as ``""``), indexed by the line each row
starts on in its file. Rows are paired by their key columns (the columns the schema declares
unique) when both versions have them and the keys are unique in each; otherwise identical rows
are paired first and the remaining ones in file order, so that an inserted row is one added row
and an edited row is a change of its values.

>>> import pandas as pd
>>> before = {"a.csv": pd.DataFrame({"k": ["x", "y"], "v": ["1", "2"]}, index=[2, 3])}
>>> after = {"a.csv": pd.DataFrame({"k": ["x", "y", "z"], "v": ["1", "5", "3"]}, index=[2, 3, 4])}
>>> compare(before, after, {"a.csv": ["k"]})[["typ", "rad", "kolumn", "tidigare", "nu"]].values.tolist()
[['ändrad', 3, 'v', '2', '5'], ['tillagd', 4, '', '', '']]
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

CHANGED, ADDED, REMOVED = "ändrad", "tillagd", "borttagen"
#: ``fil``: the data file; ``typ``: CHANGED, ADDED or REMOVED; ``rad``: the line in the newer
#: version's file (in the older version's for a removed row); ``rad_tidigare``: the line in the
#: older version's file (0 for an added row); ``nyckel``: the row's key as (column, value) pairs;
#: ``kolumn``: the changed column ("" for an added or removed row); ``tidigare``/``nu``: the
#: value before and after ("" for a whole row); ``varden``: a whole added or removed row's
#: values as (column, value) pairs.
COLUMNS = ["fil", "typ", "rad", "rad_tidigare", "nyckel", "kolumn", "tidigare", "nu", "varden"]
#: How many leading columns name a row of a file without key columns.
NAMING_COLUMNS = 2


def compare(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame],
            keys: dict[str, list[str]]) -> pd.DataFrame:
    """Every change from ``before`` to ``after`` (file name -> text frame indexed by line), one
    row each, ordered by file and line (:data:`COLUMNS`). A file present in one version only
    is all added or all removed rows. ``keys``: each file's key columns (missing or empty: none)."""
    rows = []
    for name in sorted(set(before) | set(after)):
        rows += compare_file(name, before.get(name), after.get(name), keys.get(name) or [])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"rad": int, "rad_tidigare": int})


def compare_file(name: str, before: pd.DataFrame | None, after: pd.DataFrame | None,
                 key: list[str]) -> list[dict]:
    """The changes of one file as :data:`COLUMNS` records (see :func:`compare`)."""
    empty = pd.DataFrame()
    before = empty if before is None else before
    after = empty if after is None else after
    columns = list(after.columns) + [c for c in before.columns if c not in after.columns]
    before = before.reindex(columns=columns, fill_value="")
    after = after.reindex(columns=columns, fill_value="")
    usable = bool(key) and all(c in columns for c in key) and _unique(before, key) and _unique(after, key)
    naming = key if usable else columns[:NAMING_COLUMNS]
    pairs, gone, new = (_pair_by_key if usable else _pair_by_content)(before, after, key)
    records = []
    for old_line, new_line in pairs:
        old, now = before.loc[old_line], after.loc[new_line]
        for column in columns:
            if old[column] != now[column]:
                records.append(_record(name, CHANGED, new_line, old_line, now, naming, column,
                                       old[column], now[column]))
    for line in new:
        records.append(_record(name, ADDED, line, 0, after.loc[line], naming, values=after.loc[line]))
    for line in gone:
        records.append(_record(name, REMOVED, line, line, before.loc[line], naming, values=before.loc[line]))
    order = {CHANGED: 0, ADDED: 0, REMOVED: 1}
    return sorted(records, key=lambda r: (order[r["typ"]], r["rad"], columns.index(r["kolumn"]) if r["kolumn"] else -1))


def _unique(frame: pd.DataFrame, key: list[str]) -> bool:
    return frame.empty or not frame.duplicated(subset=key).any()


def _record(name, kind, line, old_line, row, naming, column="", old="", now="", values=None) -> dict:
    return {"fil": name, "typ": kind, "rad": int(line), "rad_tidigare": int(old_line),
            "nyckel": tuple((c, row[c]) for c in naming), "kolumn": column, "tidigare": old, "nu": now,
            "varden": tuple((c, v) for c, v in values.items() if v != "") if values is not None else ()}


def _pair_by_key(before: pd.DataFrame, after: pd.DataFrame, key: list[str]):
    """(old line, new line) of the rows with the same key; the lines of removed and of added rows."""
    old = {tuple(r): line for line, r in zip(before.index, before[key].itertuples(index=False))}
    new = {tuple(r): line for line, r in zip(after.index, after[key].itertuples(index=False))}
    pairs = [(old[k], line) for k, line in new.items() if k in old]
    return pairs, [line for k, line in old.items() if k not in new], [line for k, line in new.items() if k not in old]


def _pair_by_content(before: pd.DataFrame, after: pd.DataFrame, key: list[str]):
    """Identical rows first (in file order); then each remaining new row with the remaining old
    row that shares the most values with it, if it shares at least half of them (the earlier
    one of equals); the rest are added and removed rows."""
    waiting = defaultdict(list)
    for line, row in zip(before.index, before.itertuples(index=False)):
        waiting[tuple(row)].append(line)
    unmatched_new = []
    for line, row in zip(after.index, after.itertuples(index=False)):
        if waiting[tuple(row)]:
            waiting[tuple(row)].pop(0)
        else:
            unmatched_new.append(line)
    unmatched_old = sorted(line for lines in waiting.values() for line in lines)
    pairs, added = [], []
    for line in unmatched_new:
        shared = {old: int((before.loc[old] == after.loc[line]).sum()) for old in unmatched_old}
        best = max(shared, key=lambda old: (shared[old], -old), default=None)
        if best is not None and 2 * shared[best] >= len(after.columns):
            pairs.append((best, line))
            unmatched_old.remove(best)
        else:
            added.append(line)
    return pairs, unmatched_old, added


def explain(changes: pd.DataFrame, corrections: list, version: str) -> tuple[pd.DataFrame, list]:
    """``changes`` with the analyst's reason (``skal``) and its date (``datum``) added, "" where
    none is given, from the ``corrections`` (:class:`kompetensrapport.inputs.corrections.Correction`)
    of ``version``; and those corrections of ``version`` that cover no change. A correction covers
    the change of its file, line and column; one without a column covers every change of its line
    (also an added or a removed row), unless a correction names the change's column."""
    mine = [c for c in corrections if c.version == version]
    exact = {(c.fil, c.rad, c.kolumn): c for c in mine}
    used = set()
    reasons, dates = [], []
    for change in changes.itertuples(index=False):
        found = exact.get((change.fil, change.rad, change.kolumn)) or exact.get((change.fil, change.rad, ""))
        reasons.append(found.skal if found else "")
        dates.append(found.datum if found else "")
        if found:
            used.add(found)
    explained = changes.assign(skal=pd.Series(reasons, index=changes.index, dtype=object),
                               datum=pd.Series(dates, index=changes.index, dtype=object))
    return explained, [c for c in mine if c not in used]
