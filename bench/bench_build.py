"""Benchmark of the build's speed layer (warm kernels). Not a test: run it by hand.

    .venv/bin/python bench/bench_build.py [--jobs N] [--repeat 5] [--baseline 440e5b4]

In one run on the same machine it measures, and prints as a table against the targets:

(a) a build of 20 förvaltningar (the 2023 data scaled synthetically in a temporary folder,
    never published) against a plain sequential shell loop of the `papermill` command over the
    same notebooks and parameters (each run a new Python and a normal kernel), against the median
    of three builds that run every notebook (``--force``): at least 5x faster;
(b) the 2023 build (``--no-render --force``) of this working tree (or ``--tree``) against the same build of
    the baseline commit, checked out into a temporary ``git worktree`` and run with PYTHONPATH
    at its ``lib/`` (so that its package shadows the installed one; the bench checks that the
    baseline's own modules are the ones imported), each with its own notebooks: the two
    alternate, ``--repeat`` times each, and their medians compare: at most 25 % slower;
(c) a build whose data has an invalid value (a decimal comma in regionbidrag.csv), made in a
    project built once before (as an analyst's next run is): the time until the command has
    exited with the error: at most 1.5 s (median of ``--repeat``). The ``validate`` command on the
    same data, which starts no warm server and reuses no earlier validation, is timed in turns
    with it and printed.

(d), (e), (f): the build with the render (Quarto on PATH), on the 2023 data and on 20
    förvaltningar, side by side: (d) a rebuild after one changed data value concerning one
    förvaltning (koncernkontoret's number of monthly paid employees in hr_nyckeltal.csv, a new
    value each run) against a cold build (no earlier build: every notebook, page and PDF): at most
    0.35 of it; (e) that cold build against the peer pipeline (the sequential shell loop of
    papermill as in (a), then a plain ``quarto render`` of the same Quarto project, the one the
    build wrote, copied without its site): at most 0.8 of it; (f) a build with nothing changed:
    at most 0.2 s. ``--part render`` measures only these; ``--part speed`` only (a) to (c).

Every time is taken until the command has exited and every process it started has closed its
output (a process still tearing down after the command returned counts).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARTS = ["data", "params", "notebooks", "_quarto.yml", "requirements.lock"]
BASELINE = "440e5b4"
#: The targets: (a) speed-up at least, (b) ratio at most, (c) seconds at most.
TARGETS = {"a": 5.0, "b": 1.25, "c": 1.5, "d": 0.35, "e": 0.8, "f": 0.2}


def copy_project(dest: Path, source: Path = ROOT) -> Path:
    """A project folder at ``dest`` with the data, parameters and notebooks of ``source``."""
    dest.mkdir(parents=True)
    for part in PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("_parts", "figurer", "nedladdning", "*.html"))
        elif src.exists():
            shutil.copyfile(src, dest / part)
    for extra in source.glob("*.yml"):  # the publisher's configuration and the like, where there is one
        if not (dest / extra.name).exists():
            shutil.copyfile(extra, dest / extra.name)
    return dest


def scale(project: Path, year: int, n: int) -> None:
    """Make n förvaltningar out of the 2023 ones: copies with a numbered slug and their data rows."""
    pdir, ddir = project / "params" / str(year), project / "data" / str(year)
    originals = sorted(pdir.glob("*.yaml"))
    specs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in originals]
    frames = {f: pd.read_csv(f, dtype=str, keep_default_na=False) for f in ddir.glob("*.csv")}
    made = 0
    copies: dict[str, list[str]] = {}
    while made < n:
        for spec in specs:
            if made >= n:
                break
            k = made // len(specs)
            slug = spec["forvaltning"] if k == 0 else f"{spec['forvaltning']}-{k:03d}"
            new = dict(spec, forvaltning=slug, namn=spec["namn"] if k == 0 else f"{spec['namn']} {k}")
            (pdir / f"{slug}.yaml").write_text(yaml.safe_dump(new, allow_unicode=True), encoding="utf-8")
            copies.setdefault(spec["forvaltning"], []).append(slug)
            made += 1
    for p in originals:
        if p.stem not in {s for v in copies.values() for s in v}:
            p.unlink()
    for path, frame in frames.items():
        if "forvaltning" not in frame.columns:
            continue
        parts = []
        for original, slugs in copies.items():
            rows = frame[frame.forvaltning == original]
            for slug in slugs:
                parts.append(rows.assign(forvaltning=slug))
        pd.concat(parts).to_csv(path, index=False)


def timed(cmd, env=None, ok=(0,)) -> float:
    """Run a command until it and every holder of its output are done; its time in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    took = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr[-3000:]}")
    return took


def build_cmd(project: Path, jobs: int, *extra) -> list:
    return [sys.executable, "-m", "kompetensrapport", "build", "--year", "2023", "--root", project,
            "--no-render", "--jobs", str(jobs), *extra]


