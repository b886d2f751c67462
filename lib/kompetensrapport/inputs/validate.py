"""Every check of a year in one run: parameter files, data files, the links between them, and
the reconciliation of stated totals. Used by ``kompetensrapport validate`` and before a build.

Besides the problems (errors: the build stops), a run finds warnings that do not stop it: a
data file with the same content as the year before's file of the same name (a copy not yet
filled in?). They are printed to standard error as they are found."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from kompetensrapport import sections
from kompetensrapport.paths import display_path
from kompetensrapport.inputs import load, params as params_mod, publishing, reconcile
from kompetensrapport.pipeline import privacy
from kompetensrapport.exceptions import InputError, Problem



@dataclass
class Report:
    params: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checks: list = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _cross_checks(root: Path, year: int, plist, data) -> list[Problem]:
    problems = []
    pdir = params_mod.params_dir(root, year)
    # a förvaltning whose parameter file exists but is invalid is reported there, not as unknown
    slugs = {p.forvaltning for p in plist} | {f.stem for f in (*pdir.glob("*.yaml"), *pdir.glob("*.yml"))}
    for file, frame in data.items():
        if "forvaltning" in frame.columns and slugs:
            lines = frame.attrs.get("lines", [])
            unknown: dict[str, list] = {}  # one problem per file and slug, not one per row
            for i, slug in enumerate(frame["forvaltning"]):
                if slug not in slugs:
                    unknown.setdefault(slug, []).append(lines[i] if i < len(lines) else None)
            for slug, at in unknown.items():
                more = f" ({len(at)} rows: lines {_line_list(at)})" if len(at) > 1 else ""
                problems.append(Problem(frame.attrs.get("file", file), at[0], "forvaltning", slug,
                                        f"unknown förvaltning: no params/{year}/{slug}.yaml{more}"))
    for p in plist:
        pfile = display_path(pdir / f"{p.forvaltning}.yaml", root)
        for section in p.avsnitt:
            for file in sections.get(section).files:
                frame = data.get(file)
                if frame is None:
                    continue  # already reported as missing or invalid
                if "forvaltning" in frame.columns:
                    problems += _section_rows(frame, file, p.forvaltning, year, section, pfile)
                elif frame.empty:
                    problems.append(Problem(frame.attrs.get("file", file), None, None, None,
                                            f"has no rows; fill in the year's figures (section '{section}' of {pfile} reads it)"))
    for file in sections.COMMON_FILES:
        frame = data.get(file)
        if frame is not None and frame.empty:
            problems.append(Problem(frame.attrs.get("file", file), None, None, None, "has no rows; list the year's source documents"))
    # every rated occupation has its regional name, every kalla names a listed source
    ka, ym = data.get("kompetensanalys.csv"), data.get("yrkesmappning.csv")
    if ka is not None and ym is not None:
        mapped = set(zip(ym.forvaltning, ym.yrke))
        lines = ka.attrs.get("lines", [])
        for i, (slug, yrke) in enumerate(zip(ka.forvaltning, ka.yrke)):
            if (slug, yrke) not in mapped:
                problems.append(Problem(ka.attrs.get("file", "kompetensanalys.csv"), lines[i] if i < len(lines) else None,
                                        "yrke", yrke, f"occupation has no row in yrkesmappning.csv for '{slug}'"))
    src = data.get("kallor.csv")
    if src is not None and not src.empty:
        known = set(src.fil)
        for file, frame in data.items():
            if "kalla" not in frame.columns:
                continue
            lines = frame.attrs.get("lines", [])
            for i, k in enumerate(frame["kalla"]):
                name = str(k).split(":", 1)[0]
                if name not in known:
                    problems.append(Problem(frame.attrs.get("file", file), lines[i] if i < len(lines) else None,
                                            "kalla", k, "names a source document that kallor.csv does not list"))
    return problems


def _section_rows(frame, file: str, slug: str, year: int, section: str, pfile: str) -> list[Problem]:
    """A section its parameter file lists needs rows of its förvaltning, and of the report year
    where the file has an ``ar`` column: the page shows only those (``load.rows_for``), so
    without them the section would be left out without a word."""
    display = frame.attrs.get("file", file)
    if not (frame["forvaltning"] == slug).any():
        return [Problem(display, None, "forvaltning", slug, f"has no rows for '{slug}', whose {pfile} lists the section '{section}'")]
    if load.rows_for({file: frame}, file, slug, year).empty:
        years = sorted({int(a) for a in frame.loc[frame["forvaltning"] == slug, "ar"]}, reverse=True)
        return [Problem(display, None, "forvaltning", slug,
                        f"has no rows for '{slug}' of {year} (column 'ar': its rows are of "
                        f"{', '.join(map(str, years))}), whose {pfile} lists the section '{section}': "
                        f"fill in {year}'s figures, or the section would be left out")]
    return []


def _params_privacy(root: Path, year: int) -> list[Problem]:
    """Personal data in the parameter files, each finding named by its file, line and key."""
    problems = []
    pdir = params_mod.params_dir(root, year)
    for path in sorted((*pdir.glob("*.yaml"), *pdir.glob("*.yml"))):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the parameter file's reader
        keys, lines = params_mod._top_keys(text), text.splitlines()

        def key_of(line: int, keys=keys, lines=lines) -> str | None:
            """The key whose value a line belongs to (none for a comment line)."""
            before = [k for k, at in keys if at <= line]
            return f"key {before[-1]}" if before and not lines[line - 1].lstrip().startswith("#") else None

        problems += privacy.text_problems(text, display_path(path, root), key_of)
    return problems


def same_as_year_before(root: Path, year: int) -> list[Problem]:
    """Warnings: each data file of ``year`` whose content is that of the year before's file of
    the same name (byte for byte, or apart from a byte-order mark, line endings, blank lines and
    spaces at the ends of lines). A file with no rows is left out (``new-year`` writes headers)."""
    folder, before = load.data_dir(root, year), load.data_dir(root, year - 1)
    if not before.is_dir():
        return []
    warnings = []
    for path in sorted(folder.glob("*.csv")):
        old = before / path.name
        if not old.is_file():
            continue
        rows = _content(path.read_bytes())
        if rows is not None and len(rows) > 1 and rows == _content(old.read_bytes()):
            warnings.append(Problem(display_path(path, root), None, None, None,
                                    f"has the same content as {display_path(old, root)} (copied from the year "
                                    f"before?): fill in {year}'s figures, unless they really are unchanged"))
    return warnings


def _content(raw: bytes) -> list[str] | None:
    """The non-blank lines of a text file, without line endings and end spaces (None: not UTF-8)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def print_warnings(warnings: list[Problem], stream=None) -> None:
    """Each warning on a line of its own, on standard error unless ``stream`` is given."""
    stream = stream or sys.stderr
    for w in warnings:
        print(f"warning: {w}", file=stream, flush=True)


