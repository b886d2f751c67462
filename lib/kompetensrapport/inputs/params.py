"""The parameter files: ``params/<år>/<förvaltning>.yaml``, one per förvaltning.

Each file is read with PyYAML's safe loader and checked against :class:`Params` before any
notebook runs: an unknown key, a missing key or a wrong type is an error (papermill itself only
warns about unknown parameters). Example::

    ar: 2023
    forvaltning: lasarettet-ystad
    namn: Lasarettet i Ystad
    avsnitt: [kompetens, handlingsplan, utbildning]
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kompetensrapport import sections
from kompetensrapport.paths import display_path
from kompetensrapport.inputs.codes import SLUG_PATTERN  # a slug names files: no "/", "..", spaces
from kompetensrapport.exceptions import InputError, Problem, UsageError

#: A section key: one of the table in :mod:`kompetensrapport.sections`.
Section = Literal[sections.KEYS]


#: A name is one line of text: no line breaks, tabs or other control characters.
NAMN_PATTERN = r"^[^\x00-\x1f\x7f]+$"
#: The rules of the slug and name patterns, as :func:`read_params_file` reports them.
PATTERN_RULES = {
    "forvaltning": "must be a slug: lower-case letters a-z, digits and single hyphens, nothing else "
                   "(it names the parameter file, the page, the PDF and the downloads)",
    "namn": "must be one line of text, without line breaks, tabs or other control characters",
}


class Params(BaseModel):
    """The schema of one parameter file."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    ar: int = Field(ge=2000, le=2100, description="the report year")
    forvaltning: str = Field(
        pattern=SLUG_PATTERN,
        description="slug; equals the file name without .yaml and the `forvaltning` column",
    )
    namn: str = Field(min_length=1, pattern=NAMN_PATTERN,
                      description="the name readers see (any text; escaped wherever it is shown)")
    avsnitt: list[Section] = Field(min_length=1, description="sections of the page")

    def notebook_parameters(self, root: Path) -> dict:
        """What papermill injects into the förvaltning notebook."""
        return {
            "ar": self.ar,
            "forvaltning": self.forvaltning,
            "namn": self.namn,
            "avsnitt": list(self.avsnitt),
            "root": str(root),
        }


def params_dir(root: Path, year: int) -> Path:
    return Path(root) / "params" / str(year)


def _top_keys(text: str) -> list[tuple[str, int]]:
    """Each top-level key with its line number (1-based), in file order, repeats included."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(k.value), k.start_mark.line + 1) for k, _ in node.value if hasattr(k, "value")]


def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each top-level key, for error messages."""
    return dict(_top_keys(text))


def _duplicate_keys(text: str, display: str) -> list[Problem]:
    """A key written twice: PyYAML would silently keep the last value."""
    first: dict[str, int] = {}
    problems = []
    for key, line in _top_keys(text):
        if key in first:
            problems.append(Problem(display, line, f"key {key}", None,
                                    f"key appears twice (first on line {first[key]}); keep one"))
        else:
            first[key] = line
    return problems


def _yaml_error_rule(e: yaml.YAMLError, text: str, line: int | None) -> str:
    """A YAML syntax error as a rule a person can act on (tabs get their own explanation)."""
    what = getattr(e, "problem", None) or str(e)
    lines = text.splitlines()
    if "\t" in what or (line is not None and 0 < line <= len(lines) and "\t" in lines[line - 1]):
        return "is not valid YAML: a tab is used for indentation; indent with spaces"
    return f"is not valid YAML: {what}"


def read_params_file(path: Path, year: int, display: str | None = None) -> tuple[Params | None, list[Problem]]:
    """Parse and check one parameter file; return the params or the problems found."""
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return None, [Problem(display, None, None, None, f"is not UTF-8 text ({e.reason} at byte {e.start})")]
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [Problem(display, line, None, None, _yaml_error_rule(e, text, line))]
    if not isinstance(raw, dict):
        return None, [Problem(display, None, None, None, "must be a YAML mapping of keys to values (ar, forvaltning, namn, avsnitt)")]
    lines = _key_lines(text)
    problems: list[Problem] = _duplicate_keys(text, display)
    try:
        params = Params.model_validate(raw)
    except ValidationError as e:
        for err in e.errors():
            loc = [str(x) for x in err["loc"]]
            key = loc[0] if loc else None
            value = raw.get(key) if key in raw else None
            if err["type"] == "extra_forbidden":
                rule = f"unknown key (allowed: {', '.join(Params.model_fields)})"
            elif err["type"] == "missing":
                rule = "missing key (required)"
            elif err["type"] == "string_pattern_mismatch" and key in PATTERN_RULES:
                rule = PATTERN_RULES[key]
            elif err["type"] == "literal_error":
                rule = f"unknown section (allowed: {', '.join(sections.KEYS)})"
                value = err.get("input")
            else:
                rule = err["msg"]
            column = ".".join(loc) if loc else None
            problems.append(Problem(display, lines.get(key), f"key {column}" if column else None, value, rule))
        return None, problems
    if params.forvaltning != path.stem:
        problems.append(Problem(display, lines.get("forvaltning"), "key forvaltning", params.forvaltning,
                                f"must equal the file name without .yaml ('{path.stem}')"))
    if params.ar != year:
        problems.append(Problem(display, lines.get("ar"), "key ar", params.ar,
                                f"must equal the year of its folder ({year})"))
    if len(set(params.avsnitt)) != len(params.avsnitt):
        problems.append(Problem(display, lines.get("avsnitt"), "key avsnitt", params.avsnitt, "lists a section twice"))
    return (None if problems else params), problems


def read_all(root: Path, year: int) -> tuple[list[Params], list[Problem]]:
    """Every parameter file of a year, in file-name order, with all problems found."""
    folder = params_dir(root, year)
    if not folder.is_dir():
        raise UsageError(f"no parameter folder for {year}: {folder} does not exist")
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        return [], [Problem(display_path(folder, root), None, None, None, "holds no parameter files (*.yaml)")]
    result, problems = [], []
    stems: dict[str, Path] = {}
    for path in files:
        display = display_path(path, root)
        if path.stem in stems:  # koncernkontoret.yaml and koncernkontoret.yml
            problems.append(Problem(display, None, None, None,
                                    f"the förvaltning '{path.stem}' has a parameter file twice "
                                    f"(also {display_path(stems[path.stem], root)}); keep one"))
            continue
        stems[path.stem] = path
        params, found = read_params_file(path, year, display=display)
        problems += found
        if params is not None:
            result.append(params)
    return result, problems


def load_all(root: Path, year: int) -> list[Params]:
    """Like :func:`read_all`, but raise :class:`InputError` on any problem."""
    result, problems = read_all(root, year)
    if problems:
        raise InputError(problems)
    return result
