"""The report's sections: the one table of them.

Each row names a section's key (what parameter files list under ``avsnitt``), its Swedish label
(what readers see where the report lists what a förvaltning reports), the data files it reads
(in ``data/<år>/``), the domain function that computes it and the presentation function that
builds what readers see from the result. Parameter validation, ``validate``, the build cache,
``new-year`` and the overview all read this table; nothing else lists the sections.

The two functions are written as ``module:function`` names, so that reading the table imports
neither pandas nor the presentation (the cache reads it before anything else is imported).

The order of the rows is the order of a förvaltning's page. The overview page has its own
sections (``OVERVIEW``): it reads every data file.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section of a förvaltning's page."""

    key: str  # what parameter files list under `avsnitt`
    label: str  # the Swedish name readers see (lower case where it stands inside a sentence)
    files: tuple[str, ...]  # the data files it reads, in data/<år>/
    compute: str  # "module:function" of the domain computation
    present: str  # "module:function" of the presentation

    def compute_function(self):
        return _resolve(self.compute)

    def present_function(self):
        return _resolve(self.present)


_D = "kompetensrapport.domain."
_P = "kompetensrapport.present.sections."

#: The sections of a förvaltning's page, in page order.
SECTIONS: tuple[Section, ...] = (
    Section("uppdrag", "delmål och uppdrag", ("delmal_uppdrag.csv",),
            _D + "budget:uppdrag", _P + "uppdrag:present"),
    Section("budget", "budget",
            ("internbudget_insatser.csv", "internbudget_totaler.csv", "regionbidrag.csv", "budgetmal.csv"),
            _D + "budget:internbudget", _P + "budget:present"),
    Section("brygga", "regionbidragets förändring", ("regionbidrag_brygga.csv", "regionbidrag.csv"),
            _D + "budget:brygga", _P + "brygga:present"),
    Section("resultatrakning", "resultaträkning", ("resultatrakning.csv",),
            _D + "budget:resultatrakning", _P + "resultatrakning:present"),
    Section("kompetens", "kompetensanalys",
            ("kompetensanalys.csv", "bedomningsdefinitioner.csv", "yrkesmappning.csv"),
            _D + "kompetens:analysis", _P + "kompetens:present"),
    Section("handlingsplan", "handlingsplan", ("handlingsplan.csv",),
            _D + "kompetens:handlingsplan", _P + "handlingsplan:present"),
    Section("behov", "behov på regional nivå", ("behov_annan_niva.csv",),
            _D + "kompetens:behov", _P + "behov:present"),
    Section("utbildning", "utbildningsplatser", ("utbildningsplatser.csv",),
            _D + "hr:utbildning", _P + "utbildning:present"),
    Section("fokus", "Fokus Kompetensförsörjning",
            ("fokus_kursomgangar.csv", "fokus_finansiering.csv", "fokus_resultat.csv",
             "fokus_fokusomraden.csv", "fokus_resurser.csv"),
            _D + "fokus:outcomes", _P + "fokus:present"),
    Section("hr", "HR-nyckeltal", ("hr_nyckeltal.csv",),
            _D + "hr:key_figures", _P + "hr:present"),
)

#: The files every page reads (the sources that every "Källa" line names).
COMMON_FILES: tuple[str, ...] = ("kallor.csv",)

KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}


def get(key: str) -> Section:
    """The section ``key``; a KeyError names the allowed keys."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown section {key!r} (allowed: {', '.join(KEYS)})") from None


def label(key: str) -> str:
    return get(key).label


def files_for(keys) -> tuple[str, ...]:
    """The data files a page with sections ``keys`` reads, the common ones included, sorted."""
    names = set(COMMON_FILES)
    for key in keys:
        names.update(get(key).files)
    return tuple(sorted(names))


def _resolve(name: str):
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)
