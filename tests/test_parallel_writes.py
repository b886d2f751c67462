"""Notebooks run side by side may write the same file: two förvaltningar with the same region-wide
section (Fokus, the nämnd's budget) write the same downloads and figures. A reader (the other
notebook, Quarto, the privacy scan) must always find a whole file. Found by the benchmark at 200
förvaltningar: "BadZipFile: Bad magic number for file header" in a Fokus cell."""

from __future__ import annotations

import multiprocessing
import zipfile
from pathlib import Path

import pandas as pd

from conftest import copy_project, run_cli
from kompetensrapport.present import tables


def _writer(folder: str, rounds: int) -> None:
    frame = pd.DataFrame({"Kurs": [f"Kurs {i}" for i in range(400)], "Antal": [str(i) for i in range(400)]})
    for _ in range(rounds):
        tables.Table(frame, caption="Samma tabell", source="x.txt: y", name="delad").write_files(Path(folder))


def test_concurrent_writers_of_one_download_never_expose_a_partial_file(tmp_path):
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_writer, args=(str(tmp_path), 40)) for _ in range(3)]
    for w in writers:
        w.start()
    xlsx, csv = tmp_path / "nedladdning" / "delad.xlsx", tmp_path / "nedladdning" / "delad.csv"
    reads = 0
    while any(w.is_alive() for w in writers):
        if xlsx.exists():
            with zipfile.ZipFile(xlsx) as z:  # BadZipFile if a writer is half-way
                assert z.testzip() is None
            assert csv.read_bytes().count(b"\n") == 401
            reads += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert reads > 5
    assert not list(xlsx.parent.glob(".*.tmp")), "temporary files left behind"


def test_two_forvaltningar_with_the_same_section_build_in_parallel(tmp_path):
    project = copy_project(tmp_path / "p")
    params = project / "params" / "2023"
    original = (params / "regional-utveckling.yaml").read_text(encoding="utf-8")
    for n in range(2, 5):
        (params / f"regional-utveckling-{n}.yaml").write_text(
            original.replace("forvaltning: regional-utveckling", f"forvaltning: regional-utveckling-{n}")
                    .replace("namn: Regional utveckling", f"namn: Regional utveckling {n}"), encoding="utf-8")
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = project / "reports" / "2023" / "nedladdning"
    shared = sorted(folder.glob("fokus-*.xlsx"))
    assert shared
    for path in shared:
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
    assert not list(folder.glob(".*.tmp"))
