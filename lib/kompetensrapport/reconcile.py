"""Stated totals against the sum of their parts.

Each check compares a total as the source document prints it with the sum computed from its
parts. Amounts in tkr are printed exactly, so any difference is an error. Amounts in mkr are
printed rounded to 0,1 mkr: a sum of n printed values and a printed total can differ by up to
(n + 1) × 0,05 mkr through rounding alone. Such a difference is reported as a rounding
difference ("avrundningsdifferens"), never hidden; a larger one is a validation error.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetensrapport.exceptions import Problem

OK, ROUNDING, ERROR = "ok", "avrundning", "fel"


@dataclass(frozen=True)
class Check:
    """One reconciliation: ``stated`` (printed) against ``computed`` (sum of the parts)."""

    area: str
    description: str  # Swedish, for the reader
    file: str
    line: int | None
    column: str
    stated: float
    computed: float
    tolerance: float
    unit: str

    @property
    def difference(self) -> float:
        return round(self.computed - self.stated, 6)

    @property
    def status(self) -> str:
        d = abs(self.difference)
        if d < 1e-9:
            return OK
        if d <= self.tolerance + 1e-9:
            return ROUNDING
        return ERROR

    def problem(self) -> Problem:
        return Problem(self.file, self.line, self.column, self.stated,
                       f"stated total ({self.description}) is {self.stated:g} {self.unit} but its parts sum "
                       f"to {self.computed:g} {self.unit}: a difference of {self.difference:+g} {self.unit}, "
                       f"more than rounding allows (±{self.tolerance:g})")


def _line(frame: pd.DataFrame, mask) -> int | None:
    idx = list(frame.index[mask])
    lines = frame.attrs.get("lines")
    if not idx or not lines:
        return None
    return lines[idx[0]]


def budget_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    """Personalnämndens internbudget: målområden, Bilaga 1, the total and regionbidrag (tkr)."""
    ins = data["internbudget_insatser.csv"]
    tot = data["internbudget_totaler.csv"]
    rb = data["regionbidrag.csv"]
    if ins.empty and tot.empty:
        return []
    file = tot.attrs.get("file", "internbudget_totaler.csv")
    checks = []
    mo = tot[tot.niva == "malomrade"]
    for _, row in mo.iterrows():
        nr = int(row.malomrade_nr)
        parts = ins.loc[ins.malomrade_nr == nr, "anslag_tkr"].sum()
        checks.append(Check("internbudget", f"målområde {nr}: summan av insatserna", file,
                            _line(tot, (tot.niva == "malomrade") & (tot.malomrade_nr == nr)),
                            "belopp_tkr", float(row.belopp_tkr), float(parts), 0.0, "tkr"))
    b1 = tot[(tot.niva == "bilaga1") & tot.malomrade_nr.notna()]
    for _, row in b1.iterrows():
        nr = int(row.malomrade_nr)
        stated_mo = mo.loc[mo.malomrade_nr == nr, "belopp_tkr"]
        if len(stated_mo):
            checks.append(Check("internbudget", f"Bilaga 1, målområde {nr}: samma belopp som i målområdets tabell",
                                file, _line(tot, (tot.niva == "bilaga1") & (tot.malomrade_nr == nr)),
                                "belopp_tkr", float(row.belopp_tkr), float(stated_mo.iloc[0]), 0.0, "tkr"))
    b1_sum = tot[(tot.niva == "bilaga1") & tot.malomrade_nr.isna()]
    if len(b1_sum):
        checks.append(Check("internbudget", "Bilaga 1: summaraden mot summan av målområdena", file,
                            _line(tot, (tot.niva == "bilaga1") & tot.malomrade_nr.isna()), "belopp_tkr",
                            float(b1_sum.belopp_tkr.iloc[0]), float(b1.belopp_tkr.sum()), 0.0, "tkr"))
    total = tot[tot.niva == "total"]
    if len(total):
        checks.append(Check("internbudget", "totalt: summan av alla insatser", file,
                            _line(tot, tot.niva == "total"), "belopp_tkr",
                            float(total.belopp_tkr.iloc[0]), float(ins.anslag_tkr.sum()), 0.0, "tkr"))
        reg = tot[tot.niva == "regionbidrag"]
        if len(reg):
            checks.append(Check("internbudget", "regionbidraget lika med den totala budgeten", file,
                                _line(tot, tot.niva == "regionbidrag"), "belopp_tkr",
                                float(reg.belopp_tkr.iloc[0]), float(total.belopp_tkr.iloc[0]), 0.0, "tkr"))
            budget_year = rb[rb.status == "budget"]
            if len(budget_year):
                checks.append(Check("internbudget", "regionbidraget i tkr mot regionbidraget i mnkr (avrundat till 0,1 mnkr)",
                                    rb.attrs.get("file", "regionbidrag.csv"), _line(rb, rb.status == "budget"),
                                    "belopp_mnkr", float(budget_year.belopp_mnkr.iloc[0]) * 1000,
                                    float(reg.belopp_tkr.iloc[0]), 50.0, "tkr"))
    return checks


def resultat_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    """Each förvaltning's resultaträkning: revenue and cost sums, resultat, and per row
    utfall − budget = avvikelse (mkr, printed to 0,1 mkr)."""
    rr = data["resultatrakning.csv"]
    file = rr.attrs.get("file", "resultatrakning.csv")
    checks = []
    for slug, g in rr.groupby("forvaltning", sort=True):
        for col in ("utfall_mkr", "budget_mkr", "avvikelse_mkr"):
            for part_type, total_type, label in (("intakt", "summa_intakter", "verksamhetens intäkter"),
                                                 ("kostnad", "summa_kostnader", "verksamhetens kostnader")):
                parts = g[g.typ == part_type]
                total = g[g.typ == total_type]
                if len(total) and len(parts):
                    checks.append(Check("resultaträkning", f"{slug}: {label}, {col.split('_')[0]}", file,
                                        _line(rr, (rr.forvaltning == slug) & (rr.typ == total_type)), col,
                                        float(total[col].iloc[0]), round(float(parts[col].sum()), 6),
                                        (len(parts) + 1) * 0.05, "mkr"))
            res = g[g.typ == "resultat"]
            sums = g[g.typ.isin(["summa_intakter", "summa_kostnader", "ovrigt"])]
            if len(res) and len(sums):
                checks.append(Check("resultaträkning", f"{slug}: resultat, {col.split('_')[0]}", file,
                                    _line(rr, (rr.forvaltning == slug) & (rr.typ == "resultat")), col,
                                    float(res[col].iloc[0]), round(float(sums[col].sum()), 6),
                                    (len(sums) + 1) * 0.05, "mkr"))
        for idx, row in g.iterrows():
            lines = rr.attrs.get("lines")
            checks.append(Check("resultaträkning", f"{slug}: {row.rad}, avvikelse = utfall − budget", file,
                                lines[idx] if lines else None, "avvikelse_mkr", float(row.avvikelse_mkr),
                                round(float(row.utfall_mkr) - float(row.budget_mkr), 6), 0.15, "mkr"))
    return checks


def all_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    return budget_checks(data) + resultat_checks(data)


def problems(checks: list[Check]) -> list[Problem]:
    return [c.problem() for c in checks if c.status == ERROR]
