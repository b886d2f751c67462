"""``kompetensrapport publish``: copy the last good site into a target folder as a new version.

The target is a web root or the work tree of a checked-out pages branch. Publishing version
``<år>.<n>``:

1. refuses (an :class:`InputError`, exit 1) while ``publicering.yml`` holds placeholders, while a
   changed data value has no reason in ``rattelser/<år>.csv``, while a reason there covers no
   change, or while the built site was made from other data, reasons or versions than the
   project holds now (build again);
2. refuses (a :class:`UsageError`, exit 2) a target that holds something else than a published
   report, or not the earlier versions this project recorded;
3. writes the new site into a temporary folder beside the target: the built ``_site``, the
   earlier versions' downloads under ``versioner/<version>/`` (the previous version's taken from
   the target's current site), the target's hidden entries (``.git``, ``.nojekyll``, ...) and
   ``CNAME``, and the list of publications, ``versioner/publiceringar.json``;
4. swaps that folder with the target, then records the version in ``publiceringar/<år>.yml`` and
   the published data in ``publiceringar/<år>/<version>/``.

The guarantee: readers of the target see the whole previous site or the whole new one, never a
mixture. The swap is one ``renameat2(RENAME_EXCHANGE)`` call where the system has it (Linux 3.15
and later, on local file systems): at every moment the target path holds one complete site.
Where it does not, the swap is two renames, and for the moment between them the target path does
not exist (a reader gets "not found", never a partial site). Any failure before the swap (a
refusal, a failed copy, an interruption) leaves the target and the project's records as they
were; the temporary folder is removed (a killed run's is removed by the next publish).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import html
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from kompetensrapport.exceptions import BuildLockedError, InputError, Problem, UsageError
from kompetensrapport.pipeline import generations, versions

#: The list of publications in a target, also what marks a folder as one ``publish`` wrote.
MARKER = f"{versions.ARCHIVE}/publiceringar.json"
#: Entries of a target's top folder that publishing keeps as they are (besides hidden ones).
KEPT = ("CNAME",)
#: renameat2's flag that swaps two paths, and the "current folder" of the *at calls (Linux).
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def publish(root: Path, year: int, target: Path, dry_run: bool = False, out=print) -> versions.Record:
    """Publish the last good site of ``year`` in ``root`` into ``target`` as the next version
    (see the module's description); ``dry_run``: check and say what would be published, write
    nothing. Returns the version's record."""
    from kompetensrapport.pipeline import cache, site

    root = Path(root).resolve()
    target = Path(target).resolve()  # a symbolic link: the folder it leads to is replaced
    if not target.parent.is_dir():
        raise UsageError(f"--target {target}: its folder {target.parent} does not exist")
    if target == root or target.is_relative_to(root / generations.BUILD_DIR):
        raise UsageError(f"--target {target} is the project or its build folder: give the folder readers "
                         "are served from (a web root or a pages-branch checkout)")
    with generations.project_lock(root):
        gen = generations.current_dir(root)
        built = gen / "reports" / "_site" if gen else None
        if built is None or not (built / "index.html").is_file():
            raise UsageError(f"{root} has no built site to publish: run kompetensrapport build --year {year} "
                             "(with Quarto installed) first")
        if not cache.read(gen / "reports" / str(year)).get("rendered"):
            raise UsageError(f"the last build of {year} did not render the site (--no-render, or Quarto "
                             f"missing): run kompetensrapport build --year {year} with Quarto installed first")
        s = versions.state(root, year)
        refusals = _placeholders(root) + _stale(root, year, gen, s) + _unexplained(year, s)
        if refusals:
            raise InputError(refusals)
        record = versions.Record(s.version, versions.today(), site.git_version(root),
                                 versions.data_hash(root / "data" / str(year)))
        with _target_lock(target):
            listed = _check_target(target, year, s.records)
            if dry_run:
                out(f"Checked: {root / '_site'} can be published into {target} as version {record.version} "
                    f"({_summary(s)}). Nothing was written (--dry-run).")
                return record
            try:
                _replace(root, year, target, built, s, record, listed)
            except OSError as e:  # shutil.Error too: a copy that failed (its message lists every file)
                what = str(e)
                raise UsageError(f"could not publish into {target}: {what[:300]}{'...' if len(what) > 300 else ''}; "
                                 f"the target and {versions.RECORDS}/ are unchanged") from e
    out(f"Published version {record.version} of the report for {year} into {target} ({_summary(s)}).")
    out(f"Commit the record: git add {versions.RECORDS}/{year}.yml {versions.RECORDS}/{year}/{record.version} "
        f"&& git commit -m 'Publish {record.version}'")
    return record


def _summary(s: versions.State) -> str:
    if s.current is None:
        return f"the first version of {s.year}"
    return f"{len(s.current)} change(s) since version {s.records[-1].version}"


def _placeholders(root: Path) -> list[Problem]:
    """One problem per key of ``publicering.yml`` that still holds a placeholder."""
    import yaml

    from kompetensrapport.inputs import publishing

    keys = publishing.placeholders(publishing.read(root))
    lines = {}
    for key, value in yaml.compose((root / publishing.FILE).read_text(encoding="utf-8"), Loader=yaml.SafeLoader).value:
        lines[key.value] = key.start_mark.line + 1
        for sub, _ in value.value if isinstance(value, yaml.MappingNode) else []:
            lines[f"{key.value}.{sub.value}"] = sub.start_mark.line + 1
    return [Problem(publishing.FILE, lines.get(key), f"key {key}", None,
                    "is still a placeholder (<...>): fill in the publisher's details before publishing")
            for key in keys]


def _stale(root: Path, year: int, gen: Path, s: versions.State) -> list[Problem]:
    """A problem for each input that changed since the build that made the site: the data, the
    reasons, the record of versions (from the page's :data:`versions.STAMP`), and anything else the
    build reads (the build's key of its inputs, :func:`cache.inputs_key`)."""
    from kompetensrapport.pipeline import cache

    try:
        stamp = json.loads((gen / "reports" / versions.STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}
    again = f"run kompetensrapport build --year {year}, then publish"
    if stamp.get("year") != year:
        return [Problem(f"data/{year}", None, None, None, f"the last build did not make the report for {year}: {again}")]
    shown = {"data": f"data/{year}", "corrections": f"rattelser/{year}.csv", "records": f"{versions.RECORDS}/{year}.yml"}
    problems = [Problem(shown[key], None, None, None, f"changed since the last build made the site: {again}")
                for key in shown if stamp.get(key) != s.stamp[key]]
    built = cache.read(gen / "reports" / str(year)).get("inputs")
    if not problems and built != cache.inputs_key(root, year):
        why = ("was built in part (--only)" if built is None else "was built before the code, notebooks, parameters "
               "or publisher files (publicering.yml, _quarto.yml, tillganglighet/) last changed")
        problems.append(Problem("_site", None, None, None, f"{why}: {again}"))
    return problems


def _unexplained(year: int, s: versions.State) -> list[Problem]:
    """A problem for each change without a reason, and for each reason of this version that
    covers no change."""
    from kompetensrapport.domain.changes import ADDED, REMOVED
    from kompetensrapport.inputs import corrections

    problems = []
    if s.current is not None:
        previous = s.records[-1].version
        for c in s.current[s.current["skal"] == ""].itertuples(index=False):
            line = f"{s.version},{c.fil},{c.rad},{c.kolumn},<skäl>,<YYYY-MM-DD>"
            if c.typ == ADDED:
                what, file, column, value = "row added", f"data/{year}/{c.fil}", None, None
            elif c.typ == REMOVED:
                what, file, column, value = ("row removed",
                                             f"{versions.RECORDS}/{year}/{previous}/{c.fil}", None, None)
            else:
                what, file, column, value = f"changed from {c.tidigare!r}", f"data/{year}/{c.fil}", c.kolumn, c.nu
            problems.append(Problem(file, c.rad, column, value, f"{what} since version {previous}, and "
                                    f"{corrections.display(year)} gives no reason: add the line {line}"))
    for c in s.unused:
        problems.append(Problem(corrections.display(year), c.line, "rad", c.rad,
                                f"covers no change of {c.fil} in version {c.version}: correct the line and column "
                                "to those of the changed value (see the page Ändringar och rättelser) or remove it"))
    return problems


@contextmanager
def _target_lock(target: Path):
    """Keep a second publish into the same target out (a lock file beside it)."""
    with open(target.parent / f".{target.name}.publish.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLockedError(f"another publish into {target} is running; wait for it to finish") from None
        for leftover in target.parent.glob(f".{target.name}.publish-*"):  # of a killed publish
            shutil.rmtree(leftover, ignore_errors=True)
        yield


def _check_target(target: Path, year: int, records: list[versions.Record]) -> list[dict]:
    """The target's list of publications; a UsageError when the target holds something else than
    a published report, or not the versions of ``year`` this project recorded."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"--target {target} is a file, not a folder")
    marker = target / MARKER
    if not marker.is_file():
        other = sorted(p.name for p in target.iterdir() if not _kept(p.name)) if target.is_dir() else []
        if other:
            raise UsageError(f"--target {target} holds files that no publish wrote ({', '.join(other[:5])}"
                             f"{', ...' if len(other) > 5 else ''}): give an empty folder, or one that "
                             "kompetensrapport publish wrote")
        listed = []
    else:
        try:
            listed = json.loads(marker.read_text(encoding="utf-8"))["publiceringar"]
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(f"{marker} is not a list of publications: the target was changed by hand") from None
    theirs = [p["version"] for p in listed if p.get("ar") == year]
    ours = [r.version for r in records]
    if theirs != ours:
        raise UsageError(f"--target {target} holds versions {', '.join(theirs) or 'none'} of {year}, but "
                         f"{versions.RECORDS}/{year}.yml records {', '.join(ours) or 'none'}: publish into the "
                         "folder that holds the earlier versions (or copy it there first), from the project "
                         "whose record is committed")
    absent = [v for v in ours[:-1] if not (target / versions.ARCHIVE / v).is_dir()]
    if absent:
        raise UsageError(f"--target {target} lacks the downloads of version(s) {', '.join(absent)} "
                         f"({versions.ARCHIVE}/<version>/): restore them before publishing")
    return listed


def _kept(name: str) -> bool:
    return name.startswith(".") or name in KEPT


def _replace(root: Path, year: int, target: Path, built: Path, s: versions.State, record: versions.Record,
             listed: list[dict]) -> None:
    """Write the new site beside the target, swap it in and record the version."""
    pid = os.getpid()
    staging = target.parent / f".{target.name}.publish-{pid}"
    snapshot = versions.snapshot_dir(root, year, record.version)
    snapshot_tmp = snapshot.parent / f".{record.version}.tmp-{pid}"
    records = versions.records_path(root, year)
    records_tmp = records.parent / f".{records.name}.tmp-{pid}"
    created = not target.exists()
    made: list[Path] = []  # folders of publiceringar/ this publish made
    git_moved = swapped = snapshotted = False
    try:
        shutil.copytree(built, staging)
        if not created:
            _carry(target, staging, year, s.records[-1].version if s.records else None)
        (staging / versions.ARCHIVE).mkdir(exist_ok=True)
        entry = {"ar": year, "version": record.version, "datum": record.datum, "commit": record.commit}
        (staging / MARKER).write_text(json.dumps({"publiceringar": listed + [entry]}, ensure_ascii=False, indent=1)
                                      + "\n", encoding="utf-8")
        if snapshot.exists():
            raise UsageError(f"{snapshot} exists but {records} does not record version {record.version}: "
                             "remove the folder or restore the record")
        made = [d for d in (snapshot.parent.parent, snapshot.parent) if not d.exists()]
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot_tmp.mkdir()
        for csv in sorted((root / "data" / str(year)).glob("*.csv")):
            shutil.copyfile(csv, snapshot_tmp / csv.name)
        records_tmp.write_text(versions.records_text(year, [*s.records, record]), encoding="utf-8")
        if (target / ".git").exists():  # the pages branch's repository moves with the work tree
            os.rename(target / ".git", staging / ".git")
            git_moved = True
        _swap(staging, target)
        swapped = True
        os.rename(snapshot_tmp, snapshot)
        snapshotted = True
        os.replace(records_tmp, records)
    except BaseException:
        if snapshotted:
            shutil.rmtree(snapshot, ignore_errors=True)
        if swapped and created:
            shutil.rmtree(target, ignore_errors=True)
        elif swapped:
            _swap(staging, target)
        if git_moved:
            os.rename(staging / ".git", target / ".git")
        shutil.rmtree(snapshot_tmp, ignore_errors=True)
        records_tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(snapshot_tmp, ignore_errors=True)
        records_tmp.unlink(missing_ok=True)


def _carry(target: Path, staging: Path, year: int, previous: str | None) -> None:
    """Copy into the new site what stays from the target: the earlier versions, the previous
    version's downloads (from the target's current site), the hidden entries but ``.git``, and
    :data:`KEPT`."""
    old_archive = target / versions.ARCHIVE
    if old_archive.is_dir():
        shutil.copytree(old_archive, staging / versions.ARCHIVE, dirs_exist_ok=True)
    if previous:
        _archive(target / str(year), staging / versions.ARCHIVE / previous, year, previous)
    for entry in target.iterdir():
        if _kept(entry.name) and entry.name != ".git" and not (staging / entry.name).exists():
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, staging / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, staging / entry.name, follow_symlinks=False)


def _archive(year_dir: Path, dest: Path, year: int, version: str) -> None:
    """Copy a year's downloads (``nedladdning/``) and PDFs into ``dest`` with a page listing them."""
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    downloads = year_dir / "nedladdning"
    if downloads.is_dir():
        shutil.copytree(downloads, dest / "nedladdning", dirs_exist_ok=True)
        files += [f"nedladdning/{p.name}" for p in sorted(downloads.iterdir()) if p.is_file()]
    for pdf in sorted(year_dir.glob("*.pdf")):
        shutil.copyfile(pdf, dest / pdf.name)
        files.append(pdf.name)
    (dest / "index.html").write_text(archive_page(year, version, files), encoding="utf-8")


def archive_page(year: int, version: str, files: list[str]) -> str:
    """The page listing an earlier version's files (names escaped for HTML)."""
    pdfs = [f for f in files if not f.startswith("nedladdning/")]
    tables = [f for f in files if f.startswith("nedladdning/")]

    def items(names):
        return "\n".join(f'<li><a href="{html.escape(n)}">{html.escape(n.split("/")[-1])}</a></li>' for n in names)

    title = f"Version {version} av rapporten för {year}"
    parts = [f"<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n"
             f"</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>Filerna som version {version} publicerade. Den aktuella "
             f"versionen finns på <a href=\"../../index.html\">rapportens startsida</a>; vad som har ändrats står "
             f"på sidan <a href=\"../../andringar.html\">Ändringar och rättelser</a>.</p>"]
    if pdfs:
        parts.append(f"<h2>Rapporter som PDF</h2>\n<ul>\n{items(pdfs)}\n</ul>")
    if tables:
        parts.append(f"<h2>Tabeller att ladda ned</h2>\n<ul>\n{items(tables)}\n</ul>")
    if not files:
        parts.append("<p>Versionen hade inga filer att ladda ned.</p>")
    return "\n".join(parts) + "\n</main>\n</body>\n</html>\n"


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` (and the old target at ``new``) in one step where the system can."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    old = target.parent / f"{new.name}.old"
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where the system or the
    file system has no such call."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if function(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
