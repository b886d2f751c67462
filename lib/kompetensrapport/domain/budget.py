"""Budget computations: Personalnämndens internbudget, regionbidrag over the years and the bridge
from one year's regionbidrag to the next, budget targets, the political assignments (delmål och
uppdrag) and a förvaltning's resultaträkning.

Every function takes the year's data (``kompetensrapport.inputs.load.load_year``) and returns
numbers: DataFrames, or a frozen dataclass holding them. The four section entry points named in
:mod:`kompetensrapport.sections` (:func:`uppdrag`, :func:`internbudget`, :func:`brygga`,
:func:`resultatrakning`) return everything their presentation
(``kompetensrapport.present.sections``) needs, the rows of ``kallor.csv`` for the source lines
included, so the presentation never reads ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetensrapport.inputs import reconcile
from kompetensrapport.domain.sources import kallor_rows

# -- Personalnämndens internbudget ------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """The internbudget's overall sum of the insatser, its stated total and the stated
    regionbidrag (tkr); a stated value the source does not give is None."""

    summa_tkr: float
    angiven_tkr: float | None
    regionbidrag_tkr: float | None

    @property
    def agrees(self) -> bool:
        """Whether the sum of the insatser equals both the stated total and the regionbidrag."""
        return self.angiven_tkr == self.summa_tkr and self.regionbidrag_tkr == self.summa_tkr


def insatser(data, malomrade_nr: int | None = None) -> pd.DataFrame:
    """The insatser with cost per target place (tkr per plats/anställning) where both are given."""
    df = data["internbudget_insatser.csv"].copy()
    if malomrade_nr is not None:
        df = df[df.malomrade_nr == malomrade_nr]
    df["kostnad_per_mal_tkr"] = (df.anslag_tkr / df.mal_antal).where(df.mal_antal > 0)
    return df.reset_index(drop=True)


def malomraden(data) -> pd.DataFrame:
    """Per målområde: sum of its insatser, the stated total, the difference and the share of the
    overall sum (per cent), sorted as numbered."""
    ins = data["internbudget_insatser.csv"]
    tot = data["internbudget_totaler.csv"]
    sums = ins.groupby("malomrade_nr").agg(malomrade=("malomrade", "first"), summa_tkr=("anslag_tkr", "sum"),
                                           antal_insatser=("insats", "count"))
    stated = tot[tot.niva == "malomrade"].set_index("malomrade_nr")["belopp_tkr"]
    sums["angiven_tkr"] = stated.reindex(sums.index).astype(float).values
    sums["differens_tkr"] = sums.summa_tkr - sums.angiven_tkr
    sums["andel_procent"] = 100 * sums.summa_tkr / sums.summa_tkr.sum()
    return sums.reset_index()


def total(data) -> Totals:
    """The overall sum of the insatser, the stated total and regionbidrag (tkr)."""
    tot = data["internbudget_totaler.csv"]

    def stated(niva: str) -> float | None:
        hit = tot.loc[tot.niva == niva, "belopp_tkr"]
        return float(hit.iloc[0]) if len(hit) else None

    return Totals(summa_tkr=float(data["internbudget_insatser.csv"].anslag_tkr.sum()),
                  angiven_tkr=stated("total"), regionbidrag_tkr=stated("regionbidrag"))


def largest(data, n: int = 3) -> pd.DataFrame:
    """The n largest insatser by anslag."""
    return data["internbudget_insatser.csv"].nlargest(n, "anslag_tkr").reset_index(drop=True)


def regionbidrag(data) -> pd.DataFrame:
    """Regionbidrag per year with the change from the year before, in tkr and per cent."""
    rb = data["regionbidrag.csv"].sort_values("ar").reset_index(drop=True).copy()
    rb["belopp_tkr"] = (rb.belopp_mnkr * 1000).round(0)
    rb["forandring_tkr"] = rb.belopp_tkr.diff()
    rb["forandring_procent"] = 100 * rb.belopp_tkr.pct_change()
    return rb


@dataclass(frozen=True)
class Internbudget:
    """The section ``budget``: the internbudget of year ``ar`` (its insatser, their sums per
    målområde against the stated sums, the totals and the largest insatser), regionbidrag over
    the years and the budget targets.

    ``insatser_per_malomrade`` maps each målområde's number to its insatser (as
    :func:`insatser`); ``totaler`` is ``internbudget_totaler.csv`` (the source of the stated sums)."""

    ar: int
    insatser: pd.DataFrame
    malomraden: pd.DataFrame
    insatser_per_malomrade: dict[int, pd.DataFrame]
    totals: Totals
    largest: pd.DataFrame
    totaler: pd.DataFrame
    regionbidrag: pd.DataFrame
    budgetmal: pd.DataFrame
    kallor: pd.DataFrame


def internbudget(data, ar: int) -> Internbudget:
    """Everything of the section ``budget`` (Personalnämnden) for year ``ar``."""
    mo = malomraden(data)
    rb = regionbidrag(data)
    ins, tot, bm = insatser(data), data["internbudget_totaler.csv"], data["budgetmal.csv"]
    return Internbudget(ar=ar, insatser=ins, malomraden=mo,
                        insatser_per_malomrade={int(nr): insatser(data, nr) for nr in mo.malomrade_nr},
                        totals=total(data), largest=largest(data), totaler=tot, regionbidrag=rb, budgetmal=bm,
                        kallor=kallor_rows(data, ins, tot, rb, bm))


# -- a förvaltning's resultaträkning ----------------------------------------------------------


def resultatrakning_rows(data, forvaltning: str) -> pd.DataFrame:
    """The resultaträkning as printed, with the difference in per cent computed from utfall and
    budget: (utfall − budget) / |budget| × 100 (empty when the budget is 0)."""
    rr = data["resultatrakning.csv"]
    rr = rr[rr.forvaltning == forvaltning].sort_values("radnr").reset_index(drop=True).copy()
    denom = rr.budget_mkr.abs()
    rr["avvikelse_procent"] = (100 * (rr.utfall_mkr - rr.budget_mkr) / denom).where(denom > 0)
    return rr


def result_owners(rr: pd.DataFrame) -> tuple[str, ...]:
    """Whose result resultaträkning rows are (their ``avser``, e.g. ``('Regionstyrelsen',)``),
    each once, in the order of the rows."""
    return tuple(dict.fromkeys(rr.avser))


#: The row types of a resultaträkning that are sums (revenue, costs, the result).
SUM_TYPES = ("summa_intakter", "summa_kostnader", "resultat")


@dataclass(frozen=True)
class Resultatrakning:
    """The section ``resultatrakning``: a förvaltning's resultaträkning rows
    (:func:`resultatrakning_rows`), whose result they are, and their reconciliation: the sums
    against their parts (``sum_checks``) and each row's avvikelse = utfall − budget
    (``row_checks``), as :func:`kompetensrapport.inputs.reconcile.resultat_checks` makes them."""

    forvaltning: str
    ar: int
    rows: pd.DataFrame
    owners: tuple[str, ...]
    sum_checks: tuple[reconcile.Check, ...]
    row_checks: tuple[reconcile.Check, ...]
    kallor: pd.DataFrame

    @property
    def result(self) -> pd.DataFrame:
        """The row(s) of type ``resultat``."""
        return self.rows[self.rows.typ == "resultat"]

    @property
    def strong_rows(self) -> list[int]:
        """Positions of the sum rows (revenue, costs, the result)."""
        return [i for i, t in enumerate(self.rows.typ) if t in SUM_TYPES]

    @property
    def rounding_differences(self) -> int:
        """How many checks differ by rounding only."""
        return sum(c.status == reconcile.ROUNDING for c in self.sum_checks + self.row_checks)


def resultatrakning(data, forvaltning: str, ar: int) -> Resultatrakning:
    """Everything of the section ``resultatrakning`` for ``forvaltning`` in year ``ar``."""
    rr = resultatrakning_rows(data, forvaltning)
    checks = [c for c in reconcile.resultat_checks(data) if c.description.startswith(f"{forvaltning}:")] \
        if len(rr) else []
    is_row = lambda c: "avvikelse = utfall" in c.description  # noqa: E731 - a row's own check
    return Resultatrakning(forvaltning=forvaltning, ar=ar, rows=rr, owners=result_owners(rr),
                           sum_checks=tuple(c for c in checks if not is_row(c)),
                           row_checks=tuple(c for c in checks if is_row(c)), kallor=kallor_rows(data, rr))


# -- the budget bridge: from one year's regionbidrag to the next -------------------------------

BRIDGE_COLUMNS = ["typ", "ar", "text", "belopp_mnkr", "procent", "fore_mnkr", "efter_mnkr", "kalla"]


def bridge_rows(data, ar: int) -> pd.DataFrame:
    """The bridge from regionbidrag ``ar − 1`` to ``ar`` (mnkr): the first row is the year before's
    regionbidrag, then each step in its order, then the stated regionbidrag of ``ar``. ``fore_mnkr``
    and ``efter_mnkr`` are the running total before and after each row (for a step: the stated
    start plus the steps so far); ``typ`` is ``utgangsvarde``, ``forandring`` or ``slutvarde``;
    ``ar`` is the year of a regionbidrag row and empty for a step, whose ``text`` is its
    ``forandring`` as the source writes it. Empty when the year has no steps or either
    regionbidrag is missing."""
    steps = data.get("regionbidrag_brygga.csv")
    rb = data.get("regionbidrag.csv")
    if steps is None or rb is None:
        return pd.DataFrame(columns=BRIDGE_COLUMNS)
    steps = steps[steps.ar == ar].sort_values("steg")
    start, end = rb[rb.ar == ar - 1], rb[rb.ar == ar]
    if steps.empty or start.empty or end.empty:
        return pd.DataFrame(columns=BRIDGE_COLUMNS)
    s0, s1 = start.iloc[0], end.iloc[0]
    nan = float("nan")
    rows = [{"typ": "utgangsvarde", "ar": ar - 1, "text": None, "belopp_mnkr": float(s0.belopp_mnkr),
             "procent": nan, "fore_mnkr": 0.0, "efter_mnkr": float(s0.belopp_mnkr), "kalla": s0.kalla}]
    running = float(s0.belopp_mnkr)
    for r in steps.itertuples():
        rows.append({"typ": "forandring", "ar": None, "text": r.forandring, "belopp_mnkr": float(r.belopp_mnkr),
                     "procent": r.procent, "fore_mnkr": running, "efter_mnkr": round(running + r.belopp_mnkr, 6),
                     "kalla": r.kalla})
        running = round(running + r.belopp_mnkr, 6)
    rows.append({"typ": "slutvarde", "ar": ar, "text": None, "belopp_mnkr": float(s1.belopp_mnkr),
                 "procent": nan, "fore_mnkr": 0.0, "efter_mnkr": float(s1.belopp_mnkr), "kalla": s1.kalla})
    return pd.DataFrame(rows, columns=BRIDGE_COLUMNS).astype({"ar": "Int64"})


@dataclass(frozen=True)
class Bridge:
    """The section ``brygga``: the bridge rows (:func:`bridge_rows`) from regionbidrag ``ar − 1``
    to ``ar`` and their reconciliation (:func:`kompetensrapport.inputs.reconcile.bridge_checks`).
    ``computed_mnkr`` is the start plus every step; ``agrees`` says it equals the stated
    regionbidrag of ``ar`` and no check is an error."""

    ar: int
    rows: pd.DataFrame
    checks: tuple[reconcile.Check, ...]
    kallor: pd.DataFrame

    @property
    def steps(self) -> pd.DataFrame:
        return self.rows[self.rows.typ == "forandring"]

    @property
    def computed_mnkr(self) -> float:
        return float(self.steps.efter_mnkr.iloc[-1])

    @property
    def agrees(self) -> bool:
        return (all(c.status != reconcile.ERROR for c in self.checks)
                and self.computed_mnkr == self.rows.belopp_mnkr.iloc[-1])


def brygga(data, ar: int) -> Bridge:
    """Everything of the section ``brygga`` for year ``ar``."""
    br = bridge_rows(data, ar)
    checks = tuple(c for c in reconcile.bridge_checks(data) if c.description.startswith(f"{ar}:")) \
        if len(br) else ()
    return Bridge(ar=ar, rows=br, checks=checks, kallor=kallor_rows(data, br))


# -- Delmål och uppdrag: the political assignments ---------------------------------------------

UPPDRAG_COLUMNS = ["ar", "nr", "malomrade", "uppdrag", "ansvarig", "belopp_mnkr", "kalla"]


def uppdrag_rows(data, ar: int) -> pd.DataFrame:
    """The year's assignments (Delmål och uppdrag) in the order of the document."""
    du = data.get("delmal_uppdrag.csv")
    if du is None or du.empty:
        return pd.DataFrame(columns=UPPDRAG_COLUMNS)
    return du[du.ar == ar].sort_values("nr").reset_index(drop=True)


