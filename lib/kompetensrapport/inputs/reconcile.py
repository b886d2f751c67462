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

from kompetensrapport.inputs import load
from kompetensrapport.exceptions import Problem

OK, ROUNDING, ERROR = "ok", "avrundning", "fel"


@dataclass(frozen=True)
class Check:
    """One reconciliation: ``stated`` (printed) against ``computed`` (sum of the parts).

    ``file``, ``line`` and ``column`` say where the stated total stands; ``parts_file``,
    ``parts_lines`` and ``parts_columns`` where its parts stand; ``written`` holds the stated
    value and the parts as their files write them, so that a message shows the numbers as the
    files do (``4800``, ``196.9``), and ``scale`` is what the stated value was multiplied by
    (1000 for mnkr compared in tkr)."""

    area: str
    description: str  # Swedish, for the reader
    file: str
    line: int | None
    column: str
    stated: float
    computed: float
    tolerance: float
    unit: str
    parts_file: str | None = None
    parts_lines: tuple = ()
    parts_columns: tuple = ()
    written: tuple = ()  # the stated value's text first, then the parts'
    scale: float = 1

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
        stated_text = self.written[0] if self.written and self.written[0] is not None else None
        decimals = _decimals(self.written, self.scale)
        num = lambda x, sign="": number_text(x, decimals, sign)  # noqa: E731
        rule = (f"stated total ({self.description}) is {num(self.stated)} {self.unit} but its parts sum "
                f"to {num(self.computed)} {self.unit}: a difference of {num(self.difference, '+')} {self.unit}, "
                f"more than rounding allows (±{self.tolerance:g})")
        if self.parts_file:
            rule += f"; the parts stand in {where(self.parts_file, self.parts_lines, self.parts_columns)}"
        return Problem(self.file, self.line, self.column, stated_text if stated_text is not None else num(self.stated), rule)


def number_text(value: float, decimals: int, sign: str = "") -> str:
    """A number with ``decimals`` decimals and a dot, never in exponent form: ``4800``,
    ``196.9``, ``-0.1``; ``sign="+"`` writes a plus sign on a positive number.

    >>> number_text(196900.00000000003, 0), number_text(10_000_000.0, 0), number_text(196.9, 1)
    ('196900', '10000000', '196.9')
    >>> number_text(100.0, 0, "+"), number_text(-0.04, 1)
    ('+100', '0.0')
    """
    text = f"{round(value, decimals):{sign}.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _decimals(written: tuple, scale: float = 1) -> int:
    """The most decimals any of the written numbers has (less those a ``scale`` of 10, 100, …
    shifts away): the precision the message shows."""
    most = max((len(t.split(".", 1)[1]) for t in written if isinstance(t, str) and "." in t), default=0)
    shift = len(str(int(scale))) - 1 if scale >= 1 and float(scale).is_integer() else 0
    return max(most - shift, 0)


def ranges(lines) -> str:
    """Line numbers as short ranges.

    >>> ranges([2, 3, 4, 5, 9, 11, 12])
    '2–5, 9, 11–12'
    """
    nums = sorted({n for n in lines if n is not None})
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)


def where(file: str, lines, columns) -> str:
    """Where some cells stand.

    >>> where("data/2023/x.csv", [2, 3, 4, 5, 6], ["anslag_tkr"])
    "data/2023/x.csv, lines 2–6, column 'anslag_tkr'"
    >>> where("a.csv", [4], ["x", "y"])
    "a.csv, line 4, columns 'x' and 'y'"
    """
    known = [n for n in lines if n is not None]
    text = file
    if known:
        text += f", line{'s' if len(set(known)) > 1 else ''} {ranges(known)}"
    if columns:
        cols = [f"'{c}'" for c in columns]
        text += f", column {cols[0]}" if len(cols) == 1 else f", columns {', '.join(cols[:-1])} and {cols[-1]}"
    return text


def _rows(frame: pd.DataFrame, mask) -> list:
    return list(frame.index[mask])


def _line(frame: pd.DataFrame, mask) -> int | None:
    lines = _lines(frame, _rows(frame, mask))
    return lines[0] if lines else None


