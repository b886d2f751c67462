"""Benchmark of the build (issue: fast, incremental, parallel builds). Not a test: run it by hand.

    .venv/bin/python bench/bench_build.py [--jobs N] [--sizes 20,50,100,200]

In one run on the same machine it measures and prints, as ratios:

(a) the full 2023 build (cold, --force) against the floor: the same number of empty notebooks
    run through papermill with the same number of jobs, each in a normal kernel (the build forks
    its kernels from a warm server; the empty notebooks in such kernels are printed too). Both
    kill each kernel once its notebook is done (a normal ipykernel 7.4 asked to end itself
    sometimes hangs until jupyter_client sends SIGTERM 2.5 s later); floor notebooks that took
    longer than that are still counted, and the ratio to the runs without one is printed;
(b) a build of 20 förvaltningar, made by scaling the 2023 data synthetically in a temporary
    folder (never published), against a plain sequential shell loop of the `papermill` command
    over the same notebooks and parameters;
(c) a no-change rebuild against the cold build;
(d) time and peak memory (the proportional set size summed over the build and every process it
    starts, sampled every 0.25 s) for 20, 50, 100 and 200 förvaltningar.

Targets on a 2-core machine: (a) at most 1.3; (b) at least 1.8; (c) at least 20; (d) linear growth,
peak memory under 1 GiB at 200.

Every time is taken until the command has exited and every process it started has closed its
output: a process still tearing down after the command returned (as the build's fork server
once did, for a third of a second) counts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARTS = ["data", "params", "notebooks", "_quarto.yml", "requirements.lock"]


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("_parts", "figurer", "nedladdning", "*.html"))
        else:
            shutil.copyfile(src, dest / part)
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


class PeakMemory:
    """Peak memory of a process and its descendants, sampled every 0.25 s: ``peak`` is the sum of
    their PSS (proportional set size: a page shared by n processes counts 1/n in each, which is
    right for kernels forked from one server), ``peak_rss`` the sum of their RSS (shared pages
    counted once per process, an overestimate)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_rss, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(d.name))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += children.get(p, [])
        return out

    @staticmethod
    def _field(pid: int, path: str, name: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self):
        while not self._stop.is_set():
            tree = self._tree()
            self.peak = max(self.peak, sum(self._field(p, "smaps_rollup", "Pss:") for p in tree))
            self.peak_rss = max(self.peak_rss, sum(self._field(p, "status", "VmRSS:") for p in tree))
            time.sleep(0.25)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed(cmd, cwd=None, memory: bool = False, output: list | None = None) -> tuple[float, PeakMemory | None]:
    """Run a command; its time, and with ``memory`` its peak memory (its standard output is
    appended to ``output`` when given). Sampling /proc costs CPU on a 2-core machine, so the
    timings of (a), (b) and (c) are taken without it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE if output is not None else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) if memory else contextlib.nullcontext() as mem:
        out, err = proc.communicate()
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{err[-2000:]}")
    if output is not None:
        output.append(out)
    return took, mem


def build(project: Path, jobs: int, *extra, memory: bool = False) -> tuple[float, PeakMemory | None]:
    return timed([BIN / "kompetensrapport", "build", "--year", "2023", "--root", project, "--no-render",
                  "--jobs", str(jobs), *extra], memory=memory)


#: An empty notebook takes about a second; one whose normal kernel hung in ipykernel 7.4's
#: graceful shutdown would wait 2.5 s more for jupyter_client to send SIGTERM.
STALLED = 2.5


def floor(tmp: Path, count: int, jobs: int, warm: bool = False) -> tuple[float, int]:
    """The same number of empty notebooks through papermill, same jobs, each in its own process.
    The floor proper starts a normal kernel per notebook (``warm=False``); ``warm=True`` forks
    them from the build's kernel server, as the build does (printed for comparison). Returns
    the time and how many notebooks took longer than :data:`STALLED` seconds."""
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    empty.cells[0].metadata["tags"] = ["parameters"]
    empty.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = tmp / "empty.ipynb"
    nbformat.write(empty, nb)
    script = ("import sys; from kompetensrapport import execute; "
              "jobs=[execute.Job(str(i), sys.argv[1], sys.argv[2] + f'/out{i}.ipynb', {}, 'x') for i in range(int(sys.argv[3]))]; "
              "r = execute.run_all(jobs, int(sys.argv[4]), warm=sys.argv[5] == 'warm'); assert all(x.ok for x in r); "
              "print(sum(x.seconds > float(sys.argv[6]) for x in r))")
    out: list = []
    took, _ = timed([sys.executable, "-c", script, nb, tmp, str(count), str(jobs), "warm" if warm else "normal",
                     str(STALLED)], output=out)
    return took, int(out[0].split()[-1])


def shell_loop(project: Path) -> float:
    """A plain sequential shell loop of the papermill command over the same notebooks and parameters."""
    out = project / "loop"
    out.mkdir()
    loop = (f'for f in "{project}"/params/2023/*.yaml; do '
            f'"{BIN}/papermill" --no-progress-bar --log-level WARNING "{project}/notebooks/forvaltning.ipynb" "{out}/$(basename "$f" .yaml).ipynb" '
            f'-f "$f" -p root "{project}" --cwd "{out}" || exit 1; done; '
            f'"{BIN}/papermill" --no-progress-bar --log-level WARNING "{project}/notebooks/oversikt.ipynb" "{out}/oversikt.ipynb" -p root "{project}" '
            f'--cwd "{out}"')
    took, _ = timed(["bash", "-c", loop])
    return took


def fmt_runs(runs) -> str:
    return ", ".join(f"{r:.1f}" for r in runs) + " s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--sizes", default="20,50,100,200")
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a) and (c), the median counts")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB · "
          f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory(prefix="kr-bench-") as t:
        tmp = Path(t)
        base = copy_project(tmp / "base")
        n_nb = len(list((base / "params/2023").glob("*.yaml"))) + 1
        # (a) and (c) are short: the median of --repeat runs each, in turns, so that a passing
        # load on the machine does not decide them
        colds, nochanges, empties, empties_warm, stalls = [], [], [], [], []
        for _ in range(args.repeat):
            colds.append(build(base, args.jobs, "--force")[0])
            nochanges.append(build(base, args.jobs)[0])
            took, stalled = floor(tmp, n_nb, args.jobs)
            empties.append(took)
            stalls.append(stalled)
            empties_warm.append(floor(tmp, n_nb, args.jobs, warm=True)[0])
        cold, nochange, empty, empty_warm = map(statistics.median, (colds, nochanges, empties, empties_warm))
        print(f"    cold builds {fmt_runs(colds)}; floors {fmt_runs(empties)} (medians below)")
        print(f"(a) full 2023 build {cold:.1f} s / floor ({n_nb} empty notebooks, a normal kernel each) "
              f"{empty:.1f} s = {cold / empty:.2f} (target ≤ 1.3)")
        calm = [t for t, k in zip(empties, stalls) if k == 0]
        print(f"    floor notebooks whose kernel hung in ipykernel's shutdown (over {STALLED} s): "
              f"{sum(stalls)} of {n_nb * len(empties)}; " + (
                  f"the floor runs without one: median {statistics.median(calm):.1f} s, "
                  f"build / that = {cold / statistics.median(calm):.2f}" if calm else "every floor run had one"))
        print(f"    for comparison: the same empty notebooks in kernels forked as the build forks them "
              f"{empty_warm:.1f} s (build / that = {cold / empty_warm:.2f})")
        print(f"(c) cold build {cold:.1f} s / no-change rebuild {nochange:.2f} s = {cold / nochange:.1f}× (target ≥ 20)")
        twenty = copy_project(tmp / "p20")
        scale(twenty, 2023, 20)
        loop = shell_loop(twenty)
        t20, _ = build(twenty, args.jobs)
        print(f"(b) 20 förvaltningar: shell loop of papermill {loop:.1f} s / build {t20:.1f} s = {loop / t20:.2f}× (target ≥ 1.8)")
        print("(d) förvaltningar, build time, per förvaltning, peak memory of the whole process tree "
              "(PSS; RSS summed per process in brackets)")
        for n in sizes:
            p = copy_project(tmp / f"s{n}")
            scale(p, 2023, n)
            took, mem = build(p, args.jobs, memory=True)
            print(f"    {n:4d}  {took:7.1f} s  {took / n:5.2f} s  {mem.peak / 2**20:7.0f} MiB  "
                  f"({mem.peak_rss / 2**20:.0f} MiB)", flush=True)
            shutil.rmtree(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
