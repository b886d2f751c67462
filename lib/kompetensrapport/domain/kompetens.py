"""Kompetensanalys: occupations × units rated Balans / Obalans / Brist, the regional overview,
the change between years, the förvaltningar's action plans (handlingsplan) and the needs they
raise to regional level (behov).

Pure computations: DataFrames in, DataFrames, numbers and frozen result objects out. The entry
points (:func:`analysis`, :func:`handlingsplan`, :func:`behov`, :func:`region`,
:func:`behov_region`) each return one result object carrying everything its presentation
(:mod:`kompetensrapport.present.sections`) needs, the kallor.csv rows for the source lines
included, so that the presentation never reads the data itself.

Conventions:

- a *row label* (``Yrke``) is the occupation, with the sub-role after an en dash where the data
  has one ("Tekniker – Anpassningstekniker");
- a row without a rating has the rating text ``"uppgift saknas"`` (:data:`MISSING`) and keeps the
  reason the data gives (``saknas_orsak``); it is never given a rating;
- a rating the data derived from a sentence (``harledd``) keeps that sentence (``harledd_fran``);
- a *pair* is one row of ``kompetensanalys.csv``: (förvaltning, yrke, delroll, verksamhetsområde).
  Rows without a verksamhetsområde (the unit was lost) count once.

Example::

    data = load.load_year(Path("."), 2023)
    matrix(data, "psykiatri-habilitering-hjalpmedel").loc["Logoped", "Habiliteringen"]  # 'Brist'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kompetensrapport.inputs import load
from kompetensrapport.inputs.codes import BEDOMNINGAR
from kompetensrapport.domain.sources import kallor_rows

FILE = "kompetensanalys.csv"

#: The ratings from better to worse, as the data writes them.
RATINGS = tuple(BEDOMNINGAR)  # ("Balans", "Obalans", "Brist")
#: The rating text of a row without a rating.
MISSING = "uppgift saknas"
#: Ratings in counts: worst first, then the rows without a rating.
COUNT_ORDER = ("Brist", "Obalans", "Balans", MISSING)
#: Ratings in transition tables: better to worse, then missing.
TRANSITION_ORDER = (*RATINGS, MISSING)
SEVERITY = {r: i for i, r in enumerate(RATINGS)}
#: The unit of rated rows whose unit the data does not give (a column of the matrix).
NO_UNIT = "Verksamhetsområde anges inte"
#: The directions of a changed rating (:func:`direction`), in the order changes are listed.
DIRECTIONS = ("sämre", "bättre", "bedömning saknas", "ny bedömning")

_SV = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def sv_key(text) -> str:
    """Sort key in Swedish alphabetical order (å, ä, ö after z)."""
    return str(text).casefold().translate(_SV)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or str(value) == ""


def _text(value) -> str:
    """A data value as text; missing as the empty string."""
    return "" if _blank(value) else str(value)


# -- computations ---------------------------------------------------------------------------


def _ka(data) -> pd.DataFrame:
    """The kompetensanalys rows of a data dict (or the frame itself)."""
    return data if isinstance(data, pd.DataFrame) else data[FILE]


def label(yrke, delroll) -> str:
    """The row label: the occupation, and the sub-role after an en dash when it adds something."""
    d = _text(delroll)
    return str(yrke) if not d or d == str(yrke) else f"{yrke} – {d}"


def rows(data, forvaltning: str | None = None) -> pd.DataFrame:
    """The kompetensanalys rows (of one förvaltning) with ``yrke_label``, ``enhet`` (the unit, or
    :data:`NO_UNIT`) and ``bedomning_text`` (the rating, or :data:`MISSING`), in file order."""
    df = _ka(data)
    if forvaltning is not None:
        df = df[df.forvaltning == forvaltning]
    df = df.reset_index(drop=True).copy()
    df["yrke_label"] = [label(y, d) for y, d in zip(df.yrke, df.delroll)]
    # A label must name one (yrke, delroll); where two collide, write both parts out.
    pairs = df[["forvaltning", "yrke_label", "yrke", "delroll"]].astype(str).drop_duplicates()
    clash = pairs.duplicated(["forvaltning", "yrke_label"], keep=False)
    if clash.any():
        keys = set(map(tuple, pairs[clash][["forvaltning", "yrke_label"]].values))
        df["yrke_label"] = [f"{y} – {_text(d)}" if (f, lab) in keys and _text(d) else lab
                            for f, lab, y, d in zip(df.forvaltning, df.yrke_label, df.yrke, df.delroll)]
    df["enhet"] = [_text(v) or NO_UNIT for v in df.verksamhetsomrade]
    df["bedomning_text"] = [_text(b) or MISSING for b in df.bedomning]
    return df


def units(data, forvaltning: str) -> list[str]:
    """The förvaltning's verksamhetsområden in Swedish alphabetical order (rated rows without a
    unit give the column :data:`NO_UNIT`, last)."""
    df = rows(data, forvaltning)
    named = sorted({u for u in df.verksamhetsomrade if not _blank(u)}, key=sv_key)
    if (df.verksamhetsomrade.isna() & df.bedomning.notna()).any() or not named:
        named.append(NO_UNIT)
    return named


def matrix(data, forvaltning: str) -> pd.DataFrame:
    """Yrke × verksamhetsområde with the rating per cell: "Balans", "Obalans", "Brist", "" where
    the pair is not rated, and "uppgift saknas" where the data gives no rating (in every column
    when the row has no unit). Rows in the order of the source table; columns alphabetical."""
    df = rows(data, forvaltning)
    if df.empty:
        return pd.DataFrame()
    cols = units(data, forvaltning)
    out = pd.DataFrame("", index=pd.Index(list(dict.fromkeys(df.yrke_label)), name="Yrke"),
                       columns=pd.Index(cols, name="Verksamhetsområde"), dtype=object)
    no_unit = df.bedomning.isna() & df.verksamhetsomrade.isna()
    for r in df[~no_unit].itertuples():
        out.loc[r.yrke_label, r.enhet] = r.bedomning_text
    for r in df[no_unit].itertuples():  # unit lost: missing wherever the row has no rating
        row = out.loc[r.yrke_label]
        out.loc[r.yrke_label, list(row.index[row == ""])] = MISSING
    return out


def derived_matrix(data, forvaltning: str) -> pd.DataFrame:
    """The shape of :func:`matrix`: True where the cell's rating was derived from a sentence."""
    m = matrix(data, forvaltning)
    out = pd.DataFrame(False, index=m.index, columns=m.columns)
    df = rows(data, forvaltning)
    for r in df[df.harledd & df.bedomning.notna()].itertuples():
        out.loc[r.yrke_label, r.enhet] = True
    return out


