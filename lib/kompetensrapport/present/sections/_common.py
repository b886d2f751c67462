"""Pieces that several section presentations share."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.present.sources import source_text


def source(result, frame: pd.DataFrame) -> str:
    """The source line of ``frame`` (its ``kalla`` column), titled from the result's ``kallor``."""
    return source_text({"kallor.csv": result.kallor}, frame)


def cell(text) -> str:
    """A table cell from a text value: missing values as an empty cell (the table escapes the rest)."""
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
