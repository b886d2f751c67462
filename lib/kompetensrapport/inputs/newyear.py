"""Scaffolding a new report year: ``kompetensrapport new-year 2024 [--from 2023]``.

Creates ``data/<år>/`` with every data file's header and no rows, copies the parameter files of
the earlier year with the year changed, and lists what the analyst must fill in. Validation of
the new year then names each file that still has no rows.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from kompetensrapport.inputs import load, params as params_mod
from kompetensrapport.exceptions import UsageError
from kompetensrapport.inputs.schemas import FILES, columns
from kompetensrapport import sections


def new_year(root: Path, year: int, source: int | None = None) -> list[str]:
    """Create the new year's folders; return the lines telling the analyst what to fill in."""
    root = Path(root)
    source = source or year - 1
    src_params = params_mod.params_dir(root, source)
    if not src_params.is_dir():
        raise UsageError(f"--from {source}: {src_params} does not exist")
    data_dir, params_dir = load.data_dir(root, year), params_mod.params_dir(root, year)
    for folder in (data_dir, params_dir):
        if folder.exists():
            raise UsageError(f"{folder} already exists; new-year never overwrites a year")
    files = sorted(src_params.glob("*.yaml")) + sorted(src_params.glob("*.yml"))
    tmp_data, tmp_params = data_dir.with_name(f".{year}.tmp"), params_dir.with_name(f".{year}.tmp")
    for tmp in (tmp_data, tmp_params):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    for name in FILES:
        with open(tmp_data / name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerow(columns(name))
    sections_by_file: dict[str, list[str]] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        text, n = re.subn(rf"^ar:\s*{source}\s*$", f"ar: {year}", text, count=1, flags=re.M)
        if n != 1:
            raise UsageError(f"{path}: found no line 'ar: {source}' to change")
        (tmp_params / path.name).write_text(text, encoding="utf-8")
        p, _ = params_mod.read_params_file(tmp_params / path.name, year)
        for section in (p.avsnitt if p else []):
            for f in sections.get(section).files:
                sections_by_file.setdefault(f, []).append(p.forvaltning)
    tmp_data.rename(data_dir)
    tmp_params.rename(params_dir)
    lines = [f"Created data/{year}/ ({len(FILES)} files with headers only) and params/{year}/ "
             f"({len(files)} parameter files copied from {source} with the year changed).", "",
             "Fill in:"]
    for name in FILES:
        users = sorted(set(sections_by_file.get(name, [])))
        if name in sections.COMMON_FILES:
            lines.append(f"  data/{year}/{name}: the year's source documents")
        elif users:
            of_year = f" with ar {year}" if {"forvaltning", "ar"} <= set(columns(name)) else ""
            lines.append(f"  data/{year}/{name}: rows for {', '.join(users)}{of_year}")
    from kompetensrapport.commands import command

    root_args = [] if root.resolve() == Path.cwd().resolve() else ["--root", str(root)]
    lines += ["", f"Check the parameter files in params/{year}/ (remove a förvaltning's file if it does not "
              "report this year, add one for a new förvaltning), and describe the year's data in "
              f"data/{year}/README.md (copy data/{source}/README.md as a start).",
              f"Then run: {command('validate', '--year', str(year), *root_args)}  (it names every file that "
              "still has no rows, "
              f"and warns about a file copied unchanged from data/{year - 1}/)"]
    return lines