def counts(data, forvaltning: str | None = None) -> pd.DataFrame:
    """Pairs per rating (Brist, Obalans, Balans, uppgift saknas): ``antal``, ``varav_harledda`` and
    ``andel_procent`` of all pairs. ``forvaltning=None`` counts every förvaltning."""
    df = rows(data, forvaltning)
    n = df.groupby("bedomning_text").size().reindex(COUNT_ORDER, fill_value=0)
    d = df[df.harledd].groupby("bedomning_text").size().reindex(COUNT_ORDER, fill_value=0)
    out = pd.DataFrame({"bedomning": list(COUNT_ORDER), "antal": n.astype(int).values,
                        "varav_harledda": d.astype(int).values})
    total = out.antal.sum()
    out["andel_procent"] = (100 * out.antal / total) if total else float("nan")
    return out


def brist_ranking(data, forvaltning: str) -> pd.DataFrame:
    """Occupations rated Brist at one unit or more: ``antal_brist`` (units with Brist),
    ``antal_bedomda`` (units with any rating) and ``enheter`` (the units with Brist), most first."""
    df = rows(data, forvaltning)
    rated = df[df.bedomning.notna()]
    if rated.empty:
        return pd.DataFrame(columns=["yrke_label", "antal_brist", "antal_bedomda", "enheter"])
    brist = rated[rated.bedomning == "Brist"]
    g = brist.groupby("yrke_label")
    out = pd.DataFrame({
        "antal_brist": g.enhet.nunique(),
        "antal_bedomda": rated.groupby("yrke_label").enhet.nunique(),
        "enheter": g.enhet.agg(lambda x: ", ".join(sorted(x.unique(), key=sv_key))),
    }).rename_axis("yrke_label").reset_index()
    out["antal_brist"] = out.antal_brist.fillna(0).astype(int)
    out = out[out.antal_brist > 0].copy()
    out["_key"] = out.yrke_label.map(sv_key)
    out = out.sort_values(["antal_brist", "_key"], ascending=[False, True]).drop(columns="_key")
    return out.reset_index(drop=True)


