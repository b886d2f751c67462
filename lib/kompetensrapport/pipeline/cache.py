"""Content hashes for incremental builds.

A notebook is executed again only when something it depends on changed: the notebook file, its
parameters (from the förvaltning's parameter file), the data files its sections read (and the
previous year's, for comparisons), the package code, or the locked environment. Quarto's own
``freeze`` cannot do this job: it does not notice changed data files or parameters.

The keys of the last good build are kept next to its notebooks in ``<år>/.kr-cache.json``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from kompetensrapport.paths import display_path

CACHE_FILE = ".kr-cache.json"
#: Files and folders of the project that the site's own pages read (besides data and notebooks):
#: the project template, the publisher's configuration, the accessibility statement's sources,
#: the record of publications and the reasons for corrections.
SITE_INPUTS = ("_quarto.yml", "publicering.yml", "tillganglighet", "publiceringar", "rattelser")
PACKAGE = Path(__file__).resolve().parents[1]


def hash_files(h, paths) -> None:
    """Feed each file's name and bytes (or a marker for a missing file) into the hash ``h``."""
    for path in paths:
        path = Path(path)
        h.update(str(path.name).encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")


def site_input_files(root: Path) -> list[Path]:
    """The files of :data:`SITE_INPUTS` (a folder gives its files), each named once."""
    paths = []
    for name in SITE_INPUTS:
        path = Path(root) / name
        paths += files_in(path) if path.is_dir() else [path]
    return paths


def files_in(folder: Path) -> list[Path]:
    """The files in a folder, sorted (none when it does not exist)."""
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []


def code_key(root: Path) -> str:
    """The package code, templates and locked environment, and the Python that runs them (a
    ``.venv`` made again with another Python version installs other builds of the libraries)."""
    h = hashlib.sha256()
    h.update(f"{sys.implementation.name} {sys.version}".encode())
    files = sorted(p for p in PACKAGE.rglob("*")
                   if p.is_file() and p.suffix in (".py", ".css", ".yml", ".yaml", ".lua", ".j2"))
    hash_files(h, files)
    hash_files(h, [Path(root) / "requirements.lock"])
    return h.hexdigest()


def inputs_key(root: Path, year: int) -> str:
    """Everything a build of ``year`` reads, in one key: the package code and lock, the notebooks,
    the site's own inputs (:data:`SITE_INPUTS`), every parameter file of the year and every file in the year's and the
    previous year's data folders. Computed with nothing but hashlib, so that a build with nothing
    changed can stop before it imports pandas or validates anything."""
    root = Path(root)
    h = hashlib.sha256()
    h.update(code_key(root).encode())
    hash_files(h, sorted((root / "notebooks").glob("*.ipynb")))
    hash_files(h, site_input_files(root))
    for folder in (root / "params" / str(year), root / "data" / str(year), root / "data" / str(year - 1)):
        h.update(str(folder.relative_to(root)).encode())
        hash_files(h, files_in(folder))
    return h.hexdigest()


def files_for(sections) -> list[str]:
    """The data files a page with these sections reads (None: every file, for the overview)."""
    from kompetensrapport import sections as table

    if sections is None:
        from kompetensrapport.inputs.schemas import FILES

        return sorted(FILES)
    return list(table.files_for(sections))


#: The name a page's inputs give to the package code and the locked environment.
CODE_INPUT = "the package code or requirements.lock"


#: Hex digits kept of each input's hash (64 bits: enough to tell two versions of a file apart).
DIGEST_CHARS = 16


def file_digest(path: Path, memo: dict | None = None) -> str:
    """A short hash of a file's bytes (``missing`` when there is no file); ``memo`` keeps the
    digests of one build, so that a file many pages read is read once."""
    path = Path(path)
    if memo is not None and path in memo:
        return memo[path]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_CHARS] if path.is_file() else "missing"
    if memo is not None:
        memo[path] = digest
    return digest


