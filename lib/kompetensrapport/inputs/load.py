"""Reading a year's data files: ``data/<år>/*.csv`` through the schemas in :mod:`.schemas`.

Files are read as text with Python's csv module, so that every row keeps the line number it has
in the file (a quoted field may span lines), then validated lazily with pandera so that every
failure is reported at once, each as a :class:`~kompetensrapport.exceptions.Problem` naming the
file, the line, the column, the value and the rule.

Choices for what analysts' tools produce (documented in the README):

- a UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted: it is unambiguous;
- a file that is not UTF-8 (Latin-1/Windows-1252 from an older Excel) is rejected;
- a semicolon-separated file (Swedish Excel's "CSV") is rejected with a message that says how to
  save it, because its numbers use decimal commas that would be read differently per column.

pandera and the schemas are imported when a file is validated: a build's notebooks get the data
the build validated (:data:`VALIDATED_ENV`) and never import them.

Example::

    data = load_year(Path("."), 2023)
    data["regionbidrag.csv"].belopp_mnkr.sum()
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pickle
import re
from pathlib import Path

import pandas as pd

from kompetensrapport.exceptions import InputError, Problem, UsageError
from kompetensrapport.paths import display_path

BOM = "\ufeff"


def data_dir(root: Path, year: int) -> Path:
    return Path(root) / "data" / str(year)


def read_table(path: Path, display: str) -> tuple[pd.DataFrame | None, list[int], list[Problem]]:
    """Read one CSV file as text. Returns the frame (all str, empty cells as NA), the line number
    of each row, and the structural problems found (then the frame may be None)."""
    if not path.is_file():
        return None, [], [Problem(display, None, None, None, "file is missing")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [], [Problem(display, line, None, raw[max(0, e.start - 10): e.end + 10].decode("latin-1"),
                                  "file is not UTF-8 (save it as 'CSV UTF-8' in Excel)")]
    if text.startswith(BOM):
        text = text[1:]
    if not text.strip():  # also a file holding only a byte-order mark (an empty sheet from Excel)
        return None, [], [Problem(display, None, None, None, "file is empty (it needs at least the header row)")]
    first = text.lstrip("\r\n").splitlines()[0]
    if ";" in first and "," not in first:
        return None, [], [Problem(display, 1, None, first[:60],
                                  "file is semicolon-separated; save it as 'CSV UTF-8 (comma-separated)' "
                                  "with a dot as decimal separator")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    rows, lines = [], []
    start = 1  # the line the record being read begins on (a quoted field may span lines)
    try:
        header = next(reader)
        if not any(cell.strip() for cell in header):
            return None, [], [Problem(display, 1, None, None, "the first line is empty: the header row "
                                      "(the column names) must be the first line")]
        start = reader.line_num + 1
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                hint = (" (a decimal comma in a number? write numbers with a dot)"
                        if len(record) > len(header) and re.search(r"\d,\d", ",".join(record)) else "")
                problems.append(Problem(display, line, None, ",".join(record)[:60],
                                        f"row has {len(record)} fields, the header has {len(header)}{hint}"))
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error as e:
        hint = " (a quote opened on this line is never closed)" if "end of data" in str(e) else ""
        problems.append(Problem(display, start, None, None, f"is not valid CSV: {e}{hint}"))
        return None, [], problems
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    for h in dupes:
        problems.append(Problem(display, 1, h, None, "column appears twice in the header"))
    if dupes:
        return None, [], problems
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame = frame.replace({"": pd.NA})
    return frame, lines, problems


#: A plain number as the README asks for it: digits, an optional sign and decimal point.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_PLAIN_INTEGER = re.compile(r"^[+-]?\d+$")
PLAIN_NUMBER_RULE = "must be a plain number (dot as decimal separator, no spaces or units)"
WHOLE_NUMBER_RULE = "must be a plain whole number (no decimals, spaces or units)"
UNKNOWN_COLUMN_RULE = "unknown column (not in the schema; was a column renamed or added?)"
MISSING_COLUMN_RULE = "required column is missing"
EMPTY_CELL_RULE = "must not be empty"


def _number_form(dtype) -> tuple[re.Pattern, str] | None:
    """How a cell of a number column of type ``dtype`` is written, and the rule saying so
    (whole numbers without a decimal point); None for a column of another type."""
    kind = str(dtype).lower()
    if "int" in kind:
        return _PLAIN_INTEGER, WHOLE_NUMBER_RULE
    if "float" in kind:
        return _PLAIN_NUMBER, PLAIN_NUMBER_RULE
    return None


def _schema_problems(err: pa.errors.SchemaErrors, display: str, lines: list[int], frame: pd.DataFrame) -> list[Problem]:
    """Every failure of a lazy validation as a problem. The rule of a failed check is the check's
    own ``error`` text (see :mod:`.schemas`); what is not a check (an unknown or a missing
    column, a value of the wrong type, an empty cell, a duplicated key) is told apart by
    pandera's reason code."""
    import pandera.pandas as pa
    from pandera.errors import SchemaErrorReason as Reason

    errors = err.schema_errors
    # a value that cannot be coerced also fails the dtype check and, column-wide, every value
    # check (pandera runs them on the text): report only the coercion
    not_coerced = {e.schema.name for e in errors if e.reason_code == Reason.DATATYPE_COERCION}
    problems: list[Problem] = []
    for e in errors:
        reason = e.reason_code
        column = e.schema.name if isinstance(e.schema, pa.Column) else None
        if reason == Reason.COLUMN_NOT_IN_SCHEMA:
            problems.append(Problem(display, None, str(e.failure_cases), None, UNKNOWN_COLUMN_RULE))
        elif reason == Reason.COLUMN_NOT_IN_DATAFRAME:
            problems.append(Problem(display, None, str(e.failure_cases), None, MISSING_COLUMN_RULE))
        elif reason in (Reason.DUPLICATES, Reason.SERIES_CONTAINS_DUPLICATES):
            problems += _duplicate_problems(e.failure_cases, column, display, lines, frame)
        elif reason == Reason.DATATYPE_COERCION or (reason == Reason.WRONG_DATATYPE and column not in not_coerced):
            form = _number_form(e.schema.dtype)
            problems += _cell_problems(e.failure_cases, column, form[1] if form else f"cannot be read as {e.schema.dtype}",
                                       display, lines, frame)
        elif reason == Reason.SERIES_CONTAINS_NULLS:
            problems += _cell_problems(e.failure_cases, column, EMPTY_CELL_RULE, display, lines, frame)
        elif reason == Reason.CHECK_ERROR:
            if not not_coerced:  # else it ran on text that could not be read as numbers: reported
                problems.append(Problem(display, None, column, None,
                                        f"{_rule(e.check)} (the check could not be run: {e.failure_cases})"))
        elif reason == Reason.DATAFRAME_CHECK and column is None:  # a rule on whole rows
            rows = sorted({int(i) for i in e.failure_cases["index"].dropna()})
            problems += [Problem(display, _line(lines, i), None, None, _rule(e.check)) for i in rows]
        elif reason == Reason.DATAFRAME_CHECK:
            problems += _cell_problems(e.failure_cases, column, _rule(e.check), display, lines, frame)
        elif not (reason == Reason.WRONG_DATATYPE and column in not_coerced):
            problems.append(Problem(display, None, column, None, str(e)))
    return _dedupe(problems)


