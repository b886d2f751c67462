"""Personal data in what a build would publish: e-mail addresses, Swedish phone numbers and the
personal names that stand in the source documents.

The report shows roles, never names (``data/<år>/README.md``). :func:`scan` looks through
executed notebooks (every cell's source and every output, the notebook's metadata) and generated
pages and downloads (``.qmd``, ``.md``, ``.html``, ``.csv``, ``.yml``, ``.xlsx``, …) and returns
one :class:`Finding` per hit; :func:`check` raises :class:`PersonalDataError` (exit status 1)
when there is any. A finding shows the matched text partly masked, so an error message never
repeats the personal data it found.

:func:`table_problems` and :func:`file_problems` look for the same in the data and parameter
files, so that ``kompetensrapport validate`` reports it against the file, the line and the
column before anything is built (the scan of the built output stays the last guard).

The names are never written in this package: :data:`NAME_HASHES` holds the salted SHA-256 of
each normalised full name (Unicode NFC, casefolded, single spaces). :func:`scan` hashes every
run of two or three consecutive capitalised words (hyphenated names count as one word, as
``Lars-Åke``; ``Efternamn, Förnamn`` is tried the other way round) and compares. The list
covers every person named in the five 2023 source documents: the staff listed under "Resurser"
and in the contact line of the Fokus report (002), and the directors and managers named in the
Koncernkontoret's verksamhetsberättelse (004); names that only occur inside the name of an
organisation (a foundation, an academy) are not persons and are left out. To add a name for a
new year's documents::

    python -c "from kompetensrapport.pipeline.privacy import name_hash; print(name_hash('Förnamn Efternamn'))"

and add the printed hash to :data:`NAME_HASHES` (never the name).

Example::

    findings = scan([Path("reports/2023")])
    check([Path(".build/gen-…/reports")], root=Path(".build/gen-…/reports"))
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kompetensrapport.exceptions import KompetensrapportError, Problem
from kompetensrapport.paths import display_path

SALT = b"kompetensrapport/privacy/v1:"

#: Salted SHA-256 (see :func:`name_hash`) of every personal name in the source documents.
NAME_HASHES = frozenset({
    "0651c37846f10375dccc618cd79ce9859415d6fc6c035df5576a1ec12ef28325",
    "071e9dc7ee7e7f55b427746b200c43608b3765ed0bac6b1e3229f8d08df14119",
    "14d3eade10d766327b425199accdc524b0fd7d1e172bfba54562627126425b97",
    "1672a3ddf70b3366a497d66bfc1dc00c5add6d79c78b383ab743834f8db4deda",
    "18dc4d2e4e8e5a3b198e0a08886ae1bf8c2bad6bf056d6661ef4c3057956c863",
    "18dd583b03cd474e7e2e11c7a7d9bc023939a5638016baf0a670eb27fda3b8db",
    "320b3f06de8c032e6b635623e44b6f5afbdc63f6a9219c3076b958d5d4fb79bb",
    "46ca3415c508b2d5be7477fde4090a4972eca046dea9408be20e5c8c643f6415",
    "527d29d9ad57d1ec6eb7c64eefce4cec5738437f2677cc6c318a73dc740f24e2",
    "6b579fc4bfd099884e695153d5cd4e7d5bc42f24756e5490117bd2fc05bdce64",
    "6c00b460db6264a46f640bb094fb5c418076c2d30c063c361afc1ff5cbd8f8b4",
    "8637208680df8d1a624d7067e30bc9daf3d5ee8db4758bf7b7102426ab15cda2",
    "9d4a8d198aaec465479f40349c397bd036f8c1bd8318b55fdc5176c7c6decad7",
    "a12589cdaf7d7fda4d1701f7d8a91371be020fb7297d26cd3eb8a72c70078292",
    "a2e4824ce59a331f5fa32f9042660ca6de2a4e7656ee4c5f2844f0f3f0f719a5",
    "b3c6cad05d3a26bc7993917b3551972763dcb6247ce6ece4fe04584e0d2bdea5",
    "b783834c293a1ccc5d1c6076e9828956bcce409de96357473476d7c0ad206cd1",
    "be2e8fd1d36b3c929c6d60218c0a581421b2fd1abe087e3f34a8eb6c347ad287",
    "cd02976e2be18cd06c9bb475f07d9ca751b9fbc5ccd8ebea670b83fbed5a577d",
    "cf30af507ffd6bab18882f624af123dea549fa938595cf4c766e1ccf6f48bc06",
    "d0100b8a096c6b0af8782cd2891751146ec2a68ea4ad119a7f88097f2ff603a3",
    "d350e6721070c24b4a56b246352a6cced8506bd1755a363d54297444a1a97705",
    "d611f647058bba0f8f57a5d2490b31847487a06a020fff6b0a3dfb346c2bd1d7",
    "da5921771f562d02ced84b42ccff8c2f0dda0f90eefef85e26c3ded8bcf4fc1e",
    "ea0e3812524e724c9ce4d9359bc4afffe18232f56191bea5c9ea9265e03614d6",
    "f2bf5948a90c77090a0eeb63abd1615f6031356edd1de1a7a23efbadb678b831",
    "fef2b796907d566bd4edcdd974f85a7edacf28a5c22778e45bbbeb6b6471741a",
    "ffa6e8aaf018abb0ffa675689faedbc130e4e5a0381c2b0aa135b1bad5239a69",
})

#: Files read as text; ``.ipynb`` and ``.xlsx`` are read by structure, everything else is skipped
#: (images hold no text this scan could read).
TEXT_SUFFIXES = {".qmd", ".md", ".html", ".htm", ".csv", ".txt", ".yml", ".yaml", ".json", ".svg", ".tex", ".typ"}
SCANNED_SUFFIXES = TEXT_SUFFIXES | {".ipynb", ".xlsx"}

RULE_EMAIL = "e-mail address"
RULE_PHONE = "phone number"
RULE_NAME = "personal name from the source documents"

_SEP = "[ \u00a0\u202f-]"
#: An e-mail address; also a fragment without a top-level domain ("namn@skane").
EMAIL = re.compile(r"(?<![\w.%+-])[\w][\w.%+-]*@[\w-]+(?:\.[\w-]+)*")
#: A Swedish phone number: national (040-675 30 00, 0709-12 34 56, 08-123 456 78) or
#: international (+46 40 675 30 00, +46 (0)40-675 30 00, 0046 …). Digit counts are checked after.
PHONE = re.compile(
    r"(?<![\w+/\-])(?<!\d[.,:])(?:"
    rf"(?P<intl>(?:\+|00)46{_SEP}?(?:\(0\){_SEP}?)?[1-9]\d{{0,2}}(?:{_SEP}?\d{{2,4}}){{1,4}})"
    rf"|(?P<national>0[1-9]\d{{0,3}}(?:{_SEP}?\d{{2,4}}){{2,4}})"
    r")(?!\w|[.,]\d)"
)
#: Every upper-case letter of the Basic Multilingual Plane: a name's words start with one.
_UPPER = "".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper()}))
#: A word (letters, possibly joined by hyphens: Lise-Lott) that starts with an upper-case letter,
#: the only words :func:`_capitalised` accepts; found by the regex engine rather than by testing
#: every word in Python.
CAPITAL_WORD = re.compile(rf"(?<![^\W\d_])(?<![^\W\d_]-)[{re.escape(_UPPER)}][^\W\d_]*(?:-[^\W\d_]+)*")
#: Two or more such words in a row, apart only by white space or a comma: the only places a
#: name can stand (most capitalised words stand alone and are passed over by the regex engine).
CAPITAL_RUN = re.compile(rf"{CAPITAL_WORD.pattern}(?:(?:\s+|\s*,\s*){CAPITAL_WORD.pattern})+")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: where it stands, the text partly masked, and the rule."""

    file: str
    cell: int | None  # index in the notebook's cells (the executed notebook), or None
    line: int | None  # line in the file or in the cell's source; None in an output
    text: str  # masked, e.g. "V******* H******"
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.cell is not None:
            where.append(f"cell {self.cell}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {self.text} ({self.rule})"


class PersonalDataError(KompetensrapportError):
    """What the build would publish holds personal data; nothing was published."""

    exit_code = 1

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        lines = [f"{len(self.findings)} piece(s) of personal data in the built pages; nothing was published. "
                 "The report shows roles, never names or contact details: remove them from the data or "
                 "the notebook and build again."]
        lines += [f"  - {f}" for f in self.findings]
        super().__init__("\n".join(lines))


# -- names ---------------------------------------------------------------------------------

def normalise(name: str) -> str:
    """The form a name is hashed in: NFC, casefolded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def name_hash(name: str) -> str:
    """The salted SHA-256 of a normalised full name (what :data:`NAME_HASHES` holds)."""
    return hashlib.sha256(SALT + normalise(name).encode("utf-8")).hexdigest()


def _capitalised(word: str) -> bool:
    parts = word.split("-")
    return all(p[:1].isupper() and (p[1:].islower() or p[1:].isupper()) and len(p) > 1 for p in parts)


def _names(text: str) -> list[tuple[int, str]]:
    """(offset, matched text) of every known name: runs of 2–3 capitalised words whose hash is
    listed, longest first, and ``Efternamn, Förnamn`` pairs read the other way round."""
    found = []
    for run in CAPITAL_RUN.finditer(text):
        found += _names_in_run(text, run.start(), run.end())
    return found


def _names_in_run(text: str, start: int, end: int) -> list[tuple[int, str]]:
    words = [m for m in CAPITAL_WORD.finditer(text, start, end) if _capitalised(m.group())]
    found, i = [], 0
    while i < len(words):
        hit = 0
        for n in (3, 2):
            run = words[i:i + n]
            if len(run) < n or any(text[a.end():b.start()].strip() for a, b in zip(run, run[1:])):
                continue
            if name_hash(" ".join(m.group() for m in run)) in NAME_HASHES:
                found.append((run[0].start(), text[run[0].start():run[-1].end()]))
                hit = n
                break
        if not hit and i + 1 < len(words):
            a, b = words[i], words[i + 1]
            if text[a.end():b.start()].strip() == "," and name_hash(f"{b.group()} {a.group()}") in NAME_HASHES:
                found.append((a.start(), text[a.start():b.end()]))
                hit = 2
        i += hit or 1
    return found


# -- e-mail addresses and phone numbers ----------------------------------------------------

def _phones(text: str) -> list[tuple[int, str]]:
    found = []
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if m.group("intl"):
            national = digits[4:] if digits.startswith("0046") else digits[2:]
            national = national[1:] if national.startswith("0") else national  # "(0)"
            ok = 7 <= len(national) <= 9
        else:
            ok = 8 <= len(digits) <= 10 and not digits.startswith("00")
        if ok:
            found.append((m.start(), m.group()))
    return found


def _emails(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in EMAIL.finditer(text)]


# -- masking -------------------------------------------------------------------------------

def mask(text: str, rule: str) -> str:
    """Enough to find the spot, not enough to read the personal data."""
    text = " ".join(text.split())  # a no-break space or a line break shows as a space
    if rule == RULE_EMAIL:
        local, _, domain = text.partition("@")
        tld = domain.rsplit(".", 1)[1] if "." in domain else ""
        return f"{local[:1]}***@{domain[:1]}***" + (f".{tld}" if tld else "")
    if rule == RULE_PHONE:
        head, body = text[:3], text[3:]
        keep = len(body) - 2
        return head + "".join("*" if ch.isdigit() and i < keep else ch for i, ch in enumerate(body))
    return re.sub(r"(?<=[^\W\d_])[^\W\d_]", "*", text)


def find_in_text(text: str) -> list[tuple[int, str, str]]:
    """Every finding in one text as (offset, matched text, rule), in the order they stand."""
    return list(_find_in_text(text))


@functools.lru_cache(maxsize=1024)
def _find_in_text(text: str) -> tuple:
    """:func:`find_in_text`, once per distinct text: a notebook output stands in its HTML and its
    Markdown form, and a region-wide section on several pages."""
    hits = [(o, t, RULE_EMAIL) for o, t in _emails(text)]
    hits += [(o, t, RULE_PHONE) for o, t in _phones(text)]
    hits += [(o, t, RULE_NAME) for o, t in _names(text)]
    return tuple(sorted(hits))


def _findings(text: str, file: str, cell: int | None = None, lines: bool = True,
              allowed: frozenset = frozenset()) -> list[Finding]:
    """Findings in one text; ``lines=False`` for a notebook output (the cell says where it is).
    A match in ``allowed`` (the publisher's own contact addresses) is not one."""
    return [Finding(file, cell, 1 + text.count("\n", 0, offset) if lines else None, mask(match, rule), rule)
            for offset, match, rule in find_in_text(text) if match not in allowed]


# -- files ---------------------------------------------------------------------------------

def _output_texts(output: dict) -> list[str]:
    """The readable text of one notebook output (images other than SVG are skipped)."""
    kind = output.get("output_type")
    if kind == "stream":
        return [_joined(output.get("text", ""))]
    if kind == "error":
        return [_ANSI.sub("", "\n".join([output.get("ename", ""), output.get("evalue", ""),
                                         *output.get("traceback", [])]))]
    texts = []
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue
        text = _joined(value) if isinstance(value, (str, list)) else json.dumps(value, ensure_ascii=False)
        texts.append(html.unescape(text) if "html" in mime or "svg" in mime else text)
    return texts


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# -- input files: data and parameter files -------------------------------------------------

#: The rule of personal data found in a data or parameter file; ``{kind}`` is the rule above.
INPUT_RULE = ("personal data ({kind}): the report shows roles, never names or contact details; "
              "write the role instead, or remove it")


def _input_problems(text: str, display: str, line: int | None, column: str | None) -> list[Problem]:
    return [Problem(display, line, column, mask(match, rule), INPUT_RULE.format(kind=rule))
            for _, match, rule in find_in_text(text)]


def table_problems(frame, lines, display: str) -> list[Problem]:
    """Personal data in a data file read as text (a frame of str cells, as
    :func:`kompetensrapport.inputs.load.read_table` returns it, and the line each row begins on): one
    :class:`~kompetensrapport.exceptions.Problem` per finding, naming the file, the line and the
    column, with the finding masked as in :class:`Finding`."""
    found = []
    try:
        for column in frame.columns:
            found += _input_problems(str(column), display, 1, None)
            for i, value in enumerate(frame[column]):
                if isinstance(value, str) and value:
                    found += _input_problems(value, display, lines[i] if i < len(lines) else None, str(column))
    finally:
        _find_in_text.cache_clear()
    return sorted(found, key=lambda p: (p.line or 0, p.column or ""))


def text_problems(text: str, display: str, column_of_line=None) -> list[Problem]:
    """Personal data in a text file (a parameter file, or a data file too broken to read as a
    table), one problem per finding with its line; ``column_of_line(line)`` names the key or
    column a line belongs to, when known."""
    found = []
    try:
        for i, line_text in enumerate(text.splitlines(), start=1):
            if line_text.strip():
                found += _input_problems(line_text, display, i, column_of_line(i) if column_of_line else None)
    finally:
        _find_in_text.cache_clear()
    return found


def file_problems(path: Path, display: str, column_of_line=None) -> list[Problem]:
    """:func:`text_problems` of a file; nothing for a file that is missing or not UTF-8 (its
    reader reports that)."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return text_problems(text, display, column_of_line)


def _scan_notebook(path: Path, display: str) -> list[Finding]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = _findings(json.dumps(nb.get("metadata", {}), ensure_ascii=False), display, lines=False)
    for i, cell in enumerate(nb.get("cells", [])):
        found += _findings(_joined(cell.get("source", "")), display, i)
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                found += _findings(text, display, i, lines=False)
    return found


def _scan_xlsx(path: Path, display: str) -> list[Finding]:
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                text = html.unescape(z.read(name).decode("utf-8", errors="replace"))
                found += [Finding(f"{display}:{name}", None, None, f.text, f.rule)
                          for f in _findings(text, display, lines=False)]
    return found


def _scan_file(path: Path, display: str, allowed: frozenset = frozenset()) -> list[Finding]:
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return _scan_notebook(path, display)
    if suffix == ".xlsx":
        return _scan_xlsx(path, display)
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm", ".svg"):
        text = html.unescape(text)
    return _findings(text, display, allowed=allowed)


def _files(paths) -> list[Path]:
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SCANNED_SUFFIXES)
        elif p.is_file():
            files.append(p)
    return files


def scan(paths, root: Path | None = None) -> list[Finding]:
    """Every piece of personal data in ``paths`` (files, or folders searched recursively for
    notebooks, pages and downloads). File names are shown relative to ``root`` when given."""
    scanner = Scanner(root)
    scanner.update(paths)
    return scanner.findings()


def check(paths, root: Path | None = None) -> None:
    """Raise :class:`PersonalDataError` listing every finding (masked) when there is any."""
    scanner = Scanner(root)
    scanner.update(paths)
    scanner.check()


class Scanner:
    """A scan made in parts, as files are finished, that reports as :func:`scan` does.

    :meth:`update` scans the files it has not seen and those changed since (another size,
    time or inode: a file written again); :meth:`findings` covers the files as they were last
    scanned. The build scans each notebook when it finishes, while others run, and at the end
    what is left::

        scanner = Scanner(root=staging)
        scanner.update([staging / "index.qmd"])  # any time
        scanner.update([staging])  # at the end: only what is new or changed
        scanner.check()
    """

    def __init__(self, root: Path | None = None, allowed=()):
        """``allowed``: texts that are not personal data wherever they stand in the site's pages
        (not in notebooks or downloads): the publisher's contact addresses from publicering.yml,
        which the accessibility statement and the open-data catalogue must show."""
        self.root = root
        self.allowed = frozenset(allowed)
        self._seen: dict[Path, tuple] = {}  # file -> (its stat when scanned, its findings)

    def update(self, paths) -> None:
        try:
            for path in _files(paths):
                st = path.stat()
                stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
                seen = self._seen.get(path)
                if seen is None or seen[0] != stamp:
                    self._seen[path] = (stamp, _scan_file(path, display_path(path, self.root), self.allowed))
        finally:
            _find_in_text.cache_clear()  # the texts are not kept between scans

    def findings(self) -> list[Finding]:
        found = [f for path in sorted(self._seen) if path.exists() for f in self._seen[path][1]]
        return list(dict.fromkeys(found))  # the same text in an output's HTML and Markdown: once

    def check(self) -> None:
        """Raise :class:`PersonalDataError` listing every finding (masked) when there is any."""
        found = self.findings()
        if found:
            raise PersonalDataError(found)
