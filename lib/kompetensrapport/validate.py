"""Every check of a year in one run: parameter files, data files, the links between them, and
the reconciliation of stated totals. Used by ``kompetensrapport validate`` and before a build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


from kompetensrapport import load, params as params_mod, reconcile
from kompetensrapport.exceptions import InputError, Problem

#: Which data files each section reads, and whether they hold a `forvaltning` column.
SECTION_FILES: dict[str, list[str]] = {
    "budget": ["internbudget_insatser.csv", "internbudget_totaler.csv", "regionbidrag.csv", "budgetmal.csv"],
    "resultatrakning": ["resultatrakning.csv"],
    "kompetens": ["kompetensanalys.csv", "bedomningsdefinitioner.csv", "yrkesmappning.csv"],
    "handlingsplan": ["handlingsplan.csv"],
    "utbildning": ["utbildningsplatser.csv"],
    "fokus": ["fokus_kursomgangar.csv", "fokus_finansiering.csv", "fokus_resultat.csv",
              "fokus_fokusomraden.csv", "fokus_resurser.csv"],
    "hr": ["hr_nyckeltal.csv"],
}
#: Files every page reads.
COMMON_FILES = ["kallor.csv"]


@dataclass
class Report:
    params: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checks: list = field(default_factory=list)

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
        pfile = load._display(pdir / f"{p.forvaltning}.yaml", root)
        for section in p.avsnitt:
            for file in SECTION_FILES[section]:
                frame = data.get(file)
                if frame is None:
                    continue  # already reported as missing or invalid
                if "forvaltning" in frame.columns:
                    if not (frame["forvaltning"] == p.forvaltning).any():
                        problems.append(Problem(frame.attrs.get("file", file), None, "forvaltning", p.forvaltning,
                                                f"has no rows for '{p.forvaltning}', whose {pfile} lists the section '{section}'"))
                elif frame.empty:
                    problems.append(Problem(frame.attrs.get("file", file), None, None, None,
                                            f"has no rows; fill in the year's figures (section '{section}' of {pfile} reads it)"))
    for file in COMMON_FILES:
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


def _line_list(lines: list, shown: int = 8) -> str:
    """'2, 3, 4' or '2, 3, 4, 5, 6, 7, 8, 9, …' for a message."""
    known = [str(n) for n in lines if n is not None]
    return ", ".join(known[:shown]) + (", …" if len(known) > shown else "")


def validate_year(root: Path, year: int) -> Report:
    """Run every check; never raise for bad input, collect it (a missing year folder raises
    :class:`~kompetensrapport.exceptions.UsageError`)."""
    root = Path(root)
    plist, problems = params_mod.read_all(root, year)
    data, found = load.read_year(root, year)
    problems += found
    problems += _cross_checks(root, year, plist, data)
    checks = []
    if all(f in data for f in ("internbudget_insatser.csv", "internbudget_totaler.csv", "regionbidrag.csv")):
        checks += reconcile.budget_checks(data)
    if "resultatrakning.csv" in data:
        checks += reconcile.resultat_checks(data)
    problems += reconcile.problems(checks)
    return Report(plist, data, problems, checks)


def require_valid(root: Path, year: int) -> Report:
    report = validate_year(root, year)
    if report.problems:
        raise InputError(report.problems)
    return report
