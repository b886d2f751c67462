"""The report's versions and the page "Ändringar och rättelser".

Each publication of a year is a version, ``<år>.<löpnummer>`` (2023.1, 2023.2, ...). The project
keeps the record of them, to be committed with the data:

- ``publiceringar/<år>.yml``: one entry per version: ``version``, ``datum`` (YYYY-MM-DD),
  ``commit`` (the project's git commit; ``+ändringar`` when files had uncommitted changes) and
  ``data`` (a hash of the year's data files);
- ``publiceringar/<år>/<version>/*.csv``: the data files each version published.

A build compares ``data/<år>/`` with the last published version's files and writes the page
:data:`kompetensrapport.present.changes.FILE`: every changed value, added and removed row, with
the reasons from ``rattelser/<år>.csv`` (:mod:`kompetensrapport.inputs.corrections`), and the
earlier versions with their own changes. Beside the page it writes :data:`STAMP`, what the page was
made from, so that ``kompetensrapport publish`` can tell a site made from other inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kompetensrapport.exceptions import InputError, Problem

RECORDS = "publiceringar"
#: Where, in a publication's folder, the earlier versions' downloads are kept.
ARCHIVE = "versioner"
#: What the build's page was made from, in the Quarto project beside the page (not rendered).
STAMP = ".andringar.json"
ENTRY_KEYS = ("version", "datum", "commit", "data")


@dataclass(frozen=True)
class Record:
    """One published version of a year."""

    version: str
    datum: str
    commit: str
    data: str


def records_path(root: Path, year: int) -> Path:
    """The record of ``year``'s versions."""
    return Path(root, RECORDS, f"{year}.yml")


def snapshot_dir(root: Path, year: int, version: str) -> Path:
    """The data files ``version`` published."""
    return Path(root) / RECORDS / str(year) / version


def version_name(year: int, number: int) -> str:
    return f"{year}.{number}"


def next_version(year: int, records: list[Record]) -> str:
    return version_name(year, len(records) + 1)


def archive_link(version: str) -> str:
    """The address, from the site's start folder, of an earlier version's downloads."""
    return f"{ARCHIVE}/{version}/index.html"


def file_hash(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes; ``none`` when there is no file."""
    path = Path(path)
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "none"


def data_hash(folder: Path) -> str:
    """``sha256:<hex>`` of the ``*.csv`` files in ``folder`` (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def read_records(root: Path, year: int) -> list[Record]:
    """The published versions of ``year``, oldest first (none when the file does not exist). An
    :class:`InputError` names the file, line, key, value and rule of every problem."""
    path = records_path(root, year)
    shown = f"{RECORDS}/{year}.yml"
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
        nodes = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError([Problem(shown, mark.line + 1 if mark else None, None, None,
                                  f"is not valid YAML: {getattr(e, 'problem', e)}")]) from None
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError([Problem(shown, 1, None, None, "must be a YAML list of versions (- version: ...)")])
    problems, records = [], []
    for i, (entry, node) in enumerate(zip(raw, nodes.value), start=1):
        line = node.start_mark.line + 1
        if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
            keys = sorted(entry) if isinstance(entry, dict) else entry
            problems.append(Problem(shown, line, None, keys, f"each version has exactly the keys {', '.join(ENTRY_KEYS)}"))
            continue
        values = {k: str(entry[k]) for k in ENTRY_KEYS}
        if values["version"] != version_name(year, i):
            problems.append(Problem(shown, line, "version", values["version"],
                                    f"entry {i} must be version {version_name(year, i)} (versions are numbered in order)"))
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", values["datum"]):
            problems.append(Problem(shown, line, "datum", values["datum"], "must be a date written YYYY-MM-DD"))
        records.append(Record(**values))
    if problems:
        raise InputError(problems)
    return records


def records_text(year: int, records: list[Record]) -> str:
    head = (f"# The published versions of the report for {year}, written by `kompetensrapport publish`.\n"
            f"# Commit this file together with {RECORDS}/{year}/ (the data each version published).\n")
    entries = [{k: getattr(r, k) for k in ENTRY_KEYS} for r in records]
    return head + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, default_style=None)


@dataclass
class State:
    """What the page "Ändringar och rättelser" shows for a year, and what publishing checks."""

    year: int
    records: list[Record]
    version: str  # the version the next publication gets
    current: object  # the explained changes since the last version (a frame), or None
    unused: list  # corrections of ``version`` that cover no change
    published: list  # present.changes.Published, oldest first
    stamp: dict


def state(root: Path, year: int) -> State:
    """Compare ``data/<år>/`` with the last published version of ``year``, and each published
    version with the one before, and attach the analyst's reasons. An :class:`InputError` for an
    unreadable record, corrections file, data file or a missing snapshot folder."""
    from kompetensrapport.domain import changes
    from kompetensrapport.inputs import corrections
    from kompetensrapport.present.changes import Published

    root = Path(root)
    records = read_records(root, year)
    reasons = corrections.read(root, year)
    missing = [r.version for r in records if not snapshot_dir(root, year, r.version).is_dir()]
    if missing:
        raise InputError([Problem(f"{RECORDS}/{year}/{v}/", None, None, None,
                                  f"is missing: the data version {v} published belong here (commit this folder "
                                  f"with {RECORDS}/{year}.yml)") for v in missing])
    frames = [corrections.texts(snapshot_dir(root, year, r.version), root) for r in records]
    now = corrections.texts(root / "data" / str(year), root)
    keys = corrections.row_keys(set(now).union(*frames))
    published = []
    for i, r in enumerate(records):
        explained = None
        if i:
            explained, _ = changes.explain(changes.compare(frames[i - 1], frames[i], keys), reasons, r.version)
        published.append(Published(r.version, r.datum, explained, archive_link(r.version)))
    version = next_version(year, records)
    current, unused = None, [c for c in reasons if c.version == version]
    if records:
        current, unused = changes.explain(changes.compare(frames[-1], now, keys), reasons, version)
    stamp = {"year": year, "version": version, "data": data_hash(root / "data" / str(year)),
             "corrections": file_hash(corrections.path(root, year)), "records": file_hash(records_path(root, year))}
    return State(year, records, version, current, unused, published, stamp)


def write_changes_page(site_dir: Path, root: Path, year: int) -> None:
    """Write the page "Ändringar och rättelser" of ``year`` and its :data:`STAMP` into the
    Quarto project ``site_dir``."""
    from kompetensrapport.present import changes as page

    s = state(root, year)
    (Path(site_dir) / page.FILE).write_text(page.page(year, s.version, s.current, s.published), encoding="utf-8")
    (Path(site_dir) / STAMP).write_text(json.dumps(s.stamp, indent=1) + "\n", encoding="utf-8")


def today() -> str:
    return dt.date.today().isoformat()
