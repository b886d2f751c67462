"""Writing files that two notebooks run side by side may both write, and Excel files that depend on
their content only."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_DOC_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_xlsx(data: bytes) -> bytes:
    """An Excel file that depends on its content only: fixed zip timestamps and document dates,
    so that two builds of the same data write the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == "docProps/core.xml":
                content = _DOC_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, content)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file in one step (a temporary file of this process, then a rename). Notebooks run
    side by side may write the same download or figure (two förvaltningar with the same
    region-wide section): each reader sees a whole file, never one being written."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
