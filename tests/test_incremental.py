"""Parallel, incremental builds and the yearly workflow (new year, two-year project)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import yaml

from conftest import copy_project, run_cli, snapshot


def _build(project, *extra):
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render", *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _ran(proc) -> set[str]:
    return set(re.findall(r"^\s+\[\d+/\d+\] (\S+)\s+ok", proc.stdout, re.M))


def _normalised(project) -> dict[str, bytes]:
    """The built year folder with the project's own path taken out (papermill records it)."""
    out = {}
    for name, data in snapshot(project / "reports/2023").items():
        out[name] = data.replace(str(project).encode(), b"<root>")
    return out


def test_parallel_output_equals_sequential(tmp_path, built_project):
    parallel, proc = built_project  # --jobs 2
    assert proc.returncode == 0
    sequential = copy_project(tmp_path / "seq")
    _build(sequential, "--jobs", "1")
    a, b = _normalised(sequential), _normalised(parallel)
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name] and not name.endswith(".kr-cache.json")]
    assert not differ, differ


def test_cache_reruns_exactly_what_changed(tmp_path):
    project = copy_project(tmp_path / "p")
    first = _build(project, "--jobs", "2")
    assert _ran(first) == {p.stem for p in (project / "params/2023").glob("*.yaml")} | {"oversikt"}

    nothing = _build(project)
    assert "Nothing changed" in nothing.stdout and _ran(nothing) == set()
    assert "Running" not in nothing.stdout  # no kernel started

    _change_hr(project)
    after_data = _build(project)
    assert _ran(after_data) == {"koncernkontoret", "oversikt"}  # the notebooks that read hr_nyckeltal.csv

    _rename_ystad(project)
    after_params = _build(project)
    assert _ran(after_params) == {"lasarettet-ystad", "oversikt"}  # the overview lists every förvaltning

    forced = _build(project, "--force")
    assert len(_ran(forced)) == 6


def _change_hr(project) -> None:
    """One value of hr_nyckeltal.csv, which koncernkontoret's page and the overview read."""
    hr = project / "data/2023/hr_nyckeltal.csv"
    frame = pd.read_csv(hr, dtype=str, keep_default_na=False)
    frame.loc[frame.nyckeltal == "Månadsavlönade medarbetare", "varde"] = frame.varde.where(frame.varde != "905", "906")
    frame.to_csv(hr, index=False)


def _rename_ystad(project) -> None:
    params = project / "params/2023/lasarettet-ystad.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("namn: Lasarettet i Ystad", "namn: Ystads lasarett"),
                      encoding="utf-8")


def test_only_also_rebuilds_every_page_whose_inputs_changed(tmp_path):
    """--only never keeps a page whose inputs changed as if it were unchanged: it rebuilds it too
    and says why; the next full build then has nothing to do."""
    project = copy_project(tmp_path / "p")
    _build(project, "--jobs", "2")
    _change_hr(project)
    only = _build(project, "--only", "lasarettet-ystad")
    assert _ran(only) == {"koncernkontoret", "oversikt"}, only.stdout  # ystad itself is unchanged
    assert "--only lasarettet-ystad: also rebuilding 2 more page(s), so that none is published stale" in only.stdout
    assert "  koncernkontoret: data/2023/hr_nyckeltal.csv changed" in only.stdout
    assert "  oversikt: data/2023/hr_nyckeltal.csv changed" in only.stdout
    assert "4 unchanged, reused from the last build" in only.stdout
    full = _build(project)
    assert "Nothing changed" in full.stdout and _ran(full) == set(), full.stdout

    _rename_ystad(project)
    other = _build(project, "--only", "koncernkontoret")
    assert _ran(other) == {"lasarettet-ystad", "oversikt"}, other.stdout
    assert "  lasarettet-ystad: params/2023/lasarettet-ystad.yaml changed" in other.stdout
    assert "  oversikt: params/2023/lasarettet-ystad.yaml changed" in other.stdout
    nb = nbformat.read(project / "reports/2023/lasarettet-ystad.ipynb", as_version=4)
    assert "Ystads lasarett" in nb.cells[0].source  # its page shows the new name


def test_notebooks_start_longest_first_by_the_last_timings(tmp_path):
    project = copy_project(tmp_path / "p")
    first = _build(project, "--jobs", "1")
    timings = json.loads((project / ".build/timings.json").read_text(encoding="utf-8"))["2023"]
    assert set(timings) == _ran(first) and all(seconds > 0 for seconds in timings.values())
    # made-up timings: the next build starts the longest first, and a notebook never timed
    # (a new förvaltning) before them all; with one job they finish in the order they start
    keys = sorted(timings)
    made = {key: float(i) for i, key in enumerate(keys)}
    new = keys[2]
    del made[new]
    (project / ".build/timings.json").write_text(json.dumps({"2023": made}), encoding="utf-8")
    second = _build(project, "--jobs", "1", "--force")
    order = re.findall(r"^\s+\[\d+/\d+\] (\S+)", second.stdout, re.M)
    assert order == [new] + sorted(made, key=made.get, reverse=True)
    again = json.loads((project / ".build/timings.json").read_text(encoding="utf-8"))["2023"]
    assert set(again) == set(keys) and again != made  # this build's own times replace them
    (project / ".build/timings.json").write_text("{not json", encoding="utf-8")  # only the order is lost
    assert len(_ran(_build(project, "--jobs", "2", "--force"))) == 6