def _lines(frame: pd.DataFrame, rows) -> tuple:
    lines = frame.attrs.get("lines")
    return tuple(lines[i] for i in rows) if lines else ()


def _check(area: str, description: str, total: pd.DataFrame, total_mask, column: str, parts: pd.DataFrame,
           parts_mask, parts_columns: tuple, computed: float, tolerance: float, unit: str, scale: float = 1,
           stated: float | None = None, default_file: str = "", parts_default: str = "") -> Check:
    """A check of the first row ``total_mask`` selects in ``total`` (its ``column``, times
    ``scale``) against ``computed``, the sum of the cells ``parts_mask`` and ``parts_columns``
    select in ``parts``."""
    t_rows, p_rows = _rows(total, total_mask), _rows(parts, parts_mask)
    row = t_rows[0]
    written = (load.written(total, row, column),
               *(load.written(parts, r, c) for r in p_rows for c in parts_columns))
    return Check(area, description, total.attrs.get("file", default_file), _line(total, total_mask), column,
                 float(total.loc[row, column]) * scale if stated is None else stated, computed, tolerance, unit,
                 parts.attrs.get("file", parts_default), _lines(parts, p_rows), parts_columns, written, scale)


def budget_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    """Personalnämndens internbudget: målområden, Bilaga 1, the total and regionbidrag (tkr)."""
    ins = data["internbudget_insatser.csv"]
    tot = data["internbudget_totaler.csv"]
    rb = data["regionbidrag.csv"]
    if ins.empty and tot.empty:
        return []
    tf, inf = "internbudget_totaler.csv", "internbudget_insatser.csv"
    checks = []
    is_mo = tot.niva == "malomrade"
    for _, row in tot[is_mo].iterrows():
        nr = int(row.malomrade_nr)
        parts = ins.malomrade_nr == nr
        checks.append(_check("internbudget", f"målområde {nr}: summan av insatserna", tot, is_mo & (tot.malomrade_nr == nr),
                             "belopp_tkr", ins, parts, ("anslag_tkr",), float(ins.loc[parts, "anslag_tkr"].sum()),
                             0.0, "tkr", default_file=tf, parts_default=inf))
    is_b1 = (tot.niva == "bilaga1") & tot.malomrade_nr.notna()
    for _, row in tot[is_b1].iterrows():
        nr = int(row.malomrade_nr)
        mo = is_mo & (tot.malomrade_nr == nr)
        if mo.any():
            checks.append(_check("internbudget", f"Bilaga 1, målområde {nr}: samma belopp som i målområdets tabell",
                                 tot, is_b1 & (tot.malomrade_nr == nr), "belopp_tkr", tot, mo, ("belopp_tkr",),
                                 float(tot.loc[mo, "belopp_tkr"].iloc[0]), 0.0, "tkr", default_file=tf, parts_default=tf))
    b1_sum = (tot.niva == "bilaga1") & tot.malomrade_nr.isna()
    if b1_sum.any():
        checks.append(_check("internbudget", "Bilaga 1: summaraden mot summan av målområdena", tot, b1_sum,
                             "belopp_tkr", tot, is_b1, ("belopp_tkr",), float(tot.loc[is_b1, "belopp_tkr"].sum()),
                             0.0, "tkr", default_file=tf, parts_default=tf))
    is_total = tot.niva == "total"
    if is_total.any():
        every = pd.Series(True, index=ins.index)
        checks.append(_check("internbudget", "totalt: summan av alla insatser", tot, is_total, "belopp_tkr",
                             ins, every, ("anslag_tkr",), float(ins.anslag_tkr.sum()), 0.0, "tkr",
                             default_file=tf, parts_default=inf))
        is_reg = tot.niva == "regionbidrag"
        if is_reg.any():
            checks.append(_check("internbudget", "regionbidraget lika med den totala budgeten", tot, is_reg,
                                 "belopp_tkr", tot, is_total, ("belopp_tkr",),
                                 float(tot.loc[is_total, "belopp_tkr"].iloc[0]), 0.0, "tkr",
                                 default_file=tf, parts_default=tf))
            budget_year = rb.status == "budget"
            if budget_year.any():
                checks.append(_check("internbudget", "regionbidraget i tkr mot regionbidraget i mnkr (avrundat till 0,1 mnkr)",
                                     rb, budget_year, "belopp_mnkr", tot, is_reg, ("belopp_tkr",),
                                     float(tot.loc[is_reg, "belopp_tkr"].iloc[0]), 50.0, "tkr", scale=1000,
                                     default_file="regionbidrag.csv", parts_default=tf))
    return checks