def shell_loop(project: Path, env=None) -> float:
    """A plain sequential shell loop of the papermill command over the same notebooks and parameters."""
    out = project / "loop"
    out.mkdir()
    loop = (f'for f in "{project}"/params/2023/*.yaml; do '
            f'"{BIN}/papermill" --no-progress-bar --log-level WARNING "{project}/notebooks/forvaltning.ipynb" '
            f'"{out}/$(basename "$f" .yaml).ipynb" -f "$f" -p ar 2023 -p root "{project}" --cwd "{out}" || exit 1; done; '
            f'"{BIN}/papermill" --no-progress-bar --log-level WARNING "{project}/notebooks/oversikt.ipynb" '
            f'"{out}/oversikt.ipynb" -p ar 2023 -p root "{project}" --cwd "{out}"')
    return timed(["bash", "-c", loop], env=env)


def baseline_tree(rev: str, tmp: Path) -> tuple[Path, dict]:
    """Check out ``rev`` into a temporary worktree; its folder and the environment that runs its
    package (PYTHONPATH at its lib/). Fails unless that environment imports the worktree's code."""
    tree = tmp / "baseline"
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "--force", tree, rev], check=True,
                   capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(tree / "lib")}
    where = subprocess.run([sys.executable, "-c", "import kompetensrapport; print(kompetensrapport.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).is_relative_to(tree / "lib"):
        raise SystemExit(f"the baseline's package is not the one imported: {where}")
    return tree, env


def render_cmd(project: Path, jobs: int) -> list:
    """The build with the render (Quarto must be on PATH)."""
    return [sys.executable, "-m", "kompetensrapport", "build", "--year", "2023", "--root", project, "--jobs", str(jobs)]


def clear_build(project: Path) -> None:
    """The project as before its first build: no build folder, no published links."""
    shutil.rmtree(project / ".build", ignore_errors=True)
    for link in ("reports", "_site"):
        (project / link).unlink(missing_ok=True)


def change_one_value(project: Path, n: int) -> None:
    """One value concerning one förvaltning: koncernkontoret's monthly paid employees, set to a
    new number (the n-th run's)."""
    path = project / "data" / "2023" / "hr_nyckeltal.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = (frame.forvaltning == "koncernkontoret") & (frame.nyckeltal == "Månadsavlönade medarbetare") & (frame.ar == "2023")
    assert row.sum() == 1, "the value the bench changes is not in hr_nyckeltal.csv"
    frame.loc[row, "varde"] = str(1000 + n)
    frame.to_csv(path, index=False)


def plain_render(project: Path, tmp: Path, env=None) -> float:
    """A plain ``quarto render`` of the Quarto project the build wrote, copied without its site."""
    copy = tmp / "plain-render"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree((project / "reports").resolve(), copy, ignore=shutil.ignore_patterns("_site", ".quarto"))
    took = timed([shutil.which("quarto"), "render", copy], env=env)
    shutil.rmtree(copy, ignore_errors=True)
    return took


def render_rows(tmp: Path, tree: Path, env, jobs: int, repeat: int) -> list:
    """(d), (e) and (f) on the 2023 data and on 20 förvaltningar."""
    if not shutil.which("quarto"):
        raise SystemExit("(d) to (f) need the quarto command on PATH")
    rows = []
    for label, n in (("2023", None), ("20 förvaltningar", 20)):
        project = copy_project(tmp / f"render-{n or 'real'}", tree)
        if n:
            scale(project, 2023, n)
        timed(render_cmd(project, jobs), env=env)  # not counted: times the notebooks for their order
        colds = []
        for _ in range(max(1, repeat // 2)):
            clear_build(project)
            colds.append(timed(render_cmd(project, jobs), env=env))
        changed = []
        for i in range(repeat):
            change_one_value(project, i)
            changed.append(timed(render_cmd(project, jobs), env=env))
        nothing = [timed(render_cmd(project, jobs), env=env) for _ in range(repeat)]
        loop = shell_loop(project, env)
        plain = plain_render(project, tmp, env)
        cold, change, still = statistics.median(colds), statistics.median(changed), statistics.median(nothing)
        print(f"(d-f) {label}: cold builds {fmt_runs(colds)} s; after one changed value {fmt_runs(changed)} s; "
              f"nothing changed {fmt_runs(nothing)} s; peer: papermill loop {loop:.1f} s + quarto render {plain:.1f} s")
        rows.append((f"(d) {label}: one changed value / cold build", f"{change:.1f} s / {cold:.1f} s = {change / cold:.2f}",
                     f"≤ {TARGETS['d']:.2f}", change / cold <= TARGETS["d"]))
        rows.append((f"(e) {label}: cold build / peer pipeline", f"{cold:.1f} s / {loop + plain:.1f} s = "
                     f"{cold / (loop + plain):.2f}", f"≤ {TARGETS['e']:.1f}", cold / (loop + plain) <= TARGETS["e"]))
        rows.append((f"(f) {label}: nothing changed", f"{still:.2f} s", f"≤ {TARGETS['f']:.1f} s", still <= TARGETS["f"]))
    return rows


def fmt_runs(runs) -> str:
    return ", ".join(f"{r:.2f}" for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5, help="runs of (b) and (c) each; the median counts")
    ap.add_argument("--baseline", default=BASELINE, help="the commit (b) compares with")
    ap.add_argument("--tree", type=Path, default=ROOT,
                    help="the checkout to measure (its lib/ and project files; default: this one)")
    ap.add_argument("--part", choices=("all", "speed", "render"), default="all",
                    help="speed: (a) to (c); render: (d) to (f), with Quarto")
    args = ap.parse_args()
    tree = args.tree.resolve()
    env = None if tree == ROOT else {**os.environ, "PYTHONPATH": str(tree / "lib")}
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB · "
          f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M')} · jobs {args.jobs}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as t:
        tmp = Path(t)
        if args.part in ("all", "render"):
            rows += render_rows(tmp, tree, env, args.jobs, args.repeat)
        if args.part != "render":
            rows += speed_rows(tmp, tree, env, args)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'measured':<28} {'target':<9} met")
    for name, measured, target, met in sorted(rows):
        print(f"{name:<{width}}  {measured:<28} {target:<9} {'yes' if met else 'NO'}")
    return 0 if all(r[3] for r in rows) else 1


def speed_rows(tmp: Path, tree: Path, env, args) -> list:
    """(a), (b) and (c): the build without the render."""
    rows = []
    base, old_env = baseline_tree(args.baseline, tmp)
    try:
        new, old = copy_project(tmp / "new", tree), copy_project(tmp / "old", base)
        for project, project_env in ((new, env), (old, old_env)):  # a first build of each, not counted
            timed(build_cmd(project, args.jobs), env=project_env)
        news, olds = [], []
        for _ in range(args.repeat):  # (b): in turns, so that a passing load affects both
            olds.append(timed(build_cmd(old, args.jobs, "--force"), env=old_env))
            news.append(timed(build_cmd(new, args.jobs, "--force"), env=env))
        print(f"(b) 2023 builds: this tree {fmt_runs(news)} s; {args.baseline} {fmt_runs(olds)} s")
        b = statistics.median(news) / statistics.median(olds)
        rows.append(("(b) 2023 build, this tree / " + args.baseline, f"{statistics.median(news):.2f} s / "
                     f"{statistics.median(olds):.2f} s = {b:.2f}", f"≤ {TARGETS['b']:.2f}", b <= TARGETS["b"]))
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", base], capture_output=True)

    invalid = copy_project(tmp / "invalid", tree)
    timed(build_cmd(invalid, args.jobs), env=env)  # the analyst's last good build, not counted
    path = invalid / "data" / "2023" / "regionbidrag.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2023,196.9,", '2023,"196,9",'), encoding="utf-8")
    errors, checks = [], []
    validate = [sys.executable, "-m", "kompetensrapport", "validate", "--year", "2023", "--root", invalid]
    for _ in range(args.repeat):  # in turns with `validate` alone, the floor: no warm-up at all
        errors.append(timed(build_cmd(invalid, args.jobs), env=env, ok=(1,)))
        checks.append(timed(validate, env=env, ok=(1,)))
    c = statistics.median(errors)
    print(f"(c) invalid data reported by build in {fmt_runs(errors)} s; "
          f"by `validate` alone (no warm server) in {fmt_runs(checks)} s, median {statistics.median(checks):.2f} s")
    rows.append(("(c) invalid data reported", f"{c:.2f} s", f"≤ {TARGETS['c']:.1f} s", c <= TARGETS["c"]))

    twenty = copy_project(tmp / "p20", tree)
    scale(twenty, 2023, 20)
    timed(build_cmd(twenty, args.jobs), env=env)  # a first build, not counted: it times the notebooks
    loop = shell_loop(twenty, env)
    builds = [timed(build_cmd(twenty, args.jobs, "--force"), env=env) for _ in range(min(args.repeat, 3))]
    t20 = statistics.median(builds)
    a = loop / t20
    print(f"(a) 20 förvaltningar: shell loop of papermill {loop:.1f} s, builds {fmt_runs(builds)} s")
    rows.append(("(a) 20 förvaltningar, shell loop / build", f"{loop:.1f} s / {t20:.1f} s = {a:.1f}×",
                 f"≥ {TARGETS['a']:.0f}×", a >= TARGETS["a"]))
    return rows


if __name__ == "__main__":
    sys.exit(main())
