"""The build: plan what changed, validate, execute the notebooks, write the Quarto pages, render,
and publish the new generation (see :mod:`.generations`).

Nothing is written where the published output lives until everything has succeeded. Each
build works in a new staging folder ``.build/gen-<time>-<pid>/reports/`` (a complete Quarto
project); at the end one symlink, ``.build/current``, is switched to it with an atomic rename.
``reports`` and ``_site`` in the project folder are symlinks through ``.build/current``, so
readers see either the whole previous build or the whole new one, never a mix: a failed,
interrupted or killed build leaves them exactly as they were, and the next build removes its
leftovers. A lock file makes a second build in the same project refuse with a clear message.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kompetensrapport.pipeline import cache, generations
from kompetensrapport.pipeline import render as rendering
from kompetensrapport.exceptions import NotebookError, QuartoError, UsageError

NOTEBOOK = "notebooks/forvaltning.ipynb"
OVERVIEW = "notebooks/oversikt.ipynb"


#: What a project folder holds, for every command that reads one (``--root``).
PROJECT_PARTS = ("_quarto.yml", "data/", "params/")


def require_project(root: Path, notebooks: bool = True) -> None:
    """Raise a UsageError naming ``root`` and what it lacks when it is not a project folder: the
    ``_quarto.yml`` template, ``data/``, ``params/`` and (for a build, ``notebooks``) the two
    notebooks."""
    root = Path(root).resolve()
    parts = [*PROJECT_PARTS, *((NOTEBOOK, OVERVIEW) if notebooks else ())]
    missing = [part for part in parts
               if not ((root / part).is_dir() if part.endswith("/") else (root / part).is_file())]
    if missing:
        raise UsageError(f"{root} is not a kompetensrapport project folder: it has no "
                         f"{', no '.join(missing)}. Give the project folder with --root DIR, "
                         "or run the command in it.")


@dataclass
class Outcome:
    year: int
    results: list = field(default_factory=list)
    rendered: bool = False
    reports: Path | None = None
    site: Path | None = None
    message: str = ""


def _say(out, text: str) -> None:
    if out:
        out(text)


def build(root: Path, year: int, only: list[str] | None = None, render: bool = True, jobs: int | None = None,
          force: bool = False, out=print) -> Outcome:
    """Build the report of ``year`` in ``root``. Raises a KompetensrapportError subclass on failure.

    Notebooks whose inputs are unchanged since the last good build are not run again (see
    :mod:`.cache`); ``force=True`` runs them all. A build with nothing changed starts no kernel
    and no render."""
    root = Path(root).resolve()
    started = time.perf_counter()
    require_project(root)
    with generations.project_lock(root):
        inputs = cache.inputs_key(root, year)
        if not force and not only:
            unchanged = _unchanged(root, year, inputs, render, started, out)
            if unchanged is not None:
                return unchanged
        # what a real build needs (pandas, pandera, papermill, ...) is imported only now
        from kompetensrapport.pipeline import warm

        # the warm server imports what the workers and kernels need in its own process, on the
        # other core, while this one validates the data; stopped at once when validation fails
        server = warm.Server(log=root / generations.BUILD_DIR / "kernel-server.log").start()
        try:
            return _build_year(root, year, only, render, jobs, force, out, started, inputs, server)
        finally:
            server.stop()


def _build_year(root: Path, year: int, only, render: bool, jobs, force: bool, out, started: float,
                inputs: str, server) -> Outcome:
    from kompetensrapport.inputs import load, validate

    _say(out, f"Validating data/{year} and params/{year} ...")
    # the files unchanged since the last good validation are taken from it: a build after one
    # changed value checks that file (and the checks across files) only
    code = cache.code_key(root)
    kept = root / generations.BUILD_DIR / f"validated-{year}.pkl"
    report = validate.require_valid(root, year, reuse=load.reusable(kept, code))
    load.keep_validated(kept, root, year, report.data, code)
    # what the rest of the build needs is imported once the data are known to be good
    from kompetensrapport.inputs import publishing
    from kompetensrapport.pipeline import execute, privacy, site
    from kompetensrapport.present import downloads

    plist = report.params
    known = {p.forvaltning for p in plist}
    for slug in only or []:
        if slug not in known:
            raise UsageError(f"--only {slug}: no params/{year}/{slug}.yaml (known: {', '.join(sorted(known))})")
    generations.cleanup(root, keep={p for p in [generations.current_dir(root)] if p})
    previous = generations.current_dir(root)
    prev_year = previous / "reports" / str(year) if previous else None
    old = cache.read(prev_year)
    year_dir_name = str(year)
    # the licence and the site's address, for the downloads' cover sheets (parameters: inputs of every page)
    publisher = downloads.publisher(publishing.read(root), publishing.is_placeholder)
    all_jobs = [(execute.Job(p.forvaltning, str(root / NOTEBOOK), "", {**p.notebook_parameters(root), **publisher},
                             p.namn, front_matter=site.pdf_front_matter(year, p.namn)), list(p.avsnitt))
                for p in plist]
    all_jobs.append((execute.Job("oversikt", str(root / OVERVIEW), "", {"ar": year, "root": str(root), **publisher},
                                 f"Regional översikt {year}"), None))
    memo: dict = {}  # each file is read once for all the pages that read it
    inputs_of = {job.key: cache.job_inputs(root, year, Path(job.notebook), job.parameters, sections, code, memo)
                 for job, sections in all_jobs}
    keys = {key: cache.key_of(page_inputs) for key, page_inputs in inputs_of.items()}
    have = lambda key: prev_year is not None and (prev_year / f"{key}.ipynb").is_file()  # noqa: E731
    stale = lambda key: have(key) and old.get("jobs", {}).get(key) != keys[key]  # noqa: E731
    if only:
        # a published page whose inputs changed is rebuilt too: else it would stay, stale, as unchanged
        candidates = [j for j, _ in all_jobs
                      if j.key in only or stale(j.key) or (j.key == "oversikt" and not have("oversikt"))]
        _say_also_rebuilt(out, only, [j.key for j in candidates if j.key not in only],
                          lambda key: cache.changed_inputs(old.get("job_inputs", {}).get(key), inputs_of[key])
                          if have(key) else [NOT_BUILT])
    else:
        candidates = [j for j, _ in all_jobs]
    to_run = [j for j in candidates if force or not have(j.key) or old.get("jobs", {}).get(j.key) != keys[j.key]]
    final_keys = {k: v for k, v in old.get("jobs", {}).items() if k in keys}
    final_keys.update({j.key: keys[j.key] for j in to_run})
    site_key = cache.site_key(root, final_keys, code)
    quarto = rendering.find_quarto()
    want_render = bool(render and quarto)
    if (not to_run and old.get("site") == site_key and set(final_keys) == set(keys)
            and (not want_render or old.get("rendered"))):
        _say(out, NOTHING_CHANGED)
        return _finish(root, year, started, Outcome(year, [], rendered=bool(old.get("rendered"))),
                       render, quarto, out)
    gen = root / generations.BUILD_DIR / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
    staging = gen / "reports"
    published = False
    try:
        generations.carry_over(previous, staging, year, keep_this_year=True)
        year_dir = staging / year_dir_name
        year_dir.mkdir(exist_ok=True)
        for stale in year_dir.glob("*.ipynb"):  # a förvaltning whose params file was removed
            if stale.stem not in keys:
                stale.unlink()
        # the notebooks reuse this validation of the same files instead of repeating it
        validated = gen / "validated"
        load.save_validated(validated, root, year, report.data)
        env = {**os.environ, load.VALIDATED_ENV: str(validated)}
        # the project folder as the notebooks' kernels reach it from their own folder: a path
        # relative to it, so that no published notebook carries this machine's folders
        here = os.path.relpath(root, year_dir)
        run = [execute.Job(j.key, j.notebook, str(year_dir / f"{j.key}.ipynb"), {**j.parameters, "root": here},
                           j.title, front_matter=j.front_matter, log=str(gen / "logs" / f"{j.key}.log"), env=env)
               for j in to_run]
        # longest first, so that no notebook runs alone at the end while the other workers wait
        run = execute.longest_first(run, cache.read_timings(root / generations.BUILD_DIR, year))
        # the pages around the notebooks do not depend on them: written (and checked for personal
        # data, with the other years' pages) while the kernel server is still starting
        planned = {(year, j.key): j.title for j in run}
        site.write_project(staging, root, report.data, site.pages_in(staging, planned), site.build_info(root, year))
        from kompetensrapport.inputs import publishing

        scanner = privacy.Scanner(root=staging, allowed=publishing.contacts(publishing.read(root)))
        scanner.update([p for p in staging.iterdir() if p != year_dir])
        workers = jobs or os.cpu_count() or 1
        ran = {j.key for j in run}
        reused = sum(1 for key in keys if have(key) and key not in ran)
        _say(out, f"Running {len(run)} notebook(s), {min(workers, max(len(run), 1))} at a time"
                  + (f"; {reused} unchanged, reused from the last build" if reused else "") + " ...")
        # each notebook is scanned as it finishes, while the others run
        results = _run_with_progress(run, workers, out, server,
                                     finished=lambda res: res.ok and scanner.update([res.output]))
        shutil.rmtree(validated, ignore_errors=True)
        failed = [r for r in results if not r.ok]
        if failed:
            raise NotebookError(_failure_message(root, year, failed, run))
        # no personal data may reach the published output: notebooks, pages and downloads
        scanner.update([staging])  # what is new or changed since scanned
        scanner.check()
        outcome = Outcome(year, results, reports=root / "reports", site=root / "_site")
        if want_render:
            _render_with_progress(quarto, staging, previous, workers, force, out)
            outcome.rendered = True
        elif previous is not None and (previous / "reports" / "_site").is_dir():
            shutil.copytree(previous / "reports" / "_site", staging / "_site")
            # the site's record of what it was rendered from goes with it
            from kompetensrapport.pipeline import incremental

            kept_record = previous / "reports" / incremental.MANIFEST
            if kept_record.is_file():
                shutil.copyfile(kept_record, staging / incremental.MANIFEST)
        cache.write(year_dir, final_keys, site_key, outcome.rendered, inputs=None if only else inputs,
                    job_inputs={key: inputs_of[key] for key in final_keys})
        cache.write_timings(root / generations.BUILD_DIR, year, {r.key: r.seconds for r in results if r.ok})
        generations.publish(root, gen)
        published = True
        generations.cleanup(root, keep={gen.resolve()})
        return _finish(root, year, started, outcome, render, quarto, out)
    finally:
        if not published:
            shutil.rmtree(gen, ignore_errors=True)


NOT_BUILT = "not built yet"
#: How many changed inputs a line of the ``--only`` message names before "and N more".
SHOWN_INPUTS = 3


def _say_also_rebuilt(out, only: list[str], also: list[str], changed) -> None:
    """Say which pages a build with ``--only`` rebuilds besides those asked for, and why
    (``changed(key)``: the names of the page's inputs that changed since the last build)."""
    if not also:
        return
    asked = " ".join(f"--only {slug}" for slug in only)
    _say(out, f"{asked}: also rebuilding {len(also)} more page(s), so that none is published stale:")
    for key in also:
        names = changed(key)
        more = f" and {len(names) - SHOWN_INPUTS} more" if len(names) > SHOWN_INPUTS else ""
        why = "not built yet" if names == [NOT_BUILT] else f"{', '.join(names[:SHOWN_INPUTS])}{more} changed"
        _say(out, f"  {key}: {why}")


NOTHING_CHANGED = ("Nothing changed since the last good build: no notebook run, no render "
                   "(--force rebuilds everything).")


def _unchanged(root: Path, year: int, inputs: str, render: bool, started: float, out) -> Outcome | None:
    """The outcome of a build with nothing to do, or None: when every input of the year (see
    :func:`cache.inputs_key`) is as the last good full build read it, the notebooks, pages and site
    it published are what this build would make."""
    previous = generations.current_dir(root)
    old = cache.read(previous / "reports" / str(year) if previous else None)
    if old.get("inputs") != inputs:
        return None
    quarto = rendering.find_quarto()
    if render and quarto and not old.get("rendered"):
        return None  # Quarto was installed since: render now
    _say(out, NOTHING_CHANGED)
    return _finish(root, year, started, Outcome(year, [], rendered=bool(old.get("rendered"))), render, quarto, out)


def _finish(root: Path, year: int, started: float, outcome: Outcome, render: bool, quarto, out) -> Outcome:
    took = time.perf_counter() - started
    if render and not quarto:
        raise QuartoError(f"The notebooks and Quarto pages are built in {root / 'reports'} ({took:.0f} s), "
                          f"but Quarto is not installed, so the site was not rendered. {rendering.install_quarto_hint()}")
    outcome.message = (f"Done in {took:.0f} s: site in {root / '_site'}" if outcome.rendered and render else
                       f"Done in {took:.0f} s: notebooks and Quarto pages in {root / 'reports'} "
                       "(site not rendered: --no-render)")
    _say(out, outcome.message)
    return outcome


def _run_with_progress(run, workers: int, out, server=None, finished=None) -> list:
    """Run the jobs; a progress bar on a terminal, and one line per notebook with status and time.
    ``finished(result)`` is called as each notebook finishes."""
    from kompetensrapport.pipeline import execute

    with _progress(len(run), "notebook", "Notebooks", out) as say_done:
        def done(res, n, total):
            say_done(n, res.key, res.ok, res.seconds)
            if finished:
                finished(res)

        return execute.run_all(run, workers, on_done=done, server=server)


@contextmanager
def _progress(total: int, unit: str, desc: str, out):
    """A progress bar of ``total`` items on a terminal, and a function that says one line per
    item done with its status and time: ``say_done(n, name, ok, seconds)``."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=not total or not sys.stderr.isatty(),
               leave=False, desc=desc)

    def say_done(n: int, name: str, ok: bool, seconds: float) -> None:
        line = f"  [{n}/{total}] {name:<40} {'ok' if ok else 'FAILED':<6} {seconds:6.1f} s"
        if bar.disable:
            _say(out, line)
        else:
            bar.write(line)
        bar.update()

    try:
        yield say_done
    finally:
        bar.close()


def _render_with_progress(quarto: str, staging: Path, previous: Path | None, workers: int, force: bool, out) -> None:
    """Render what changed since the last good site (see :mod:`.incremental`), ``workers`` Quarto
    processes at a time: a progress bar on a terminal, and one line per page and PDF with its time."""
    from kompetensrapport.pipeline import incremental

    plan = incremental.plan(staging, previous / "reports" if previous else None,
                            rendering.quarto_version(quarto), force=force)
    total = len(plan.html) + len(plan.pdf)
    kept = len(plan.kept_html) + len(plan.kept_pdf)
    why = f" ({'; '.join(plan.reasons)})" if plan.full and plan.previous is not None else ""
    _say(out, f"Rendering {len(plan.html)} page(s){why} and {len(plan.pdf)} PDF(s) with Quarto"
              + (f"; {kept} unchanged, kept from the last site" if kept else "") + " ...")
    count = 0
    with _progress(total, "file", "Quarto", out) as say_done:
        def done(name: str, seconds: float, ok: bool) -> None:
            nonlocal count
            count += 1
            say_done(count, name, ok, seconds)

        rendering.render_changed(quarto, staging, plan, workers, done)


def _failure_message(root: Path, year: int, failed, jobs_list) -> str:
    keep = root / generations.BUILD_DIR / "failed" / str(year)
    keep.mkdir(parents=True, exist_ok=True)
    by_key = {j.key: j for j in jobs_list}
    lines = [f"{len(failed)} notebook(s) failed; reports/ and the site are unchanged."]
    for r in failed:
        kept = keep / f"{r.key}.ipynb"
        if Path(r.output).exists():
            shutil.copyfile(r.output, kept)
        where = f"cell [{r.cell}]" if r.cell else "before any cell ran"
        nb = Path(by_key[r.key].notebook).relative_to(root)
        lines.append(f"  {r.key}: {nb}, {where}: {r.error}")
        lines.append(f"    the failed notebook is kept for inspection in {kept.relative_to(root) if kept.exists() else '(not written)'}")
    return "\n".join(lines)