def _rule(check) -> str:
    """The rule a check states (its ``error`` text; every check in :mod:`.schemas` has one)."""
    return check.error or check.name


def _line(lines: list[int], index) -> int | None:
    """The line in the file of the row at position ``index``, or None."""
    try:
        return lines[int(index)]
    except (TypeError, ValueError, IndexError):
        return None


def _cell_problems(failure_cases: pd.DataFrame, column: str, rule: str, display: str, lines: list[int],
                   frame: pd.DataFrame) -> list[Problem]:
    """One problem per failing cell of ``column``, with the value as the file writes it."""
    problems = []
    for rec in failure_cases.to_dict("records"):
        index = rec.get("index")
        value = _raw_cell(frame, index, column)  # as written in the file ('-400', not -400.0)
        problems.append(Problem(display, _line(lines, index), column, value, rule))
    return problems


def _duplicate_problems(failure_cases: pd.DataFrame, column: str | None, display: str, lines: list[int],
                        frame: pd.DataFrame) -> list[Problem]:
    """One problem per row whose key (``column``, or the columns of the schema's ``unique``)
    another row has too, naming the lines of the others."""
    key = [column] if column is not None else list(dict.fromkeys(failure_cases["column"].astype(str)))
    rows = sorted({int(i) for i in failure_cases["index"].dropna()})
    value = {i: " / ".join(_raw_cell(frame, i, c) or "(empty)" for c in key) for i in rows}
    problems = []
    for i in rows:
        others = [str(_line(lines, j)) for j in rows if j != i and value[j] == value[i]]
        problems.append(Problem(display, _line(lines, i), ", ".join(key), value[i],
                                f"duplicated row: the key ({', '.join(key)}) must be unique; "
                                f"the same key stands on line(s) {', '.join(others)}"))
    return problems


