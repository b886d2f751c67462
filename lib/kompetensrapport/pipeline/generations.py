"""Build generations: each build writes a complete Quarto project into its own staging folder
``.build/gen-<time>-<pid>/reports/``; :func:`publish` switches one symlink, ``.build/current``,
to it with an atomic rename. ``reports`` and ``_site`` in the project folder are symlinks through
``.build/current``, so readers see either the whole previous build or the whole new one. A lock
file keeps a second build in the same project out (:func:`project_lock`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from kompetensrapport.exceptions import BuildLockedError, UsageError

BUILD_DIR = ".build"


@contextmanager
def project_lock(root: Path):
    """Hold ``.build/lock`` for the duration of a build; refuse if another build holds it."""
    folder = root / BUILD_DIR
    folder.mkdir(exist_ok=True)
    fh = open(folder / "lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise BuildLockedError(f"another build is running in {root} ({holder}); wait for it to finish "
                               "and run the build again") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def current_dir(root: Path) -> Path | None:
    """The published generation (``.build/current`` resolved), or None before the first build."""
    link = root / BUILD_DIR / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def publish(root: Path, gen: Path) -> None:
    """Switch ``.build/current`` to ``gen`` atomically and make sure the public symlinks exist."""
    build = root / BUILD_DIR
    tmp = build / f"current.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(gen.name)
    os.replace(tmp, build / "current")
    for name, target in (("reports", f"{BUILD_DIR}/current/reports"), ("_site", f"{BUILD_DIR}/current/reports/_site")):
        link = root / name
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() and not link.is_symlink():
            raise UsageError(f"{link} is a real folder; the build publishes through a symlink there. "
                             f"Move it away and build again.")
        tmp = root / f".{name}.{os.getpid()}.tmp"
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(target)
        os.replace(tmp, link)


def cleanup(root: Path, keep: set[Path]) -> None:
    """Remove staging folders of earlier builds (finished, failed or killed)."""
    for old in (root / BUILD_DIR).glob("gen-*"):
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in (root / BUILD_DIR).glob("current.*.tmp"):
        tmp.unlink(missing_ok=True)


def carry_over(previous: Path | None, staging: Path, year: int, keep_this_year: bool) -> None:
    """Copy what this build does not remake from the published generation: other years, and with
    ``--only`` the other förvaltningar of this year."""
    staging.mkdir(parents=True)
    if previous is None:
        return
    src = previous / "reports"
    for child in src.iterdir():
        if child.is_dir() and child.name.isdigit() and (child.name != str(year) or keep_this_year):
            shutil.copytree(child, staging / child.name)
