"""Quarto: finding the command, and rendering a staging folder's project.

:func:`render_changed` renders what :func:`.incremental.plan` says changed, in separate copies of
the staging project so that Quarto processes that run at once never share its state (``.quarto/``,
``search.json``, ``site_libs/``):

- the HTML pass (``render-html/``): the whole project rendered to HTML in one Quarto process, with
  every page that did not change replaced by a stub (its front matter only), so that links to it
  and the navbar resolve as in a full render while its content costs nothing; the stubs' pages are
  then replaced by the last good site's, and so are their entries in the search index;
- the PDF passes (``render-pdf-<n>/``): the changed förvaltning notebooks rendered to PDF (Typst),
  split over the processes that ``jobs`` leaves beside the HTML pass.

The passes run in parallel (``jobs`` at a time); each prints one line per page or PDF with its
time as Quarto finishes it. The site is then assembled in the staging folder's ``_site``; the
copies are removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kompetensrapport.exceptions import QuartoError
from kompetensrapport.pipeline import incremental


def install_quarto_hint() -> str:
    """How to install Quarto, with a pip command for the Python this program runs in (so that it
    works as printed, without an activated virtual environment)."""
    from kompetensrapport.commands import python_command

    return (f"Install Quarto with `{python_command()} -m pip install quarto-cli` or "
            "`conda install -c conda-forge quarto`, then build again. `--no-render` builds "
            "without the site on purpose.")


def find_quarto() -> str | None:
    """The ``quarto`` command: on PATH, or beside this program's Python (pip's ``quarto-cli`` in
    a virtual environment that is not activated, as ``.venv/bin/kompetensrapport`` runs)."""
    return shutil.which("quarto") or shutil.which("quarto", path=os.path.dirname(sys.executable))


def quarto_version(quarto: str) -> str:
    """What ``quarto --version`` prints (part of what a rendered page depends on)."""
    proc = subprocess.run([quarto, "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or f"unknown ({quarto})"


#: Quarto's line as it starts a file of a project render: ``[2/9] 2023/x.ipynb``.
PROGRESS = re.compile(r"^\[\s*(\d+)/(\d+)\] (\S.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: How many of Quarto's last output lines a failure message quotes.
ERROR_LINES = 15


@dataclass
class Pass:
    """One Quarto process: its folder (a copy of the staging project), its arguments, and the
    sources it really renders (the others in its folder are stubs), each with the site file it
    makes."""

    folder: Path
    args: list[str]
    outputs: dict[str, str]  # source -> site file
    proc: subprocess.Popen | None = None
    failed: bool = False
    current: str | None = None  # the source Quarto was rendering when it failed (None: not known)
    lines: list[str] = field(default_factory=list)


def _copy_tree(staging: Path, folder: Path, stubs: set[str], leave_out: set[str]) -> None:
    """A copy of the staging project in ``folder``: page sources copied (``stubs`` as stubs,
    ``leave_out`` not at all), top-level files copied, the others hard-linked (copied where links cannot be made);
    no ``_site``, no ``.quarto``."""
    pages = set(incremental.sources(staging))
    for here, dirs, files in os.walk(staging):
        rel_dir = Path(here).relative_to(staging)
        if rel_dir == Path("."):
            dirs[:] = [d for d in dirs if d not in incremental.NOT_CONTENT]
        (folder / rel_dir).mkdir(parents=True, exist_ok=True)
        for name in files:
            rel = (rel_dir / name).as_posix()
            src, dst = Path(here) / name, folder / rel
            if rel in leave_out or name == incremental.MANIFEST:
                continue
            if rel in stubs:
                dst.write_text(incremental.stub_text(src), encoding="utf-8")
            elif rel in pages or rel_dir == Path("."):
                # sources and the project's own files are copied: a pass may rewrite them (never
                # through a link into the staging folder)
                shutil.copyfile(src, dst)
            else:
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copyfile(src, dst)


def _groups(items: list[str], n: int, size) -> list[list[str]]:
    """``items`` in ``n`` groups of about equal total ``size``, largest first."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(n, len(items))))]
    totals = [0] * len(groups)
    for item in sorted(items, key=size, reverse=True):
        i = totals.index(min(totals))
        groups[i].append(item)
        totals[i] += size(item)
    return [g for g in groups if g]


def passes(plan: incremental.Plan, staging: Path, work: Path, jobs: int) -> list[Pass]:
    """The Quarto processes that carry out ``plan`` (their folders are made in ``work``)."""
    made = []
    if plan.site_pass:
        folder = work / "render-html"
        _copy_tree(staging, folder, stubs=set(plan.kept_html), leave_out=set())
        made.append(Pass(folder, ["render", "--to", "html"], {s: incremental.output_of(s) for s in plan.html}))
    room = max(1, jobs - len(made))
    pages = set(plan.sources)
    for n, group in enumerate(_groups(plan.pdf, room, lambda s: (staging / s).stat().st_size)):
        folder = work / f"render-pdf-{n + 1}"
        _copy_tree(staging, folder, stubs=set(), leave_out=pages - set(group))
        import yaml

        config_path = folder / "_quarto.yml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        config["project"]["render"] = group
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        made.append(Pass(folder, ["render", "--to", "typst"],
                         {s: incremental.output_of(s, ".pdf") for s in sorted(group)}))
    return made