def job_inputs(root: Path, year: int, notebook: Path, parameters: dict, sections, code: str,
               memo: dict | None = None) -> dict[str, str]:
    """What one notebook run reads, each named as a reader knows it (``data/2023/x.csv``,
    ``notebooks/forvaltning.ipynb``, ``params/2023/<slug>.yaml``) with a hash of its content:
    the package code, the notebook, its parameters, the data files its sections read (this
    year's and the year before's) and, for the overview (``sections`` None), every parameter
    file of the year."""
    root = Path(root)
    inputs = {CODE_INPUT: code[:DIGEST_CHARS]}
    notebook = Path(notebook)
    inputs[display_path(notebook, root)] = file_digest(notebook, memo)
    shown = {k: v for k, v in parameters.items() if k != "root"}
    label = f"params/{year}/{shown['forvaltning']}.yaml" if "forvaltning" in shown else "its parameters"
    inputs[label] = hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()
                                   ).hexdigest()[:DIGEST_CHARS]
    names = files_for(sections)
    if sections is None:  # the overview lists every förvaltning from its parameter file
        for path in sorted((root / "params" / str(year)).glob("*.y*ml")):
            inputs[f"params/{year}/{path.name}"] = file_digest(path, memo)
    for y in (year, year - 1):
        folder = root / "data" / str(y)
        if y != year and not folder.is_dir():
            inputs[f"data/{y}/"] = "missing"
            continue
        for n in names:
            inputs[f"data/{y}/{n}"] = file_digest(folder / n, memo)
    return inputs


def key_of(inputs: dict[str, str]) -> str:
    """The key of one notebook run from its :func:`job_inputs`: equal keys mean equal output."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def changed_inputs(before: dict[str, str] | None, now: dict[str, str]) -> list[str]:
    """The names of the inputs that differ between a page's last good build (``before``, None
    when that build did not record them) and now, in a stable order."""
    if not before:
        return ["its inputs (not recorded by the last build)"]
    return sorted(name for name in set(before) | set(now) if before.get(name) != now.get(name))


def site_key(root: Path, job_keys: dict[str, str], code: str) -> str:
    """The key of the Quarto pages: every notebook, the site's own inputs and the data."""
    h = hashlib.sha256()
    h.update(code.encode())
    h.update(json.dumps(job_keys, sort_keys=True).encode())
    hash_files(h, site_input_files(root))
    return h.hexdigest()


def read(year_dir: Path | None) -> dict:
    if year_dir is None:
        return {}
    try:
        return json.loads((Path(year_dir) / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write(year_dir: Path, jobs: dict[str, str], site: str, rendered: bool, inputs: str | None = None,
          job_inputs: dict[str, dict[str, str]] | None = None) -> None:
    """Record a good build's keys; ``inputs`` (see :func:`inputs_key`) only when it covered
    every notebook of the year (not ``--only``); ``job_inputs``, each page's :func:`job_inputs`,
    so that a later build can say which of them changed."""
    record = {"jobs": jobs, "site": site, "rendered": rendered}
    if inputs:
        record["inputs"] = inputs
    if job_inputs:
        record["job_inputs"] = job_inputs
    (Path(year_dir) / CACHE_FILE).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")


TIMINGS_FILE = "timings.json"


def _all_timings(folder: Path) -> dict:
    try:
        data = json.loads((Path(folder) / TIMINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_timings(folder: Path, year: int) -> dict[str, float]:
    """How long each notebook of ``year`` took when it last ran, key -> seconds (``.build/timings.json``:
    only the order of the next build depends on it, so a missing or broken file is no timings)."""
    year_data = _all_timings(folder).get(str(year))
    return year_data if isinstance(year_data, dict) else {}


def write_timings(folder: Path, year: int, seconds: dict[str, float]) -> None:
    """Record the notebooks of ``year`` that ran (key -> seconds), keeping the others' times."""
    data = _all_timings(folder)
    before = data.get(str(year))
    data[str(year)] = {**(before if isinstance(before, dict) else {}), **{k: round(v, 3) for k, v in seconds.items()}}
    (Path(folder) / TIMINGS_FILE).write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
