"""Errors of kompetensrapport, each with the exit status the CLI gives it.

Exit statuses: 0 done; 1 invalid data or parameter files; 2 wrong usage; 3 a notebook
failed; 4 Quarto missing or failed; 5 another build holds the project.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and which rule it breaks.

    >>> str(Problem("data/2023/x.csv", 4, "anslag_tkr", "12,5", "must be a number"))
    "data/2023/x.csv, line 4, column 'anslag_tkr', value '12,5': must be a number"
    """

    file: str
    line: int | None
    column: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.value is not None and self.value != "":
            parts.append(f"value {_show(self.value)}")
        return ", ".join(parts) + f": {self.rule}"


def _show(value: object) -> str:
    text = str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return repr(text)


class KompetensrapportError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(KompetensrapportError):
    """Invalid data or parameter files. Holds every problem found, not just the first."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


class UsageError(KompetensrapportError):
    """The command was called wrongly (for example a year folder that does not exist)."""

    exit_code = 2


class NotebookError(KompetensrapportError):
    """A notebook raised while it ran."""

    exit_code = 3


class QuartoError(KompetensrapportError):
    """Quarto is missing or its render failed."""

    exit_code = 4


class BuildLockedError(KompetensrapportError):
    """Another build is running in the same project."""

    exit_code = 5


def format_problems(problems: list[Problem]) -> str:
    """Problems grouped per file, one line each, in a stable order."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    lines = [f"{len(problems)} problem(s) in {len(by_file)} file(s):"]
    for file in sorted(by_file):
        lines.append(f"\n{file}")
        for p in sorted(by_file[file], key=lambda p: (p.line or 0, p.column or "")):
            lines.append(f"  - {p}")
    return "\n".join(lines)
