"""The year's data as open data: a Frictionless data package (validated with the frictionless
command) and a DCAT-AP-SE catalogue (parsed with rdflib and checked for the properties Digg's
specification makes mandatory), built from the real 2023 data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from conftest import FILLED_PUBLISHING as FILLED, ROOT

VCARD = "http://www.w3.org/2006/vcard/ns#"


def _publish(tmp_path, real_data, config: dict | None):
    """The open data of the real 2023 data written into a staging folder, as the build does."""
    from kompetensrapport.pipeline import site

    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "2023").symlink_to(ROOT / "data" / "2023")
    if config is not None:
        (root / "publicering.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    staging = tmp_path / "reports"
    (staging / "2023").mkdir(parents=True)
    site.publish_open_data(staging, root, real_data, site.BuildInfo(2023, "2026-12-07", "test"))
    return staging


@pytest.fixture(scope="module")
def filled(tmp_path_factory, real_data):
    return _publish(tmp_path_factory.mktemp("filled"), real_data, FILLED)


def test_the_data_package_validates_with_frictionless(filled):
    package = filled / "2023" / "data" / "datapackage.json"
    frictionless = Path(sys.executable).parent / "frictionless"
    proc = subprocess.run([str(frictionless), "validate", str(package)], capture_output=True, text=True,
                          cwd=package.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VALID" in proc.stdout.upper()


def test_every_resource_has_its_schema_source_and_licence(filled, real_data):
    from kompetensrapport.inputs.schemas import FILES

    package = json.loads((filled / "2023" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    by_path = {r["path"]: r for r in package["resources"]}
    assert set(by_path) == set(FILES) == set(real_data)
    licence = {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
               "title": "Creative Commons Zero 1.0"}
    assert package["licenses"] == [licence]
    for path, res in by_path.items():
        assert [f["name"] for f in res["schema"]["fields"]] == list(real_data[path].columns), path
        assert res["licenses"] == [licence] and res["title"] and res["description"].startswith("One row is")
        assert all(f.get("description") for f in res["schema"]["fields"]), f"{path}: a column without meaning"
        if "kalla" in real_data[path].columns:
            assert res["sources"], path
    # types from the validated data, units from the codebook
    fields = {f["name"]: f for f in by_path["internbudget_insatser.csv"]["schema"]["fields"]}
    assert fields["anslag_tkr"]["type"] in ("integer", "number") and fields["anslag_tkr"]["unit"] == "tkr"
    assert fields["insats"]["type"] == "string" and "unit" not in fields["insats"]
    ka = {f["name"]: f for f in by_path["kompetensanalys.csv"]["schema"]["fields"]}
    assert ka["harledd"]["type"] == "boolean"
    assert [s["title"] for s in by_path["hr_nyckeltal.csv"]["sources"]] == list(
        real_data["kallor.csv"].set_index("fil").loc[["004_" + f.split("_", 1)[1] for f in
                                                      real_data["kallor.csv"].fil if f.startswith("004_")]].titel)


def test_the_files_are_the_data_as_written_in_csv_and_excel(filled, real_data):
    folder = filled / "2023" / "data"
    for file in real_data:
        source = (ROOT / "data" / "2023" / file).read_bytes()
        assert (folder / file).read_bytes() == source.removeprefix(b"\xef\xbb\xbf"), file
        sheet = openpyxl.load_workbook(folder / file.replace(".csv", ".xlsx"))["data"]
        assert [c.value for c in sheet[1]] == list(real_data[file].columns)
        assert sheet.max_row == len(real_data[file]) + 1, file


def _catalogue(folder: Path, name: str) -> Graph:
    g = Graph()
    g.parse(folder / name, format="turtle" if name.endswith(".ttl") else "xml")
    return g


@pytest.mark.parametrize("name", ["katalog.ttl", "katalog.rdf"])
def test_the_catalogue_has_what_dcat_ap_se_makes_mandatory(filled, real_data, name):
    """DCAT-AP-SE (Digg, docs.dataportal.se/dcat/sv/) makes these mandatory, as its example
    "obligatoriskt.ttl" (github.com/diggsweden/DCAT-AP-SE, exempel/) shows: a catalogue's title,
    description, publisher and datasets; an agent's name; a dataset's title, description and
    publisher; a distribution's access URL. Added here: each dataset's contact point (name and
    e-mail), and each distribution's download URL, media type and licence."""
    g = _catalogue(filled, name)
    [cat] = list(g.subjects(ns.RDF.type, ns.DCAT.Catalog))
    for prop in (ns.DCTERMS.title, ns.DCTERMS.description, ns.DCTERMS.publisher):
        assert g.value(cat, prop) is not None, prop
    assert g.value(g.value(cat, ns.DCTERMS.publisher), ns.FOAF.name) is not None
    datasets = set(g.objects(cat, ns.DCAT.dataset))
    assert len(datasets) == len(real_data) and set(g.subjects(ns.RDF.type, ns.DCAT.Dataset)) == datasets
    for ds in datasets:
        for prop in (ns.DCTERMS.title, ns.DCTERMS.description, ns.DCTERMS.publisher):
            assert g.value(ds, prop) is not None, (ds, prop)
        assert str(g.value(ds, ns.DCTERMS.title)).endswith(" 2023")
        contact = g.value(ds, ns.DCAT.contactPoint)
        assert g.value(contact, URIRef(VCARD + "fn")) is not None
        assert str(g.value(contact, URIRef(VCARD + "hasEmail"))) == "mailto:kompetens@example.org"
        dists = list(g.objects(ds, ns.DCAT.distribution))
        assert sorted(str(d).rsplit(".", 1)[1] for d in dists) == ["csv#distribution", "xlsx#distribution"]
        for dist in dists:
            url = g.value(dist, ns.DCAT.accessURL)
            assert str(url).startswith("https://www.example.org/kompetensrapport/2023/data/")
            assert g.value(dist, ns.DCAT.downloadURL) == url
            assert g.value(dist, ns.DCAT.mediaType) is not None
            assert str(g.value(dist, ns.DCTERMS.license)) == FILLED["licens"]["url"]
            assert (filled / str(url).removeprefix("https://www.example.org/kompetensrapport/")).is_file()


