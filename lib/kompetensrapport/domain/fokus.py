"""Fokus Kompetensförsörjning (Regional utveckling's project): the course funnel of the pilot
courses, the financing per year, the other results, the focus areas with their activities and
the resources (roles and shares of a post, never names).

Pure computations: DataFrames in, DataFrames, numbers and frozen result objects out.
:func:`outcomes` (the section ``fokus``) and :func:`region` (the overview) each return one result
object carrying everything its presentation (:mod:`kompetensrapport.present.sections`) needs, the
kallor.csv rows for the source lines included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetensrapport.domain.sources import kallor_rows

#: The steps of the funnel: column in fokus_kursomgangar.csv and the step's name (``steg_namn``).
#: The table in the document heads the last step "Klarat prov"; its text says these passed the
#: whole course ("67 procent fullföljde kursen, varav nästan 65 procent klarat hela kursen"), not
#: Socialstyrelsens kunskapsprov, so the step is named by what the text says.
STEPS = [("sokande", "Sökande"), ("antagna", "Antagna"), ("fullfoljda", "Fullföljda"),
         ("klarat_prov", "Klarat hela kursen")]
#: The pilot courses of the project (fokusområde 3). Their rows in fokus_resultat.csv belong with
#: the courses, not among the other results.
PILOT_COURSES = ("Intensivsvenska", "Avancerad sjukvårdssvenska")

FILES = ["fokus_kursomgangar.csv", "fokus_finansiering.csv", "fokus_resultat.csv",
         "fokus_fokusomraden.csv", "fokus_resurser.csv"]


def _frame(data, file: str) -> pd.DataFrame:
    """A data file, or an empty frame when the year has none."""
    frame = data.get(file)
    return frame if frame is not None else pd.DataFrame()


def funnel(data) -> pd.DataFrame:
    """The course funnel in long form: one row per course round and step, with the count and the
    step's share of the previous step and of sökande (per cent; missing where a count is missing
    or the base is 0). Sorted by course, round and step."""
    rounds = _frame(data, "fokus_kursomgangar.csv")
    rows = []
    for r in (rounds.sort_values(["kurs", "omgang"]) if not rounds.empty else rounds).itertuples():
        counts = [_float(getattr(r, col)) for col, _ in STEPS]
        for i, ((col, name), n) in enumerate(zip(STEPS, counts)):
            rows.append({"kurs": r.kurs, "omgang": r.omgang, "termin": r.termin, "ar": r.ar,
                         "steg_nr": i + 1, "steg": col, "steg_namn": name, "antal": n,
                         "andel_av_foregaende_procent": _pct(n, counts[i - 1]) if i else np.nan,
                         "andel_av_sokande_procent": _pct(n, counts[0]),
                         "kalla": r.kalla})
    return pd.DataFrame(rows, columns=["kurs", "omgang", "termin", "ar", "steg_nr", "steg", "steg_namn", "antal",
                                       "andel_av_foregaende_procent", "andel_av_sokande_procent", "kalla"])


def _float(value) -> float:
    """A count as float; pandas' NA (nullable integers) becomes NaN."""
    return np.nan if pd.isna(value) else float(value)


def _pct(part: float, whole: float) -> float:
    """``part`` as per cent of ``whole``; NaN when either is missing or whole is 0."""
    if pd.isna(part) or pd.isna(whole) or whole == 0:
        return np.nan
    return 100 * part / whole


def finansiering(data) -> pd.DataFrame:
    """Financing per year (kr), sorted by year, with the preliminary flag."""
    fin = _frame(data, "fokus_finansiering.csv")
    return fin if fin.empty else fin.sort_values("ar").reset_index(drop=True)


@dataclass(frozen=True)
class FinancingTotals:
    """Computed sums of the financing (the document states none)."""

    total_kr: float  # every year
    total_final_kr: float  # the final (not preliminary) years only
    preliminary_years: tuple[int, ...]
    final_years: tuple[int, ...]


def finansiering_totals(data) -> FinancingTotals:
    """The sums of all years and of the final (non-preliminary) ones, and which years are which."""
    fin = finansiering(data)
    if fin.empty:
        return FinancingTotals(0.0, 0.0, (), ())
    return FinancingTotals(total_kr=float(fin.belopp_kr.sum()),
                           total_final_kr=float(fin.loc[~fin.preliminar, "belopp_kr"].sum()),
                           preliminary_years=tuple(int(a) for a in fin.loc[fin.preliminar, "ar"]),
                           final_years=tuple(int(a) for a in fin.loc[~fin.preliminar, "ar"]))


def resurser(data) -> pd.DataFrame:
    """The resources as roles and shares of a post (per cent), in the printed order."""
    return _frame(data, "fokus_resurser.csv").reset_index(drop=True)


@dataclass(frozen=True)
class Outcomes:
    """The project's outcomes (the section ``fokus``)."""

    ar: int
    funnel: pd.DataFrame  # :func:`funnel`
    course_results: pd.DataFrame  # the rows of fokus_resultat.csv about the pilot courses
    courses_without_funnel: tuple[str, ...]  # pilot courses with results but no funnel
    financing: pd.DataFrame  # :func:`finansiering`
    totals: FinancingTotals
    other_results: pd.DataFrame  # the other rows of fokus_resultat.csv
    focus_areas: pd.DataFrame  # fokus_fokusomraden.csv: the focus areas and their activities
    resources: pd.DataFrame  # :func:`resurser`
    kallor: pd.DataFrame  # the kallor.csv rows for the source lines

    @property
    def empty(self) -> bool:
        """True when the year has no fokus data at all."""
        return all(f.empty for f in (self.funnel, self.course_results, self.financing, self.other_results,
                                     self.focus_areas, self.resources))

    @property
    def resources_given_procent(self) -> float:
        """The sum of the shares of a post that are given (per cent)."""
        return float(self.resources.andel_tjanst_procent.dropna().sum())

    @property
    def resources_not_given(self) -> int:
        """How many resources have no share of a post."""
        return int(self.resources.andel_tjanst_procent.isna().sum())


def outcomes(data, ar: int) -> Outcomes:
    """The section ``fokus``: the funnel of the pilot courses, their other results, the financing
    with its sums, the other results, the focus areas and the resources."""
    fun = funnel(data)
    res = _frame(data, "fokus_resultat.csv")
    if res.empty:
        course_res = other = res
        without_funnel = ()
    else:
        pilot = res.omrade.isin(PILOT_COURSES)
        course_res, other = res[pilot], res[~pilot]
        without_funnel = tuple(k for k in course_res.omrade.drop_duplicates() if k not in set(fun.kurs))
    fin = finansiering(data)
    fo = _frame(data, "fokus_fokusomraden.csv")
    rs = resurser(data)
    return Outcomes(
        ar=ar, funnel=fun, course_results=course_res, courses_without_funnel=without_funnel,
        financing=fin, totals=finansiering_totals(data), other_results=other, focus_areas=fo, resources=rs,
        kallor=kallor_rows(data, fun, course_res, fin, other, fo, rs))


@dataclass(frozen=True)
class RegionSummary:
    """What the overview shows of the project: the funnel and the financing's sums."""

    ar: int
    funnel: pd.DataFrame  # :func:`funnel`
    totals: FinancingTotals


def region(data, ar: int) -> RegionSummary:
    """The project in brief, for the overview."""
    return RegionSummary(ar=ar, funnel=funnel(data), totals=finansiering_totals(data))
