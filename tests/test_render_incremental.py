"""The render renders only what changed (pages and PDFs), says so page by page, and publishes the
same site as a full render; a page that fails to render is named and nothing is published.

Each test starts from a copy of the project that the ``rendered_site`` fixture built and rendered
(its build folder and published generation included), so that no test renders the whole site
from nothing with the build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml

from conftest import run_cli, snapshot
from test_incremental import _change_hr, _rename_ystad

pytestmark = pytest.mark.quarto

#: A render line of the build: ``  [3/7] 2023/oversikt.html  ok  4.2 s``.
RENDERED = re.compile(r"^\s+\[\d+/\d+\] (\S+\.(?:html|pdf))\s+(\S+)\s+(\d+\.\d) s$", re.M)
FORVALTNINGAR = ("koncernkontoret", "lasarettet-ystad", "personalnamnden", "psykiatri-habilitering-hjalpmedel",
                 "regional-utveckling")


def _copy_of_built(rendered_site, dest):
    """A copy of the fixture's built and rendered project (symlinks kept: they are relative)."""
    shutil.copytree(rendered_site.parent, dest, symlinks=True)
    return dest


def _build(project):
    proc = run_cli("build", "--year", "2023", "--root", project, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = RENDERED.findall(proc.stdout)
    assert all(status == "ok" and float(seconds) >= 0 for _, status, seconds in lines), proc.stdout
    return {name for name, _, _ in lines}, proc.stdout


def _add_forvaltning(project, slug="lasarettet-ystad-kopia", namn="Lasarettet i Ystad, kopia"):
    """A new förvaltning: Ystad's parameter file with a new slug and name, and Ystad's data rows."""
    params = yaml.safe_load((project / "params/2023/lasarettet-ystad.yaml").read_text(encoding="utf-8"))
    params.update(forvaltning=slug, namn=namn)
    (project / f"params/2023/{slug}.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    for path in (project / "data/2023").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "forvaltning" in frame.columns and (frame.forvaltning == "lasarettet-ystad").any():
            rows = frame[frame.forvaltning == "lasarettet-ystad"].assign(forvaltning=slug)
            pd.concat([frame, rows]).to_csv(path, index=False)


#: What may differ between two renders of the same pages: the footer's build date and version,
#: and a PDF's creation time and document IDs.
VOLATILE = [re.compile(rb"Rapport\xc3\xa5r \d+ \xc2\xb7 Byggd [^<]*"), re.compile(rb"D:\d{14}Z?"),
            re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?"), re.compile(rb"/ID\s*\[[^\]]*\]"),
            re.compile(rb"<xmpMM:\w*ID>[^<]*</xmpMM:\w*ID>")]


def _comparable(name: str, data: bytes):
    if name == "search.json":  # Quarto's order of the entries is not the order of the pages
        return sorted(json.loads(data), key=lambda doc: doc["objectID"])
    for pattern in VOLATILE if name.endswith((".html", ".pdf")) else []:
        data = pattern.sub(b"", data)
    return data


def _full_render(project, dest):
    """A plain ``quarto render`` of the published Quarto project, copied without its site."""
    shutil.copytree((project / "reports").resolve(), dest, ignore=shutil.ignore_patterns("_site", ".quarto"))
    proc = subprocess.run(["quarto", "render"], cwd=dest, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dest / "_site"


def test_render_only_what_changed_equals_a_full_render(rendered_site, tmp_path):
    project = _copy_of_built(rendered_site, tmp_path / "p")
    pages = {p.relative_to(project / "_site").as_posix() for p in (project / "_site").rglob("*.html")}

    _change_hr(project)  # one value that koncernkontoret's page shows
    rendered, out = _build(project)
    assert {"2023/koncernkontoret.html", "2023/koncernkontoret.pdf"} <= rendered, out
    others = {f"2023/{slug}.{ext}" for slug in FORVALTNINGAR if slug != "koncernkontoret" for ext in ("html", "pdf")}
    assert not rendered & others, out
    assert re.search(r"Rendering \d+ page\(s\) and 1 PDF\(s\) with Quarto; \d+ unchanged, kept from the last site", out)

    _rename_ystad(project)  # a parameter file: the name is in the navbar, so every page renders again
    _add_forvaltning(project)
    rendered, out = _build(project)
    assert {name for name in rendered if name.endswith(".html")} == pages | {"2023/lasarettet-ystad-kopia.html"}, out
    assert {name for name in rendered if name.endswith(".pdf")} == {"2023/lasarettet-ystad.pdf",
                                                                     "2023/lasarettet-ystad-kopia.pdf"}, out

    incremental = snapshot(project / "_site")
    full = snapshot(_full_render(project, tmp_path / "full"))
    assert sorted(incremental) == sorted(full)
    differ = [name for name in full if _comparable(name, incremental[name]) != _comparable(name, full[name])]
    assert not differ, differ


def test_a_page_that_fails_to_render_is_named_and_nothing_is_published(rendered_site, tmp_path, monkeypatch):
    from kompetensrapport.exceptions import QuartoError
    from kompetensrapport.pipeline import build, site

    project = _copy_of_built(rendered_site, tmp_path / "p")
    before = snapshot(project / "_site")
    current = (project / ".build/current").resolve()
    write_project = site.write_project

    def with_a_broken_page(site_dir, *args, **kwargs):
        write_project(site_dir, *args, **kwargs)
        (site_dir / "a-trasig.qmd").write_text("---\ntitle: Trasig\n---\n\n{{< include saknas-helt.qmd >}}\n",
                                               encoding="utf-8")

    monkeypatch.setattr(site, "write_project", with_a_broken_page)
    publishing = project / "publicering.yml"  # a change that runs no notebook: the site is rendered again
    publishing.write_text(publishing.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    with pytest.raises(QuartoError) as failed:
        build.build(project, 2023, jobs=2, out=None)
    message = str(failed.value)
    assert "a-trasig.html" in message and "a-trasig.qmd" in message, message
    assert "saknas-helt.qmd" in message, message  # Quarto's own error line
    assert "the published site is unchanged" in message
    assert (project / ".build/current").resolve() == current
    assert snapshot(project / "_site") == before
    assert not list((project / ".build").glob("gen-*/render-*"))  # no copy left behind
