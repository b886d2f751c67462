"""The year across all förvaltningar, for the overview page and the start page: what each
förvaltning reports, the occupations most in shortage, and the figures the year at a glance
leads with. Frames in, frames and numbers out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetensrapport.domain import budget, fokus, kompetens
from kompetensrapport.domain.sources import kallor_rows


def names(forvaltningar) -> dict[str, str]:
    """Each förvaltning's slug -> the name readers see, from its parameter file."""
    return {p.forvaltning: p.namn for p in forvaltningar}


def top_shortage(data, n: int = 3) -> pd.DataFrame:
    """The ``n`` occupations rated Brist at the most units across the region, most first, and
    any more rated Brist at as many units as the ``n``-th (so a tie is never cut in two)."""
    s = kompetens.region_summary(data)
    s = s[s.enheter_brist > 0].sort_values(["enheter_brist", "forvaltningar_brist"], ascending=False, kind="stable")
    if len(s) > n:
        s = s[s.enheter_brist >= s.enheter_brist.iloc[n - 1]]
    return s.reset_index(drop=True)


def results(data) -> pd.DataFrame:
    """Per förvaltning with a resultaträkning: whose result it is (``owners``, a tuple), the
    result's outcome and budget (mkr)."""
    rows = []
    for slug, g in data["resultatrakning.csv"].groupby("forvaltning"):
        res = g[g.typ == "resultat"]
        if len(res):
            rows.append({"forvaltning": slug, "owners": budget.result_owners(g),
                         "utfall_mkr": float(res.utfall_mkr.iloc[0]), "budget_mkr": float(res.budget_mkr.iloc[0])})
    return pd.DataFrame(rows, columns=["forvaltning", "owners", "utfall_mkr", "budget_mkr"])


def latest_round(data) -> pd.DataFrame:
    """Fokus Kompetensförsörjning: the funnel of the latest year's first course round (one row
    per step; empty when there is no course round)."""
    f = fokus.funnel(data)
    if f.empty:
        return f
    last = f[f.ar == f.ar.max()]
    first = last.iloc[0]
    return last[(last.kurs == first.kurs) & (last.omgang == first.omgang)].reset_index(drop=True)


@dataclass(frozen=True)
class Glance:
    """The year at a glance: the political assignments, the internbudget's totals (None without
    an internbudget) with its number of målområden and insatser and its sums per målområde
    (``per_malomrade``, as :func:`kompetensrapport.domain.budget.malomraden`; empty without an
    internbudget) with the ``kalla`` of the insatser they sum (``per_malomrade_kalla``), the
    occupations most in shortage, the latest Fokus course round, each förvaltning's result,
    which sections each förvaltning reports (``reports``: forvaltning, namn, avsnitt), and the
    rows of ``kallor.csv`` for the documents named."""

    ar: int
    uppdrag: budget.Uppdrag
    totals: budget.Totals | None
    malomraden: int
    insatser: int
    per_malomrade: pd.DataFrame
    per_malomrade_kalla: tuple[str, ...]
    top_shortage: pd.DataFrame
    latest_round: pd.DataFrame
    results: pd.DataFrame
    reports: pd.DataFrame
    kallor: pd.DataFrame


def glance(data, ar: int, forvaltningar=()) -> Glance:
    """The year at a glance across the region (``forvaltningar``: the year's parameter files)."""
    ins = data["internbudget_insatser.csv"]
    reports = pd.DataFrame({"forvaltning": [p.forvaltning for p in forvaltningar],
                            "namn": [p.namn for p in forvaltningar],
                            "avsnitt": [tuple(p.avsnitt) for p in forvaltningar]})
    per_malomrade = pd.DataFrame(columns=["malomrade_nr", "malomrade", "summa_tkr", "andel_procent"]) if ins.empty \
        else budget.malomraden(data)
    return Glance(ar=ar, uppdrag=budget.uppdrag(data, ar), totals=None if ins.empty else budget.total(data),
                  malomraden=int(ins.malomrade_nr.nunique()), insatser=len(ins), per_malomrade=per_malomrade,
                  per_malomrade_kalla=tuple(dict.fromkeys(ins.kalla)), top_shortage=top_shortage(data),
                  latest_round=latest_round(data), results=results(data), reports=reports,
                  kallor=kallor_rows(data, ins))
