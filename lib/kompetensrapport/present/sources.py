"""The source line under every table: document title and section, from ``kallor.csv``.

>>> import pandas as pd

from kompetensrapport.present import escape
>>> k = pd.DataFrame({"fil": ["000_5e1cb440a0b9cae8.txt"], "titel": ["Internbudget 2023"]})
>>> f = pd.DataFrame({"kalla": ["000_5e1cb440a0b9cae8.txt: Bilaga 1", "000_5e1cb440a0b9cae8.txt: Bilaga 2"]})
>>> source_text({"kallor.csv": k}, f)
'Internbudget 2023 (000_5e1cb440a0b9cae8.txt), avsnitt: Bilaga 1; Bilaga 2'
"""

from __future__ import annotations

import pandas as pd

from kompetensrapport.present import escape


def source_text(data: dict, frame: pd.DataFrame | list[str]) -> str:
    """One line naming each source document of ``frame``'s ``kalla`` column and its sections."""
    values = list(frame["kalla"]) if isinstance(frame, pd.DataFrame) else list(frame)
    titles = {}
    kallor = data.get("kallor.csv")
    if kallor is not None:
        titles = dict(zip(kallor.fil, kallor.titel))
    by_file: dict[str, list[str]] = {}
    for v in values:
        file, _, section = str(v).partition(": ")
        sections = by_file.setdefault(file, [])
        if section and section not in sections:
            sections.append(section)
    parts = []
    for file, sections in by_file.items():
        title = titles.get(file)
        head = f"{title} ({file})" if title else file
        parts.append(head + (", avsnitt: " + "; ".join(sections) if sections else ""))
    return ". ".join(parts)


def html(source) -> str:
    """The source line of a table or figure as HTML (the text escaped)."""
    return escape.html(source)


def markdown(source) -> str:
    """The source line of a table or figure as Markdown (the text escaped)."""
    return escape.markdown(source)