def test_without_the_sites_address_there_is_no_catalogue_and_no_licence(tmp_path, real_data):
    staging = _publish(tmp_path, real_data, None)  # no publicering.yml: every value a placeholder
    package = json.loads((staging / "2023" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert "licenses" not in package and all("licenses" not in r for r in package["resources"])
    assert not (staging / "katalog.ttl").exists() and not (staging / "katalog.rdf").exists()


def test_every_data_file_has_a_title():
    from kompetensrapport.inputs.schemas import FILES
    from kompetensrapport.pipeline.opendata import TITLES

    assert set(TITLES) == set(FILES)


def test_the_build_publishes_the_data_and_kallor_links_it(built_project):
    project, proc = built_project
    assert proc.returncode == 0, proc.stderr
    year = project / "reports" / "2023"
    assert (year / "data" / "datapackage.json").is_file()
    kallor = (project / "reports" / "kallor.qmd").read_text(encoding="utf-8")
    assert "## Öppna data" in kallor and "(2023/data/datapackage.json)" in kallor
    assert "[CSV](2023/data/kompetensanalys.csv) · [Excel](2023/data/kompetensanalys.xlsx)" in kallor
    config = yaml.safe_load((project / "reports" / "_quarto.yml").read_text(encoding="utf-8"))
    assert "*/data/*" in config["project"]["resources"]


@pytest.mark.quarto
def test_the_rendered_site_carries_the_open_data(rendered_site):
    assert (rendered_site / "2023" / "data" / "datapackage.json").is_file()
    assert (rendered_site / "2023" / "data" / "kompetensanalys.xlsx").is_file()


def test_a_build_with_every_publisher_detail_filled_in(tmp_path):
    """With publicering.yml filled in, the build publishes the catalogue and a statement that
    shows the contact address (which the personal-data scan lets stand in the pages)."""
    from conftest import copy_project, run_cli

    project = copy_project(tmp_path / "p")
    (project / "publicering.yml").write_text(yaml.safe_dump(FILLED, allow_unicode=True), encoding="utf-8")
    proc = run_cli("build", "--year", "2023", "--root", project, "--no-render", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = project / "reports"
    assert "[kompetens\\@example.org](mailto:kompetens@example.org)" in (reports / "tillganglighet.qmd").read_text(
        encoding="utf-8")
    g = _catalogue(reports, "katalog.rdf")
    assert len(list(g.subjects(ns.RDF.type, ns.DCAT.Dataset))) == 20