def _run(quarto: str, job: Pass, done, lock: threading.Lock, stopping: threading.Event) -> None:
    """Run one pass; ``done(site_file, seconds, ok)`` as each of its real sources is finished.
    Nothing starts once ``stopping`` is set."""
    env = {**os.environ, "NO_COLOR": "1"}
    with lock:
        if stopping.is_set():
            return
        # in a process group of its own, so that stopping it also stops its pandoc and typst
        job.proc = subprocess.Popen([quarto, *job.args], cwd=job.folder, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, errors="replace", env=env,
                                    start_new_session=True)
    current, since = None, time.perf_counter()
    reported = set()

    def finish(source, ok=True):
        nonlocal since
        now = time.perf_counter()
        if source in job.outputs and source not in reported:
            reported.add(source)
            with lock:
                done(job.outputs[source], now - since, ok)
        since = now

    for raw in job.proc.stdout:
        line = ANSI.sub("", raw).rstrip()
        job.lines.append(line)
        started = PROGRESS.match(line.strip())
        if started:
            if current is not None:
                finish(current)
            current = started.group(3).strip()
    code = job.proc.wait()
    if code != 0:
        job.failed = True
        job.current = current or (next(iter(job.outputs)) if len(job.outputs) == 1 else None)
        if job.current:
            finish(job.current, ok=False)
        return
    if current is not None:
        finish(current)
    for source in job.outputs:  # one file alone: Quarto prints no [1/1]
        finish(source)


def _failure(job: Pass, sources: list[str]) -> str:
    """A failed pass's page and Quarto's error lines: those after it started that page, from
    Quarto's first ``ERROR`` line, without the stack frames, with the copy's folder left out. The
    page is the one Quarto was rendering, or else the first page source its error names."""
    tail = job.lines
    for i in range(len(job.lines) - 1, -1, -1):
        if PROGRESS.match(job.lines[i].strip()):
            tail = job.lines[i + 1:]
            break
    tail = [line.replace(str(job.folder) + os.sep, "").replace(str(job.folder), ".") for line in tail
            if line.strip() and not line.lstrip().startswith("at ")]
    first = next((i for i, line in enumerate(tail) if line.lstrip().startswith("ERROR")), 0)
    tail = tail[first:first + ERROR_LINES]
    said = "\n".join(tail)
    source = job.current or next((s for s in sorted(sources, key=len, reverse=True) if s in said), None)
    if source is None:
        what = "the site"
    else:
        output = job.outputs.get(source) or incremental.output_of(source, ".pdf" if job.args[-1] == "typst" else ".html")
        what = f"the {'PDF' if output.endswith('.pdf') else 'page'} {output} (from {source})"
    return (f"quarto could not render {what} (exit {job.proc.returncode}); the published site is unchanged. "
            f"Quarto said:\n{said}")


def render_changed(quarto: str, staging: Path, plan: incremental.Plan, jobs: int, done=None) -> None:
    """Render what ``plan`` says changed, in parallel (``jobs`` Quarto processes at a time), and
    assemble the site in ``staging/_site`` from their output and the last good site. Raises a
    QuartoError naming the page and quoting Quarto when a page or PDF fails."""
    staging = Path(staging)
    work = staging.parent
    todo = passes(plan, staging, work, jobs)
    lock = threading.Lock()
    stopping = threading.Event()
    report = done or (lambda *_: None)
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo) or 1)))
    try:
        for future in [pool.submit(_run, quarto, job, report, lock, stopping) for job in todo]:
            future.result()
        failed = [job for job in todo if job.failed]
        if failed:
            raise QuartoError("\n".join(_failure(job, plan.sources) for job in failed))
        _assemble(staging, plan, todo)
    finally:
        # interrupted or failed: no pass starts any more, the running ones are ended
        stopping.set()
        with lock:
            for job in todo:
                if job.proc is not None and job.proc.poll() is None:
                    try:
                        os.killpg(job.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        pool.shutdown(wait=True)
        for job in todo:
            shutil.rmtree(job.folder, ignore_errors=True)
    incremental.write_manifest(staging, plan.manifest)


def _assemble(staging: Path, plan: incremental.Plan, done: list[Pass]) -> None:
    """The site in ``staging/_site``: the HTML pass's site with the stubs' pages and search
    entries taken from the last good site (or that site as it was, without an HTML pass), and
    each PDF rendered now or kept."""
    site = staging / "_site"
    html = next((job for job in done if job.args[-1] == "html"), None)
    previous = plan.previous
    if html is not None:
        os.replace(html.folder / "_site", site)
        for source in plan.kept_html:
            page = incremental.output_of(source)
            shutil.copyfile(previous / page, site / page)
            support = Path(page).with_suffix("").as_posix() + "_files"
            if (previous / support).is_dir():
                shutil.rmtree(site / support, ignore_errors=True)
                shutil.copytree(previous / support, site / support)
        if plan.kept_html:
            _merge_search(site / "search.json", previous / "search.json",
                          {incremental.output_of(s) for s in plan.kept_html})
    else:
        shutil.copytree(previous, site)
    for source in plan.kept_pdf:
        shutil.copyfile(previous / incremental.output_of(source, ".pdf"), site / incremental.output_of(source, ".pdf"))
    for job in done:
        if job is html:
            continue
        for output in job.outputs.values():
            os.replace(job.folder / "_site" / output, site / output)


def _merge_search(now: Path, before: Path, kept: set[str]) -> None:
    """Quarto's search index with the entries of the ``kept`` pages (rendered as stubs now)
    taken from the last good index, in the place the stubs' entries had."""
    page = lambda doc: doc["href"].split("#")[0]  # noqa: E731
    old = json.loads(before.read_text(encoding="utf-8")) if before.is_file() else []
    merged, placed = [], set()
    for doc in json.loads(now.read_text(encoding="utf-8")):
        href = page(doc)
        if href not in kept:
            merged.append(doc)
        elif href not in placed:
            placed.add(href)
            merged += [d for d in old if page(d) == href]
    for href in sorted(kept - placed):  # a page whose stub has no entry
        merged += [d for d in old if page(d) == href]
    now.write_text(json.dumps(merged, ensure_ascii=False, indent=2), encoding="utf-8")