# -- the region -----------------------------------------------------------------------------


def regional_names(data) -> pd.DataFrame:
    """The kompetensanalys rows with ``yrke_regionalt`` from yrkesmappning.csv (the name as the
    förvaltning writes it where the mapping has no row: never guessed)."""
    df = rows(data)
    mapping = data.get("yrkesmappning.csv")
    if mapping is None or mapping.empty:
        df["yrke_regionalt"] = df.yrke
        return df
    m = mapping[["forvaltning", "yrke", "yrke_regionalt"]]
    df = df.merge(m, on=["forvaltning", "yrke"], how="left")
    df["yrke_regionalt"] = df.yrke_regionalt.where(df.yrke_regionalt.notna(), df.yrke)
    return df


def region_summary(data) -> pd.DataFrame:
    """Per regional occupation: how many förvaltningar and how many units rate it Brist, Obalans
    and Balans (``forvaltningar_brist``, ``enheter_brist``, …), how many förvaltningar report it
    (``forvaltningar``) and its rows without a rating (``utan_bedomning``). A unit is a
    (förvaltning, verksamhetsområde); a unit that rates two sub-roles differently counts under
    both ratings. Sorted by Brist (förvaltningar, then units), then Obalans, then name."""
    df = regional_names(data)
    cols = ["yrke_regionalt"]
    for r in ("Brist", "Obalans", "Balans"):
        cols += [f"forvaltningar_{r.lower()}", f"enheter_{r.lower()}"]
    cols += ["forvaltningar", "utan_bedomning"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    names = sorted(df.yrke_regionalt.unique(), key=sv_key)
    out = pd.DataFrame({"yrke_regionalt": names}).set_index("yrke_regionalt")
    for r in ("Brist", "Obalans", "Balans"):
        sub = df[df.bedomning == r]
        out[f"forvaltningar_{r.lower()}"] = sub.groupby("yrke_regionalt").forvaltning.nunique()
        out[f"enheter_{r.lower()}"] = (sub.drop_duplicates(["yrke_regionalt", "forvaltning", "enhet"])
                                       .groupby("yrke_regionalt").size())
    out["forvaltningar"] = df.groupby("yrke_regionalt").forvaltning.nunique()
    out["utan_bedomning"] = df[df.bedomning.isna()].groupby("yrke_regionalt").size()
    out = out.fillna(0).astype(int).reset_index()
    out["_key"] = out.yrke_regionalt.map(sv_key)
    out = out.sort_values(["forvaltningar_brist", "enheter_brist", "forvaltningar_obalans", "enheter_obalans", "_key"],
                          ascending=[False, False, False, False, True]).drop(columns="_key")
    return out[cols].reset_index(drop=True)


def _normalise(name) -> str:
    return " ".join(str(name).split()).casefold()


def unmatched_names(data) -> pd.DataFrame:
    """Occupation names (compared case-insensitively, spaces normalised) that appear in two or
    more förvaltningar but are not mapped to the same regional name. One row per (name,
    förvaltning); empty when the mapping is consistent."""
    ka = data[FILE][["forvaltning", "yrke"]]
    mapping = data.get("yrkesmappning.csv")
    names = pd.concat([ka, mapping[["forvaltning", "yrke"]]] if mapping is not None else [ka]).drop_duplicates()
    if mapping is not None:
        names = names.merge(mapping[["forvaltning", "yrke", "yrke_regionalt"]], on=["forvaltning", "yrke"], how="left")
    else:
        names["yrke_regionalt"] = pd.NA
    names["yrke_regionalt"] = names.yrke_regionalt.where(names.yrke_regionalt.notna(), names.yrke)
    names["namn"] = names.yrke.map(_normalise)
    g = names.groupby("namn")
    bad = g.filter(lambda x: x.forvaltning.nunique() > 1 and x.yrke_regionalt.nunique() > 1)
    cols = ["namn", "forvaltning", "yrke", "yrke_regionalt"]
    return bad[cols].sort_values(cols).reset_index(drop=True)


# -- between years --------------------------------------------------------------------------

#: The columns that name a pair.
PAIR_KEY = ["forvaltning", "yrke", "delroll", "verksamhetsomrade"]


def _pairs(current, previous, forvaltning: str | None = None) -> pd.DataFrame:
    """Both years' rows joined on the pair (outer), with ``bedomning_foregaende``, ``bedomning``
    (text, "uppgift saknas" where missing) and ``_merge`` telling which years have the pair."""
    def prep(data):
        df = rows(data, forvaltning)
        for c in ("delroll", "verksamhetsomrade"):
            df[c] = [_text(v) for v in df[c]]
        return df[PAIR_KEY + ["yrke_label", "enhet", "bedomning_text", "kalla"]]

    cur, prev = prep(current), prep(previous)
    both = prev.merge(cur, on=PAIR_KEY, how="outer", suffixes=("_foregaende", ""), indicator=True)
    return both


def transitions(current, previous, forvaltning: str | None = None) -> pd.DataFrame:
    """Rating the year before (rows) × rating this year (columns): the number of pairs present in
    both years. Ratings in the order Balans, Obalans, Brist, uppgift saknas; zeros included."""
    p = _pairs(current, previous, forvaltning)
    p = p[p._merge == "both"]
    t = pd.crosstab(p.bedomning_text_foregaende, p.bedomning_text)
    t = t.reindex(index=list(TRANSITION_ORDER), columns=list(TRANSITION_ORDER), fill_value=0).astype(int)
    t.index.name, t.columns.name = "foregaende_ar", "i_ar"
    return t


def direction(before: str, after: str) -> str:
    """How a rating changed: "sämre", "bättre", "oförändrad", "ny bedömning" (none before) or
    "bedömning saknas" (none now)."""
    if before == after:
        return "oförändrad"
    if before == MISSING:
        return "ny bedömning"
    if after == MISSING:
        return "bedömning saknas"
    return "sämre" if SEVERITY[after] > SEVERITY[before] else "bättre"


def changes(current, previous, forvaltning: str | None = None) -> pd.DataFrame:
    """The pairs present in both years whose rating changed, with ``bedomning_foregaende``,
    ``bedomning`` and ``riktning`` (see :func:`direction`); worse first, then better, then the
    rest, each by förvaltning and occupation."""
    p = _pairs(current, previous, forvaltning)
    p = p[(p._merge == "both") & (p.bedomning_text_foregaende != p.bedomning_text)].copy()
    p["riktning"] = [direction(a, b) for a, b in zip(p.bedomning_text_foregaende, p.bedomning_text)]
    order = {d: i for i, d in enumerate(DIRECTIONS)}
    p["_o"] = p.riktning.map(order)
    p["_k"] = p.yrke_label.map(sv_key)
    p = p.sort_values(["_o", "forvaltning", "_k", "enhet"])
    p = p.rename(columns={"bedomning_text_foregaende": "bedomning_foregaende", "bedomning_text": "bedomning"})
    return p[PAIR_KEY + ["yrke_label", "enhet", "bedomning_foregaende", "bedomning", "riktning", "kalla"]].reset_index(drop=True)


# -- source documents -----------------------------------------------------------------------


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The change of the ratings since the year before (of one förvaltning, or of all)."""

    ar: int
    forvaltning: str | None  # None: every förvaltning
    both: pd.DataFrame  # the pairs present in both years (:func:`_pairs`), with both years' kalla
    only_now: int  # pairs only this year
    only_before: int  # pairs only the year before
    transitions: pd.DataFrame  # :func:`transitions`
    changes: pd.DataFrame  # :func:`changes`
    kallor: pd.DataFrame  # both years' kallor.csv rows for the source lines

    @property
    def previous_ar(self) -> int:
        return self.ar - 1

    @property
    def unchanged(self) -> int:
        """Pairs present in both years with the same rating."""
        return len(self.both) - len(self.changes)

    def changed(self, riktning: str) -> int:
        """Pairs whose rating changed in direction ``riktning`` (one of :data:`DIRECTIONS`)."""
        return int((self.changes.riktning == riktning).sum())


def comparison(data, previous, ar: int, forvaltning: str | None = None) -> Comparison | None:
    """The change since the year before; None when there is no earlier year."""
    if previous is None:
        return None
    p = _pairs(data, previous, forvaltning)
    both = p[p._merge == "both"]
    return Comparison(
        ar=ar, forvaltning=forvaltning, both=both,
        only_now=int((p._merge == "right_only").sum()), only_before=int((p._merge == "left_only").sum()),
        transitions=transitions(data, previous, forvaltning), changes=changes(data, previous, forvaltning),
        kallor=kallor_rows(data, list(both.kalla), list(both.kalla_foregaende), previous=previous))


def definitions(data, forvaltning: str) -> pd.DataFrame:
    """The förvaltning's own definitions of Balans, Obalans and Brist (bedomningsdefinitioner.csv),
    Balans first; an empty frame when it gives none."""
    defs = data.get("bedomningsdefinitioner.csv")
    if defs is None:
        return pd.DataFrame()
    defs = defs[defs.forvaltning == forvaltning]
    defs = defs.assign(_o=defs.bedomning.map(SEVERITY)).sort_values("_o").drop(columns="_o")
    return defs.reset_index(drop=True)


@dataclass(frozen=True)
class Analysis:
    """The kompetensanalys of one förvaltning (the section ``kompetens``)."""

    ar: int
    forvaltning: str
    rows: pd.DataFrame  # :func:`rows`: the förvaltning's rows, empty when it has none
    definitions: pd.DataFrame  # :func:`definitions`
    matrix: pd.DataFrame  # :func:`matrix`
    derived_matrix: pd.DataFrame  # :func:`derived_matrix`
    derived: pd.DataFrame  # the rows whose rating was derived from a sentence
    missing: pd.DataFrame  # the rows without a rating
    counts: pd.DataFrame  # :func:`counts`
    brist: pd.DataFrame  # :func:`brist_ranking`
    brist_rows: pd.DataFrame  # the rows rated Brist
    comparison: Comparison | None  # None when there is no earlier year
    kallor: pd.DataFrame  # this year's kallor.csv rows for the source lines

    @property
    def occupations(self) -> int:
        """How many occupations and roles (row labels) the analysis rates."""
        return int(self.rows.yrke_label.nunique())

    @property
    def named_units(self) -> int:
        """How many verksamhetsområden the rows name."""
        return int(self.rows.verksamhetsomrade.dropna().nunique())


def analysis(data, forvaltning: str, ar: int, previous=None) -> Analysis:
    """The section ``kompetens``: the förvaltning's matrix, derived and missing ratings, counts,
    Brist ranking and the change since ``previous`` (the year before's data, or None)."""
    df = rows(data, forvaltning)
    defs = definitions(data, forvaltning)
    return Analysis(
        ar=ar, forvaltning=forvaltning, rows=df, definitions=defs,
        matrix=matrix(data, forvaltning), derived_matrix=derived_matrix(data, forvaltning),
        derived=df[df.harledd & df.bedomning.notna()].reset_index(drop=True),
        missing=df[df.bedomning.isna()].reset_index(drop=True),
        counts=counts(data, forvaltning), brist=brist_ranking(data, forvaltning),
        brist_rows=df[df.bedomning == "Brist"].reset_index(drop=True),
        comparison=comparison(data, previous, ar, forvaltning),
        kallor=kallor_rows(data, df, defs))


@dataclass(frozen=True)
class Region:
    """The kompetensanalys of every förvaltning, by regional occupation (the overview)."""

    ar: int
    rows: pd.DataFrame  # :func:`regional_names`: every row, with its regional occupation
    forvaltningar: tuple[str, ...]  # the förvaltningar, in alphabetical order of their names
    names: dict  # förvaltning slug → the name readers see (the slug where none is given)
    summary: pd.DataFrame  # :func:`region_summary`
    unmatched: pd.DataFrame  # :func:`unmatched_names`
    brist: pd.DataFrame  # the summary's occupations rated Brist at a unit or more, most units first
    top: pd.DataFrame  # the five of them at the most units (ties kept), in summary order
    comparison: Comparison | None  # None when there is no earlier year
    kallor: pd.DataFrame

    def name(self, forvaltning: str) -> str:
        return self.names.get(forvaltning, forvaltning)


def region(data, ar: int, previous=None, names: dict | None = None) -> Region:
    """The regional overview of the kompetensanalys; ``names`` maps förvaltning slugs to the
    names readers see (default: the slug)."""
    df = regional_names(data)
    names = dict(names or {})
    s = region_summary(data)
    brist = s[s.enheter_brist > 0]
    return Region(
        ar=ar, rows=df, names=names,
        forvaltningar=tuple(sorted(df.forvaltning.unique(), key=lambda f: sv_key(names.get(f, f)))),
        summary=s, unmatched=unmatched_names(data),
        brist=brist.sort_values("enheter_brist", ascending=False, kind="stable"),
        top=brist.nlargest(5, "enheter_brist", keep="all"),
        comparison=comparison(data, previous, ar), kallor=kallor_rows(data, df))


# -- handlingsplan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Handlingsplan:
    """A förvaltning's action plan (the section ``handlingsplan``)."""

    ar: int
    forvaltning: str
    rows: pd.DataFrame  # the plan's rows in the order of the source; empty when it has none
    kallor: pd.DataFrame

    @property
    def focus_areas(self) -> int:
        return int(self.rows.fokusomrade.nunique())


def handlingsplan(data, forvaltning: str, ar: int) -> Handlingsplan:
    """The förvaltning's action plan rows in the order of the source."""
    hp = load.rows_for(data, "handlingsplan.csv", forvaltning)
    return Handlingsplan(ar=ar, forvaltning=forvaltning, rows=hp, kallor=kallor_rows(data, hp))


# -- needs raised to another level (the region) ------------------------------------------------


@dataclass(frozen=True)
class Behov:
    """What a förvaltning's plan says must be handled at another level (the section ``behov``)."""

    ar: int
    forvaltning: str
    points: pd.DataFrame  # in the printed order; empty when the plan raises none
    levels: tuple[str, ...]  # the levels the plan's question asks about, in order
    kallor: pd.DataFrame


def behov(data, forvaltning: str, ar: int) -> Behov:
    """The needs the förvaltning raises to another level (the region), in the printed order."""
    b = load.rows_for(data, "behov_annan_niva.csv", forvaltning)
    if not b.empty:
        b = b.sort_values("nr", kind="stable").reset_index(drop=True)
    levels = tuple(dict.fromkeys(b.niva)) if not b.empty else ()
    return Behov(ar=ar, forvaltning=forvaltning, points=b, levels=levels, kallor=kallor_rows(data, b))


@dataclass(frozen=True)
class BehovRegion:
    """Every förvaltning's needs at regional level (the overview)."""

    ar: int
    forvaltningar: tuple[Behov, ...]  # the förvaltningar that raise needs, by name
    names: dict  # förvaltning slug → the name readers see (the slug where none is given)

    def name(self, forvaltning: str) -> str:
        return self.names.get(forvaltning, forvaltning)


def behov_region(data, ar: int, names: dict | None = None) -> BehovRegion:
    """The needs of every förvaltning that raises any, in alphabetical order of the names
    readers see (``names``: förvaltning slug → name; default: the slug)."""
    names = dict(names or {})
    frame = data.get("behov_annan_niva.csv")
    slugs = [] if frame is None or frame.empty else frame.forvaltning.unique()
    slugs = sorted(slugs, key=lambda f: sv_key(names.get(f, f)))
    return BehovRegion(ar=ar, forvaltningar=tuple(behov(data, s, ar) for s in slugs), names=names)