def resultat_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    """Each förvaltning's resultaträkning: revenue and cost sums, resultat, and per row
    utfall − budget = avvikelse (mkr, printed to 0,1 mkr)."""
    rr = data["resultatrakning.csv"]
    rf = "resultatrakning.csv"
    checks = []
    for slug, g in rr.groupby("forvaltning", sort=True):
        own = rr.forvaltning == slug
        for col in ("utfall_mkr", "budget_mkr", "avvikelse_mkr"):
            for part_type, total_type, label in (("intakt", "summa_intakter", "verksamhetens intäkter"),
                                                 ("kostnad", "summa_kostnader", "verksamhetens kostnader")):
                parts, total = own & (rr.typ == part_type), own & (rr.typ == total_type)
                if total.any() and parts.any():
                    n = int(parts.sum())
                    checks.append(_check("resultaträkning", f"{slug}: {label}, {col.split('_')[0]}", rr, total, col,
                                         rr, parts, (col,), round(float(rr.loc[parts, col].sum()), 6),
                                         (n + 1) * 0.05, "mkr", default_file=rf, parts_default=rf))
            res, sums = own & (rr.typ == "resultat"), own & rr.typ.isin(["summa_intakter", "summa_kostnader", "ovrigt"])
            if res.any() and sums.any():
                n = int(sums.sum())
                checks.append(_check("resultaträkning", f"{slug}: resultat, {col.split('_')[0]}", rr, res, col,
                                     rr, sums, (col,), round(float(rr.loc[sums, col].sum()), 6),
                                     (n + 1) * 0.05, "mkr", default_file=rf, parts_default=rf))
        for idx, row in g.iterrows():
            this = rr.index == idx
            checks.append(_check("resultaträkning", f"{slug}: {row.rad}, avvikelse = utfall − budget", rr, this,
                                 "avvikelse_mkr", rr, this, ("utfall_mkr", "budget_mkr"),
                                 round(float(row.utfall_mkr) - float(row.budget_mkr), 6), 0.15, "mkr",
                                 default_file=rf, parts_default=rf))
    return checks


def bridge_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    """Each year's budget bridge: the year before's regionbidrag plus the steps of
    ``regionbidrag_brygga.csv`` against the stated regionbidrag of the year (mnkr, printed to
    0,1 mnkr: up to (n + 1) × 0,05 mnkr is rounding)."""
    steps, rb = data.get("regionbidrag_brygga.csv"), data.get("regionbidrag.csv")
    if steps is None or rb is None or steps.empty:
        return []
    checks = []
    for ar, g in steps.groupby("ar", sort=True):
        start, end = rb.ar == ar - 1, rb.ar == ar
        if not start.any() or not end.any():
            continue
        computed = round(float(rb.loc[start, "belopp_mnkr"].iloc[0]) + float(g.belopp_mnkr.sum()), 6)
        checks.append(_check("regionbidrag", f"{ar}: regionbidraget {ar - 1} och stegen i bryggan mot regionbidraget {ar}",
                             rb, end, "belopp_mnkr", steps, steps.ar == ar, ("belopp_mnkr",), computed,
                             (len(g) + 2) * 0.05, "mnkr", default_file="regionbidrag.csv",
                             parts_default="regionbidrag_brygga.csv"))
    return checks


def all_checks(data: dict[str, pd.DataFrame]) -> list[Check]:
    return budget_checks(data) + resultat_checks(data) + bridge_checks(data)


def problems(checks: list[Check]) -> list[Problem]:
    return [c.problem() for c in checks if c.status == ERROR]
