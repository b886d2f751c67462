"""Which source documents a computation cites: the rows of ``kallor.csv`` for the documents that
``kalla`` values name (a ``kalla`` value is ``'<file>: <section>'``)."""

from __future__ import annotations

import pandas as pd


def kallor_rows(data, *used, previous=None) -> pd.DataFrame:
    """The rows of kallor.csv that name the documents of ``used`` (frames with a ``kalla``
    column, or lists of ``kalla`` values). With ``previous``, the year before's kallor.csv too
    (a document both years name keeps this year's row). Empty without kallor.csv."""
    frames = [d["kallor.csv"] for d in (data, previous)
              if isinstance(d, dict) and d.get("kallor.csv") is not None]
    if not frames:
        return pd.DataFrame(columns=["fil", "titel"])
    kallor = pd.concat(frames).drop_duplicates("fil")
    files = set()
    for u in used:
        values = (u["kalla"] if "kalla" in u.columns else []) if isinstance(u, pd.DataFrame) else u
        files.update(str(v).partition(": ")[0] for v in values)
    return kallor[kallor.fil.isin(files)].reset_index(drop=True)