def _line_list(lines: list, shown: int = 8) -> str:
    """'2, 3, 4' or '2, 3, 4, 5, 6, 7, 8, 9, …' for a message."""
    known = [str(n) for n in lines if n is not None]
    return ", ".join(known[:shown]) + (", …" if len(known) > shown else "")


def validate_year(root: Path, year: int, show_warnings: bool = True, reuse: dict | None = None) -> Report:
    """Run every check; never raise for bad input, collect it (a missing year folder raises
    :class:`~kompetensrapport.exceptions.UsageError`). The warnings are printed to standard
    error (see :func:`print_warnings`) unless ``show_warnings`` is false; either way they are
    in the report. ``reuse``: files an earlier validation found good (see :func:`load.reusable`)."""
    root = Path(root)
    plist, problems = params_mod.read_all(root, year)
    data, found = load.read_year(root, year, reuse=reuse)
    problems += found
    problems += _params_privacy(root, year)
    problems += _cross_checks(root, year, plist, data)
    problems += publishing.problems(root)
    warnings = same_as_year_before(root, year)
    if show_warnings:
        print_warnings(warnings)
    checks = []
    if all(f in data for f in ("internbudget_insatser.csv", "internbudget_totaler.csv", "regionbidrag.csv")):
        checks += reconcile.budget_checks(data)
    if "resultatrakning.csv" in data:
        checks += reconcile.resultat_checks(data)
    if "regionbidrag_brygga.csv" in data and "regionbidrag.csv" in data:
        checks += reconcile.bridge_checks(data)
    problems += reconcile.problems(checks)
    return Report(plist, data, problems, checks, warnings)


def require_valid(root: Path, year: int, reuse: dict | None = None) -> Report:
    report = validate_year(root, year, reuse=reuse)
    if report.problems:
        raise InputError(report.problems)
    return report