def uppdrag_per_malomrade(data, ar: int) -> pd.DataFrame:
    """Per målområde (in the order of the document): the number of assignments and the sum of the
    amounts given (mnkr; 0 when none is given) with the number of assignments that give one."""
    return _per_malomrade(uppdrag_rows(data, ar))


def _per_malomrade(du: pd.DataFrame) -> pd.DataFrame:
    g = du.groupby("malomrade", sort=False)
    return pd.DataFrame({"antal": g.size(), "med_belopp": g.belopp_mnkr.count(),
                         "belopp_mnkr": g.belopp_mnkr.sum()}).reset_index()


@dataclass(frozen=True)
class Uppdrag:
    """The section ``uppdrag``: the assignments of year ``ar`` (:func:`uppdrag_rows`) and their
    count and amounts per målområde (:func:`uppdrag_per_malomrade`)."""

    ar: int
    rows: pd.DataFrame
    per_malomrade: pd.DataFrame
    kallor: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.rows.empty

    @property
    def with_amount(self) -> pd.DataFrame:
        """The assignments that give an amount."""
        return self.rows[self.rows.belopp_mnkr.notna()]


def uppdrag(data, ar: int) -> Uppdrag:
    """Everything of the section ``uppdrag`` for year ``ar``."""
    du = uppdrag_rows(data, ar)
    return Uppdrag(ar=ar, rows=du, per_malomrade=_per_malomrade(du), kallor=kallor_rows(data, du))
