"""The publisher's configuration: ``publicering.yml`` in the project folder.

It says who publishes the report and how readers reach them (the accessibility statement's
contact and feedback route), where the site lives, and the licence of the published data. A
value written as ``<...>`` is a placeholder: the build shows it as not given
(:data:`NOT_GIVEN`), and publishing refuses it (:func:`placeholders`).

Example::

    utgivare: Region Skåne
    webbplats: https://example.org/kompetensrapport/
    kontakt_epost: kompetens@example.org
    aterkoppling: https://example.org/tillganglighet/synpunkter
    svarstid: inom två arbetsdagar
    licens: {id: CC0-1.0, namn: Creative Commons Zero 1.0, url: https://creativecommons.org/publicdomain/zero/1.0/}
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kompetensrapport.exceptions import InputError, Problem
from kompetensrapport.inputs.codes import NOT_GIVEN

FILE = "publicering.yml"
#: The site's known accessibility shortcomings, listed in the accessibility statement.
SHORTCOMINGS_FILE = Path("tillganglighet") / "kanda-brister.yml"
_PLACEHOLDER = re.compile(r"^<.*>$", re.S)


class Licence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="SPDX identifier, e.g. CC0-1.0")
    namn: str = Field(min_length=1, description="the licence's name")
    url: str = Field(min_length=1, description="the licence's address")


class Publishing(BaseModel):
    """The schema of ``publicering.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    utgivare: str = Field(min_length=1, description="the public authority that publishes the site")
    utgivare_webbplats: str = Field(min_length=1, description="the publisher's web address")
    webbplats: str = Field(min_length=1, description="where the site is published")
    kontakt_epost: str = Field(min_length=1, description="contact for questions about the report")
    aterkoppling: str = Field(min_length=1, description="feedback route: e-mail address or web form")
    svarstid: str = Field(min_length=1, description="how soon feedback is answered")
    licens: Licence


def unfilled() -> Publishing:
    """The configuration of a project without ``publicering.yml``: every value a placeholder."""
    blank = "<inte ifylld: se publicering.yml i README>"
    return Publishing(utgivare=blank, utgivare_webbplats=blank, webbplats=blank, kontakt_epost=blank,
                      aterkoppling=blank, svarstid=blank, licens=Licence(id=blank, namn=blank, url=blank))


def problems(root: Path) -> list[Problem]:
    """Every problem of the publisher's files (``publicering.yml``, the known shortcomings)."""
    found = []
    for check in (read, known_shortcomings):
        try:
            check(root)
        except InputError as e:
            found += e.problems
    return found


def contacts(config: Publishing) -> tuple[str, ...]:
    """The publisher's contact addresses the site shows (filled in, not placeholders): the
    personal-data scan lets them stand in the site's pages."""
    return tuple(v.strip() for v in (config.kontakt_epost, config.aterkoppling) if not is_placeholder(v))


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(str(value).strip()))


def shown(value: str) -> str:
    """A value as readers see it: a placeholder is :data:`NOT_GIVEN`."""
    return NOT_GIVEN if is_placeholder(value) else value


def placeholders(config: Publishing) -> list[str]:
    """The keys still holding a placeholder (``licens.id`` for nested ones), in file order."""
    found = []
    for key, value in config.model_dump().items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, v in items:
            if is_placeholder(v):
                found.append(f"{key}.{sub}" if sub else key)
    return found


def read(root: Path) -> Publishing:
    """Read and check ``publicering.yml``; an :class:`InputError` names the file, line, key and
    rule of each problem."""
    path = Path(root) / FILE
    display = FILE
    if not path.is_file():
        return unfilled()
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        _raise(display, mark.line + 1 if mark else None, None, None, f"is not valid YAML: {getattr(e, 'problem', e)}")
    if not isinstance(raw, dict):
        _raise(display, None, None, None, "must be a YAML mapping of keys to values")
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in yaml.compose(text, Loader=yaml.SafeLoader).value}
    try:
        return Publishing.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = [str(x) for x in err["loc"]]
            key = loc[0] if loc else None
            rule = {"extra_forbidden": f"unknown key (allowed: {', '.join(Publishing.model_fields)})",
                    "missing": "missing key (required)"}.get(err["type"], err["msg"])
            problems.append(Problem(display, lines.get(key), f"key {'.'.join(loc)}" if loc else None,
                                    err.get("input") if err["type"] != "missing" else None, rule))
        raise InputError(problems) from None


def _raise(file, line, column, value, rule) -> None:
    raise InputError([Problem(file, line, column, value, rule)])


class Shortcoming(BaseModel):
    """One known accessibility shortcoming (``tillganglighet/kanda-brister.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brist: str = Field(min_length=1, description="what is not accessible, and where")
    kriterium: str = Field(min_length=1, description="the WCAG 2.1 success criterion")
    skal: str = Field(min_length=1, description="why, and what is planned")


def known_shortcomings(root: Path) -> list[Shortcoming]:
    """The known accessibility shortcomings, in file order (none when the file is missing)."""
    path = Path(root) / SHORTCOMINGS_FILE
    if not path.is_file():
        return []
    display = SHORTCOMINGS_FILE.as_posix()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        _raise(display, mark.line + 1 if mark else None, None, None, f"is not valid YAML: {getattr(e, 'problem', e)}")
    if not isinstance(raw, list):
        _raise(display, None, None, None, "must be a YAML list of entries (brist, kriterium, skal)")
    problems, result = [], []
    for i, item in enumerate(raw, 1):
        try:
            result.append(Shortcoming.model_validate(item))
        except ValidationError as e:
            for err in e.errors():
                problems.append(Problem(display, None, f"entry {i}, key {'.'.join(str(x) for x in err['loc'])}",
                                        None, err["msg"]))
    if problems:
        raise InputError(problems)
    return result
