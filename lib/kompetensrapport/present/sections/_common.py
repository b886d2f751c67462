"""Pieces that several section presentations share."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.present.sources import Source, source_text


def source(result, frame: pd.DataFrame | list[str]) -> Source:
    """The source line of ``frame`` (its ``kalla`` column, or a list of ``kalla`` values): each
    document by its title from the result's ``kallor``, linked to Källor on the website (see
    :mod:`kompetensrapport.present.sources`)."""
    return source_text({"kallor.csv": result.kallor}, frame)


def cell(text) -> str:
    """A table cell from a text value: missing values as an empty cell (the table escapes the rest)."""
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