def test_changed_package_code_reruns_everything(tmp_path, monkeypatch):
    from kompetensrapport.pipeline import build, cache

    project = copy_project(tmp_path / "p")
    code = tmp_path / "code"
    shutil.copytree(cache.PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", code)
    build.build(project, 2023, render=False, jobs=2, out=None)
    again = build.build(project, 2023, render=False, out=None)
    assert again.results == []  # nothing changed
    fmt = code / "present" / "fmt.py"
    fmt.write_text(fmt.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    touched = build.build(project, 2023, render=False, jobs=2, out=None)
    assert len(touched.results) == 6


def test_another_python_reruns_everything(tmp_path, monkeypatch):
    """A .venv made again with another Python (3.11, 3.12, 3.13) runs every notebook again."""
    from kompetensrapport.pipeline import cache

    project = copy_project(tmp_path / "p")
    before = cache.inputs_key(project, 2023)
    assert cache.inputs_key(project, 2023) == before
    monkeypatch.setattr(sys, "version", sys.version.replace(".", "-", 1))
    assert cache.inputs_key(project, 2023) != before


def test_new_year_scaffolding(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = run_cli("new-year", "2024", "--root", project)
    assert proc.returncode == 0, proc.stderr
    assert "Fill in:" in proc.stdout and "data/2024/hr_nyckeltal.csv: rows for koncernkontoret" in proc.stdout
    for path in (project / "data/2023").glob("*.csv"):
        new = project / "data/2024" / path.name
        assert new.read_text(encoding="utf-8").splitlines() == [path.read_text(encoding="utf-8").splitlines()[0]]
    for path in (project / "params/2023").glob("*.yaml"):
        data = yaml.safe_load((project / "params/2024" / path.name).read_text(encoding="utf-8"))
        assert data["ar"] == 2024 and data["forvaltning"] == path.stem
    # the command it prints runs as printed (no activated virtual environment), for this project
    printed = re.search(r"Then run: (.+?)  \(", proc.stdout).group(1)
    check = subprocess.run(shlex.split(printed), capture_output=True, text=True, timeout=300)  # same folder
    assert "--root" in printed and str(project) in printed
    assert check.returncode == 1
    for path in (project / "data/2024").glob("*.csv"):
        if path.name not in ("yrkesmappning.csv",):
            assert f"data/2024/{path.name}" in check.stderr, path.name
    assert run_cli("new-year", "2024", "--root", project).returncode == 2  # never overwrites a year


def _make_previous_year(project):
    """A synthetic 2022 (never published): the 2023 files with a few ratings changed."""
    shutil.copytree(project / "data/2023", project / "data/2022")
    shutil.copytree(project / "params/2023", project / "params/2022")
    for p in (project / "params/2022").glob("*.yaml"):
        p.write_text(p.read_text(encoding="utf-8").replace("ar: 2023", "ar: 2022"), encoding="utf-8")
    ka = project / "data/2022/kompetensanalys.csv"
    frame = pd.read_csv(ka, dtype=str, keep_default_na=False)
    rated = frame.index[(frame.forvaltning == "psykiatri-habilitering-hjalpmedel") & (frame.bedomning == "Brist")][:3]
    frame.loc[rated, "bedomning"] = "Balans"  # 2022 Balans -> 2023 Brist, three times
    frame.to_csv(ka, index=False)


def test_two_year_project_shows_latest_year_and_compares(tmp_path):
    project = copy_project(tmp_path / "p")
    _make_previous_year(project)
    proc = run_cli("build", "--year", "2022", "--root", project, "--no-render", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    _build(project, "--jobs", "2")
    config = yaml.safe_load((project / "reports/_quarto.yml").read_text(encoding="utf-8"))
    left = config["website"]["navbar"]["left"]
    menus = {item.get("text"): item for item in left}
    assert any(m.get("href") == "2023/oversikt.ipynb" for m in left)  # the latest year in front
    assert "Rapport 2022" in menus  # the earlier year under its own section
    assert {m["href"] for m in menus["Rapport 2022"]["menu"]} >= {"2022/oversikt.ipynb"}
    assert (project / "reports/2022/oversikt.ipynb").is_file()
    index = (project / "reports/index.qmd").read_text(encoding="utf-8")
    assert "Tidigare år" in index and "2022/oversikt.ipynb" in index
    nb = nbformat.read(project / "reports/2023/psykiatri-habilitering-hjalpmedel.ipynb", as_version=4)
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells if c.cell_type == "code"
                     for o in c.outputs)
    assert "första året" not in text  # a previous year exists: the comparison is shown
    assert "Balans" in text and "Brist" in text


def test_validation_reuses_the_files_unchanged_since_the_last_good_one(tmp_path):
    """A build after one changed value checks only that file again (and the checks across files):
    the others come from the last good validation, kept with the hash of their bytes and of the
    code that checked them. A changed file, or changed code, is checked again."""
    from kompetensrapport.inputs import load, validate
    from kompetensrapport.pipeline import cache

    project = copy_project(tmp_path / "p")
    code = cache.code_key(project)
    kept = tmp_path / "validated.pkl"
    first = validate.require_valid(project, 2023)
    load.keep_validated(kept, project, 2023, first.data, code)
    reuse = load.reusable(kept, code)
    assert set(reuse) == set(first.data)
    assert load.reusable(kept, "other code") == {}
    again = validate.require_valid(project, 2023, reuse=reuse)
    assert all(again.data[f] is reuse[f][1] for f in again.data)  # nothing checked again
    assert [str(c) for c in again.checks] == [str(c) for c in first.checks]
    path = project / "data/2023/regionbidrag.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("182.9", "182,9", 1), encoding="utf-8")
    fresh = validate.validate_year(project, 2023, show_warnings=False)
    reused = validate.validate_year(project, 2023, show_warnings=False, reuse=reuse)
    assert [str(p) for p in reused.problems] == [str(p) for p in fresh.problems] != []
    assert reused.data["kallor.csv"] is reuse["kallor.csv"][1] and "regionbidrag.csv" not in reused.data