def _raw_cell(frame: pd.DataFrame, index, column) -> str | None:
    """The text of one cell as read from the file, or None (no such cell, or an empty one)."""
    if index is None or pd.isna(index) or not isinstance(column, str) or column not in frame.columns:
        return None
    try:
        raw = frame.iloc[int(index)][column]
    except (ValueError, IndexError):
        return None
    return None if raw is None or raw is pd.NA or (isinstance(raw, float) and pd.isna(raw)) else str(raw)


def _plain_number_problems(file: str, frame: pd.DataFrame, lines: list[int], display: str) -> list[Problem]:
    """Numbers Python would read but the README does not allow: 'inf', 'nan', '1e3', '1_000'.

    pandera coerces text with ``float()``, which accepts these; a plain number is digits with
    an optional sign and decimal point (whole numbers without one)."""
    from kompetensrapport.inputs.schemas import FILES

    problems = []
    for name, column in FILES[file].to_schema().columns.items():
        form = _number_form(column.dtype)
        if name not in frame.columns or form is None:
            continue
        pattern, rule = form
        for i, value in enumerate(frame[name]):
            if isinstance(value, str) and not pattern.match(value):
                problems.append(Problem(display, lines[i], name, value, rule))
    return problems


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.line, p.column, str(p.value), p.rule)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def validate_frame(file: str, frame: pd.DataFrame, lines: list[int], display: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate a text frame against its schema; return the typed frame or the problems."""
    import pandera.pandas as pa

    from kompetensrapport.inputs.schemas import BOOL_COLUMNS, FILES

    model = FILES[file]
    plain = _plain_number_problems(file, frame, lines, display)
    try:
        typed = model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        found = _schema_problems(err, display, lines, frame)
        reported = {(p.line, p.column) for p in found}
        return None, found + [p for p in plain if (p.line, p.column) not in reported]
    if plain:
        return None, plain
    typed = typed.reset_index(drop=True)
    for col in BOOL_COLUMNS.get(file, []):
        typed[col] = typed[col] == "true"
    # pandas' NA in object columns -> None for plain Python use; keep floats as NaN.
    typed.attrs["lines"] = Lines(lines)
    typed.attrs["file"] = display
    numeric = [c for c in typed.columns if pd.api.types.is_numeric_dtype(typed[c]) and c in frame.columns]
    typed.attrs["written"] = Written({c: tuple(v if isinstance(v, str) else None for v in frame[c]) for c in numeric})
    return typed, []


class Lines(tuple):
    """The line in the file of each row (``frame.attrs["lines"]``). pandas deep-copies ``attrs``
    into every frame an operation makes; being immutable, this is shared instead of copied
    (which took a third of the shortage tables' time)."""

    def __deepcopy__(self, memo):
        return self


class Written(dict):
    """The text of each numeric cell as the file writes it (``frame.attrs["written"]``: column ->
    one text per row), so that a message shows ``4800`` where the file says 4800, not the number
    read from it (``4800.0``). Shared, not copied, by the frames pandas makes (as :class:`Lines`),
    and equal only to itself (pandas compares ``attrs`` when it joins frames)."""

    def __deepcopy__(self, memo):
        return self

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__


def written(frame: pd.DataFrame, row, column: str) -> str | None:
    """The text of one numeric cell as written in its file; ``row`` is the row's label (its
    position in the file's frame, which filtering keeps). None when it is not known."""
    texts = frame.attrs.get("written", {}).get(column)
    try:
        text = texts[int(row)] if texts is not None else None
    except (IndexError, TypeError, ValueError):
        return None
    return text if isinstance(text, str) else None


def read_year(root: Path, year: int, files: list[str] | None = None,
              reuse: dict | None = None) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read and validate every data file of a year, and look for personal data in each (see
    :mod:`.privacy`). Returns what could be read and all problems. ``reuse`` (see
    :func:`reusable`) holds files as an earlier validation found them good: a file whose bytes
    are the same is taken from it instead of being checked again."""
    from kompetensrapport.pipeline import privacy
    from kompetensrapport.inputs.schemas import FILES

    root = Path(root)
    folder = data_dir(root, year)
    if not folder.is_dir():
        raise UsageError(f"no data folder for {year}: {folder} does not exist")
    data, problems = {}, []
    for file in files or FILES:
        path = folder / file
        kept = (reuse or {}).get(file)
        if kept is not None and path.is_file() and kept[0] == _digest(path):
            data[file] = kept[1]
            continue
        display = display_path(path, root)
        frame, lines, found = read_table(path, display)
        problems += found
        problems += privacy.table_problems(frame, lines, display) if frame is not None else privacy.file_problems(path, display)
        if frame is None or found:
            continue
        typed, found = validate_frame(file, frame, lines, display)
        problems += found
        if typed is not None:
            data[file] = typed
    known = set(FILES)
    for extra in sorted(folder.glob("*.csv")):
        if extra.name not in known:
            problems.append(Problem(display_path(extra, root), None, None, None,
                                    f"unknown data file (expected one of: {', '.join(sorted(known))})"))
    return data, problems


def _digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def keep_validated(path: Path, root: Path, year: int, data: dict[str, pd.DataFrame], code: str) -> None:
    """Keep a year's validated files in ``path`` with the hash of each file's bytes and the
    ``code`` that validated them (the package and its environment), for :func:`reusable`."""
    folder = data_dir(root, year)
    record = {"code": code, "files": {f: (_digest(folder / f), frame) for f, frame in data.items()
                                      if (folder / f).is_file()}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


def reusable(path: Path, code: str) -> dict:
    """The files :func:`keep_validated` kept in ``path`` (file -> (hash, frame)), when the same
    ``code`` validated them; else none."""
    try:
        record = pickle.loads(Path(path).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return {}
    return record.get("files", {}) if isinstance(record, dict) and record.get("code") == code else {}


#: Set by the build for its kernels: a folder of ``<år>.pkl`` files, each the year's data as the
#: build validated it moments before, with the hash of the files it read (see :func:`save_validated`).
VALIDATED_ENV = "KOMPETENSRAPPORT_VALIDATED"


def data_key(root: Path, year: int) -> str:
    """A hash of every file in ``data/<år>/`` (names and bytes)."""
    from kompetensrapport.pipeline import cache

    h = hashlib.sha256()
    cache.hash_files(h, cache.files_in(data_dir(root, year)))
    return h.hexdigest()


def save_validated(folder: Path, root: Path, year: int, data: dict[str, pd.DataFrame]) -> Path:
    """Keep a year's validated data for the build's notebooks (:data:`VALIDATED_ENV`), so that
    each of them does not validate the same files again."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{year}.pkl"
    record = {"root": str(Path(root).resolve()), "key": data_key(root, year), "data": data}
    path.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def _validated(root: Path, year: int) -> dict[str, pd.DataFrame] | None:
    """The build's validated data of the year, when it was made from exactly these files."""
    folder = os.environ.get(VALIDATED_ENV)
    if not folder:
        return None
    try:
        record = pickle.loads((Path(folder) / f"{year}.pkl").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    if record.get("root") != str(Path(root).resolve()) or record.get("key") != data_key(root, year):
        return None  # another project, or a file changed since the build validated it
    return record["data"]


def load_year(root: Path, year: int) -> dict[str, pd.DataFrame]:
    """Every data file of a year, validated; raise :class:`InputError` listing all problems.
    In a build's notebooks the build's own validation of the same files is reused."""
    validated = _validated(root, year)
    if validated is not None:
        return validated
    data, problems = read_year(root, year)
    if problems:
        raise InputError(problems)
    return data


def previous_year(root: Path, year: int) -> dict[str, pd.DataFrame] | None:
    """The year before's data when ``data/<år−1>/`` exists (validated), else None."""
    if not data_dir(root, year - 1).is_dir():
        return None
    return load_year(root, year - 1)


def rows_for(data: dict[str, pd.DataFrame], file: str, forvaltning: str, year: int | None = None) -> pd.DataFrame:
    """The rows of one data file that belong to a förvaltning, in the order of the source
    (an empty frame when the file was not loaded). With ``year``, a file that has an ``ar``
    column gives only that year's rows (the rows a section of that year's report shows)."""
    frame = data.get(file)
    if frame is None:
        return pd.DataFrame()
    keep = frame.forvaltning == forvaltning
    if year is not None and "ar" in frame.columns:
        keep &= frame.ar == year
    return frame[keep].reset_index(drop=True)
