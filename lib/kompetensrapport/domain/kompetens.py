"""Kompetensanalys: occupations × units rated Balans / Obalans / Brist, the regional overview,
the change between years, and the förvaltningar's action plans (handlingsplan).

Computations return plain DataFrames (ratings as the data writes them, counts as numbers) and are
tested on the real data; ``*_section`` functions turn them into what a reader sees (:mod:`.blocks`).

Conventions:

- a *row label* (``Yrke``) is the occupation, with the sub-role after an en dash where the data
  has one ("Tekniker – Anpassningstekniker");
- a row without a rating is shown as ``"uppgift saknas"`` with the reason the data gives
  (``saknas_orsak``); it is never given a rating;
- a rating the data derived from a sentence (``harledd``) is marked "(härledd)" in the cell, and
  the sentence is shown as table text next to it;
- a *pair* is one row of ``kompetensanalys.csv``: (förvaltning, yrke, delroll, verksamhetsområde).
  Rows without a verksamhetsområde (the unit was lost) count once.

Example::

    data = load.load_year(Path("."), 2023)
    matrix(data, "psykiatri-habilitering-hjalpmedel").loc["Logoped", "Habiliteringen"]  # 'Brist'
"""

from __future__ import annotations

import pandas as pd

from kompetensrapport.present import fmt
from kompetensrapport.inputs import load
from kompetensrapport.present.blocks import Bullets, Callout, Heading, Text, md
from kompetensrapport.present.figures import Figure, hbar
from kompetensrapport.inputs.codes import BEDOMNINGAR
from kompetensrapport.present.sources import source_text
from kompetensrapport.present.tables import Table

FILE = "kompetensanalys.csv"

#: The ratings from better to worse, as the data writes them.
RATINGS = tuple(BEDOMNINGAR)  # ("Balans", "Obalans", "Brist")
#: What a reader sees where the data gives no rating.
MISSING = "uppgift saknas"
#: Ratings as the reader sees them in counts: worst first, then the rows without a rating.
COUNT_ORDER = ("Brist", "Obalans", "Balans", MISSING)
#: Ratings in transition tables: better to worse, then missing.
TRANSITION_ORDER = (*RATINGS, MISSING)
SEVERITY = {r: i for i, r in enumerate(RATINGS)}
#: Column name for rated rows whose unit the data does not give.
NO_UNIT = "Verksamhetsområde anges inte"
#: Marker added to a derived rating in the cell text.
DERIVED = " (härledd)"

#: Cell colours for the ratings: background and text colour. The lightness differs clearly (light
#: Balans, mid Obalans, dark Brist with white text), so the matrix also reads in grey scale, and
#: the text has contrast of at least 4.5:1 on its background (tested with the WCAG formula).
#: The cell text always names the rating, so colour never carries the meaning alone.
PALETTE = {
    "Balans": {"background": "#dcefd8", "text": "#1a1a1a"},   # light green, 14.4:1
    "Obalans": {"background": "#d98c1f", "text": "#1a1a1a"},  # amber, 6.4:1
    "Brist": {"background": "#8e1b1b", "text": "#ffffff"},    # dark red, 9.0:1
}
#: "uppgift saknas" is not coloured, only set in italics.
MISSING_STYLE = "font-style:italic"

_SV = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def sv_key(text) -> str:
    """Sort key in Swedish alphabetical order (å, ä, ö after z)."""
    return str(text).casefold().translate(_SV)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or str(value) == ""


def _text(value) -> str:
    """A data value as text; missing as the empty string."""
    return "" if _blank(value) else str(value)


def css(rating: str) -> str:
    """The CSS of a cell holding ``rating`` ("" for an empty cell)."""
    if rating in PALETTE:
        p = PALETTE[rating]
        return f"background-color:{p['background']};color:{p['text']}"
    return MISSING_STYLE if rating == MISSING else ""


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

_KEY = ["forvaltning", "yrke", "delroll", "verksamhetsomrade"]


def _pairs(current, previous, forvaltning: str | None = None) -> pd.DataFrame:
    """Both years' rows joined on the pair (outer), with ``bedomning_foregaende``, ``bedomning``
    (text, "uppgift saknas" where missing) and ``_merge`` telling which years have the pair."""
    def prep(data):
        df = rows(data, forvaltning)
        for c in ("delroll", "verksamhetsomrade"):
            df[c] = [_text(v) for v in df[c]]
        return df[_KEY + ["yrke_label", "enhet", "bedomning_text", "kalla"]]

    cur, prev = prep(current), prep(previous)
    both = prev.merge(cur, on=_KEY, how="outer", suffixes=("_foregaende", ""), indicator=True)
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
    order = {"sämre": 0, "bättre": 1, "bedömning saknas": 2, "ny bedömning": 3}
    p["_o"] = p.riktning.map(order)
    p["_k"] = p.yrke_label.map(sv_key)
    p = p.sort_values(["_o", "forvaltning", "_k", "enhet"])
    p = p.rename(columns={"bedomning_text_foregaende": "bedomning_foregaende", "bedomning_text": "bedomning"})
    return p[_KEY + ["yrke_label", "enhet", "bedomning_foregaende", "bedomning", "riktning", "kalla"]].reset_index(drop=True)


# -- what a reader sees ---------------------------------------------------------------------

def first_year_sentence(ar: int) -> str:
    """What the comparison says when there is no earlier year."""
    return f"Jämförelse med föregående år saknas: {ar} är det första året i rapporten."


def legend_table(data, forvaltning: str, ar: int) -> Table | None:
    """The förvaltning's own definitions of Balans, Obalans and Brist, coloured as in the matrix."""
    defs = data.get("bedomningsdefinitioner.csv")
    if defs is None:
        return None
    defs = defs[defs.forvaltning == forvaltning]
    if defs.empty:
        return None
    defs = defs.assign(_o=defs.bedomning.map(SEVERITY)).sort_values("_o").drop(columns="_o")
    frame = pd.DataFrame({"Bedömning": list(defs.bedomning), "Förvaltningens definition": list(defs.definition)})
    styles = pd.DataFrame({"Bedömning": [css(b) for b in defs.bedomning], "Förvaltningens definition": ""})
    return Table(frame, caption=f"Förvaltningens definitioner av bedömningarna i kompetensanalysen {ar}",
                 source=source_text(data, defs), name=f"{forvaltning}-kompetens-definitioner",
                 data=defs.reset_index(drop=True), styles=styles)


def matrix_table(data, forvaltning: str, ar: int) -> Table:
    """The matrix with the rating as text and as cell colour; derived ratings marked."""
    m = matrix(data, forvaltning)
    der = derived_matrix(data, forvaltning)
    cells = m.where(~der, m + DERIVED)
    styles = m.map(css)
    frame = cells.reset_index()
    styles = styles.reset_index()
    styles["Yrke"] = ""
    notes = ["Tom ruta: yrket bedöms inte för verksamhetsområdet. ”uppgift saknas”: underlaget anger ingen "
             "bedömning (orsaken står i tabellen över yrken utan bedömning). Färgen upprepar bedömningen i texten: "
             "ljus = Balans, mellan = Obalans, mörk = Brist."]
    if der.values.any():
        notes.append("”(härledd)”: bedömningen står inte i tabellen utan är hämtad ur en mening i underlagets text; "
                     "meningen visas i tabellen över härledda bedömningar.")
    df = rows(data, forvaltning)
    return Table(frame, caption=f"Kompetensanalys {ar}: bedömning per yrke och verksamhetsområde",
                 source=source_text(data, df), name=f"{forvaltning}-kompetensanalys",
                 styles=styles, notes=notes)


#: The one rule that decides every derived rating (the codebook, data/<år>/README.md, gives it too).
DERIVATION_RULE = (
    "Regel för härledda bedömningar: en rad får en bedömning när underlaget – tabellens kommentar för raden eller "
    "en mening i texten – säger att förvaltningens egen tillgång på yrket är i balans, obalans eller brist (också i "
    "sammansättningar som ”resursbrist”). Gäller påståendet bara en del av yrket (vissa specialiteter, en enhet, "
    "medarbetare med längre erfarenhet) ges bedömningen ändå, och avgränsningen står i kommentaren. Ett påstående "
    "som bara gäller den nationella arbetsmarknaden (”nationell brist”) eller en möjlig framtid (”på sikt kan brist "
    "uppkomma”) ger ingen bedömning; sådana meningar visas i kommentaren till raden.")


def derived_table(data, forvaltning: str, ar: int) -> Table | None:
    """The derived ratings with the sentence each was taken from."""
    df = rows(data, forvaltning)
    d = df[df.harledd & df.bedomning.notna()]
    if d.empty:
        return None
    frame = pd.DataFrame({
        "Yrke": list(d.yrke_label),
        "Verksamhetsområde": list(d.enhet),
        "Bedömning": [b + DERIVED for b in d.bedomning],
        "Härledd ur meningen": [f"”{_text(s)}”" for s in d.harledd_fran],
        "Kommentar": [_text(k) for k in d.kommentar],
    })
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles["Bedömning"] = [css(b) for b in d.bedomning]
    return Table(frame, caption=f"Härledda bedömningar {ar}: meningen i underlaget som varje bedömning bygger på",
                 source=source_text(data, d), name=f"{forvaltning}-kompetens-harledda",
                 data=d[_KEY + ["bedomning", "harledd_fran", "kommentar", "kalla"]].reset_index(drop=True),
                 styles=styles, notes=[DERIVATION_RULE])


def missing_table(data, forvaltning: str, ar: int) -> Table | None:
    """The rows without a rating, with the reason the data gives."""
    df = rows(data, forvaltning)
    d = df[df.bedomning.isna()]
    if d.empty:
        return None
    frame = pd.DataFrame({
        "Yrke": list(d.yrke_label),
        "Verksamhetsområde": [_text(v) or "anges inte" for v in d.verksamhetsomrade],
        "Bedömning": [MISSING] * len(d),
        "Orsak": [_text(s) or MISSING for s in d.saknas_orsak],
    })
    if d.kommentar.notna().any():
        frame["Kommentar i underlaget"] = [_text(k) for k in d.kommentar]
    return Table(frame, caption=f"Yrken utan bedömning {ar} och orsaken",
                 source=source_text(data, d), name=f"{forvaltning}-kompetens-utan-bedomning",
                 data=d[_KEY + ["saknas_orsak", "kommentar", "kalla"]].reset_index(drop=True))


def counts_blocks(data, forvaltning: str | None, ar: int, slug: str) -> list:
    """The counts per rating as a table and a bar figure with the counts written at the bars."""
    c = counts(data, forvaltning)
    total = int(c.antal.sum())
    frame = pd.DataFrame({
        "Bedömning": list(c.bedomning),
        "Yrke–enhet-par (antal)": [fmt.number(v) for v in c.antal],
        "Varav härledda (antal)": [fmt.number(v) for v in c.varav_harledda],
        "Andel av alla par (%)": [fmt.number(v, 1) for v in c.andel_procent],
    })
    frame.loc[len(frame)] = ["Totalt", fmt.number(total), fmt.number(int(c.varav_harledda.sum())), fmt.number(100.0, 1)]
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles["Bedömning"] = [css(b) for b in c.bedomning] + [""]
    src = rows(data, forvaltning)
    table = Table(frame, caption=f"Antal yrke–enhet-par per bedömning {ar}", source=source_text(data, src),
                  name=f"{slug}-kompetens-antal", data=c, numeric=list(frame.columns[1:]),
                  styles=styles, strong_rows=[len(frame) - 1], computed_rows=[len(frame) - 1],
                  notes=["Ett par är ett yrke (eller en delroll) vid ett verksamhetsområde. Ett yrke utan bedömning "
                         "vars verksamhetsområden inte framgår räknas en gång."])
    labels = list(c.bedomning)
    fig, ax = hbar(labels, [int(v) for v in c.antal], [fmt.number(v) for v in c.antal], "Yrke–enhet-par (antal)")
    parts = ", ".join(f"{b} {fmt.number(v)}" for b, v in zip(c.bedomning, c.antal))
    big = c.loc[c.antal.idxmax()]
    small = c.loc[c.antal.idxmin()]
    alt = (f"Liggande stapeldiagram över antalet yrke–enhet-par per bedömning {ar}, totalt {fmt.number(total)}: "
           f"{parts}. Flest par har bedömningen {big.bedomning} ({fmt.number(big.antal)}), "
           f"minst antal har {small.bedomning} ({fmt.number(small.antal)}).")
    figure = Figure(fig, caption=f"Antal yrke–enhet-par per bedömning {ar}; antalet står vid varje stapel",
                    alt=alt, name=f"{slug}-kompetens-antal")
    return [table, figure]


def ranking_blocks(data, forvaltning: str, ar: int) -> list:
    """The occupations in Brist at the most units (a table), or a sentence when there are none."""
    r = brist_ranking(data, forvaltning)
    blocks = [Heading("Yrken med brist vid flest enheter", 3)]
    if r.empty:
        n_missing = int(rows(data, forvaltning).bedomning.isna().sum())
        text = "Inget yrke bedöms som Brist i underlaget."
        if n_missing:
            text += f" {fmt.number(n_missing)} rader saknar bedömning, så brist kan inte uteslutas för dem."
        return blocks + [Text(text)]
    frame = pd.DataFrame({
        "Yrke": list(r.yrke_label),
        "Enheter med brist (antal)": [fmt.number(v) for v in r.antal_brist],
        "Enheter med bedömning (antal)": [fmt.number(v) for v in r.antal_bedomda],
        "Enheter med brist": list(r.enheter),
    })
    df = rows(data, forvaltning)
    return blocks + [Table(frame, caption=f"Yrken bedömda som Brist {ar}, flest enheter först",
                           source=source_text(data, df[df.bedomning == "Brist"]),
                           name=f"{forvaltning}-kompetens-brist", data=r,
                           numeric=["Enheter med brist (antal)", "Enheter med bedömning (antal)"])]


def _kallor(current, previous) -> dict:
    """A data dict whose kallor.csv holds both years' source documents (for source lines)."""
    frames = [d["kallor.csv"] for d in (current, previous) if isinstance(d, dict) and d.get("kallor.csv") is not None]
    return {"kallor.csv": pd.concat(frames).drop_duplicates("fil")} if frames else {}


def comparison_blocks(data, previous, ar: int, forvaltning: str | None, slug: str,
                      names: dict | None = None) -> list:
    """The change since the year before: one sentence when there is no earlier year, else the
    transition table and the list of changed ratings."""
    blocks = [Heading("Förändring sedan föregående år", 3)]
    if previous is None:
        return blocks + [Text(first_year_sentence(ar))]
    prev_ar = ar - 1
    p = _pairs(data, previous, forvaltning)
    both = p[p._merge == "both"]
    only_now, only_before = int((p._merge == "right_only").sum()), int((p._merge == "left_only").sum())
    ch = changes(data, previous, forvaltning)
    n = {k: int((ch.riktning == k).sum()) for k in ("sämre", "bättre", "bedömning saknas", "ny bedömning")}
    if both.empty:
        return blocks + [Text(f"Inget yrke–enhet-par finns med både {prev_ar} och {ar}, så bedömningarna kan inte "
                              f"jämföras ({fmt.number(only_now)} par finns bara {ar}, "
                              f"{fmt.number(only_before)} bara {prev_ar}).")]
    blocks.append(Text(
        f"{fmt.number(len(both))} yrke–enhet-par finns med både {prev_ar} och {ar}. Av dem bedöms "
        f"{fmt.number(n['sämre'])} sämre och {fmt.number(n['bättre'])} bättre än året innan; "
        f"{fmt.number(len(both) - len(ch))} har samma bedömning, {fmt.number(n['bedömning saknas'])} saknar "
        f"bedömning i år och {fmt.number(n['ny bedömning'])} har fått en bedömning. "
        f"{fmt.number(only_now)} par finns bara {ar} och {fmt.number(only_before)} bara {prev_ar}; "
        "de ingår inte i jämförelsen."))
    t = transitions(data, previous, forvaltning)
    frame = pd.DataFrame({f"Bedömning {prev_ar}": list(t.index)})
    for c in t.columns:
        frame[f"{c} {ar} (antal)"] = [fmt.number(v) for v in t[c]]
    frame["Totalt (antal)"] = [fmt.number(v) for v in t.sum(axis=1)]
    frame.loc[len(frame)] = ["Totalt"] + [fmt.number(v) for v in t.sum(axis=0)] + [fmt.number(int(t.values.sum()))]
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles.iloc[:, 0] = [css(r) for r in t.index] + [""]
    kallor = _kallor(data, previous)
    src = (f"{ar}: {source_text(kallor, list(both.kalla))}. "
           f"{prev_ar}: {source_text(kallor, list(both.kalla_foregaende))}")
    data_t = t.reset_index().rename(columns={"foregaende_ar": f"bedomning_{prev_ar}"})
    blocks.append(Table(frame, caption=f"Bedömning {prev_ar} (rader) mot bedömning {ar} (kolumner): antal yrke–enhet-par",
                        source=src, name=f"{slug}-kompetens-overgangar", data=data_t,
                        numeric=list(frame.columns[1:]), styles=styles, strong_rows=[len(frame) - 1],
                        computed_rows=[len(frame) - 1], notes=["Diagonalen (samma bedömning båda åren) är oförändrade par."]))
    if ch.empty:
        return blocks + [Text(f"Ingen bedömning har ändrats mellan {prev_ar} och {ar}.")]
    frame = pd.DataFrame({
        "Yrke": list(ch.yrke_label),
        "Verksamhetsområde": [_text(v) or "anges inte" for v in ch.verksamhetsomrade],
        f"Bedömning {prev_ar}": list(ch.bedomning_foregaende),
        f"Bedömning {ar}": list(ch.bedomning),
        "Förändring": list(ch.riktning),
    })
    if forvaltning is None:
        frame.insert(0, "Förvaltning", [(names or {}).get(f, f) for f in ch.forvaltning])
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles[f"Bedömning {prev_ar}"] = [css(b) for b in ch.bedomning_foregaende]
    styles[f"Bedömning {ar}"] = [css(b) for b in ch.bedomning]
    blocks.append(Table(frame, caption=f"Yrke–enhet-par vars bedömning ändrats mellan {prev_ar} och {ar}",
                        source=src, name=f"{slug}-kompetens-forandringar", data=ch, styles=styles,
                        row_headers=forvaltning is not None))
    return blocks


def _intro(data, forvaltning: str, ar: int) -> str:
    df = rows(data, forvaltning)
    c = counts(data, forvaltning).set_index("bedomning").antal
    n_units = df.verksamhetsomrade.dropna().nunique()
    text = (f"Kompetensanalysen {ar} omfattar {fmt.number(df.yrke_label.nunique())} yrken och roller vid "
            f"{fmt.number(n_units)} {'verksamhetsområde' if n_units == 1 else 'verksamhetsområden'}, "
            f"sammanlagt {fmt.number(len(df))} yrke–enhet-par: **{fmt.number(c['Brist'])} Brist**, "
            f"{fmt.number(c['Obalans'])} Obalans och {fmt.number(c['Balans'])} Balans. "
            f"{fmt.number(c[MISSING])} saknar bedömning i underlaget och visas som ”{MISSING}”.")
    n_der = int((df.harledd & df.bedomning.notna()).sum())
    if n_der:
        text += (f" {fmt.number(n_der)} bedömningar är härledda ur underlagets text och märkta ”(härledd)”; "
                 "meningen de bygger på står i en egen tabell.")
    return text


def kompetens_section(data, forvaltning: str, ar: int, previous=None) -> list:
    """Everything of the section ``kompetens``: legend, matrix, derived and missing ratings,
    counts (table and figure), the Brist ranking and the change since the year before."""
    if rows(data, forvaltning).empty:
        return []
    blocks = [Heading(f"Kompetensanalys {ar}"), Text(_intro(data, forvaltning, ar))]
    legend = legend_table(data, forvaltning, ar)
    blocks.append(legend if legend is not None else
                  Text("Förvaltningen anger inga definitioner av Balans, Obalans och Brist i underlaget."))
    blocks.append(matrix_table(data, forvaltning, ar))
    for t in (derived_table(data, forvaltning, ar), missing_table(data, forvaltning, ar)):
        if t is not None:
            blocks.append(t)
    blocks.append(Heading("Antal per bedömning", 3))
    blocks += counts_blocks(data, forvaltning, ar, forvaltning)
    blocks += ranking_blocks(data, forvaltning, ar)
    blocks += comparison_blocks(data, previous, ar, forvaltning, forvaltning)
    return blocks


def region_section(data, ar: int, previous=None, names: dict | None = None) -> list:
    """The regional overview: per regional occupation the förvaltningar and units rating it Brist,
    Obalans and Balans, the occupations most often in Brist, and the change since the year
    before. ``names`` maps förvaltning slugs to the names readers see (default: the slug)."""
    df = regional_names(data)
    if df.empty:
        return []
    names = names or {}
    s = region_summary(data)
    forv = sorted(df.forvaltning.unique(), key=lambda f: sv_key(names.get(f, f)))
    blocks = [Heading(f"Kompetensläget i regionen {ar}"),
              Text(f"Sammanställningen bygger på kompetensanalyserna från {fmt.number(len(forv))} förvaltningar ("
                   + ", ".join(md(names.get(f, f)) for f in forv) + "). Yrkesnamnen förs till ett gemensamt "
                   "regionalt namn enligt yrkesmappningen. En enhet är ett verksamhetsområde som förvaltningen själv "
                   "anger; förvaltningarna delar in sig olika (en del bedömer hela förvaltningen som en enhet), "
                   "så antalet enheter jämförs inte rakt av mellan förvaltningar.")]
    unmatched = unmatched_names(data)
    if not unmatched.empty:
        blocks.append(Callout("Yrkesnamn som finns i flera förvaltningar men förs till olika regionala namn: "
                              + "; ".join(sorted({md(n) for n in unmatched.yrke})) + "."))
    frame = pd.DataFrame({"Yrke (regionalt namn)": list(s.yrke_regionalt)})
    for r in ("Brist", "Obalans", "Balans"):
        frame[f"{r}: förvaltningar (antal)"] = [fmt.number(v) for v in s[f"forvaltningar_{r.lower()}"]]
        frame[f"{r}: enheter (antal)"] = [fmt.number(v) for v in s[f"enheter_{r.lower()}"]]
    frame["Förvaltningar som redovisar yrket (antal)"] = [fmt.number(v) for v in s.forvaltningar]
    frame["Rader utan bedömning (antal)"] = [fmt.number(v) for v in s.utan_bedomning]
    blocks.append(Table(frame, caption=f"Bedömningar per yrke i regionen {ar}, flest med Brist först",
                        source=source_text(data, df), name="region-kompetens-yrken", data=s,
                        numeric=list(frame.columns[1:]),
                        notes=["En enhet som bedömer två delroller olika räknas under båda bedömningarna. "
                               "Rader utan bedömning är yrken eller yrke–enhet-par där underlaget saknar bedömning."]))
    brist = s[s.enheter_brist > 0]
    blocks.append(Heading("Yrken som oftast bedöms som Brist", 3))
    if brist.empty:
        blocks.append(Text("Inget yrke bedöms som Brist i underlaget."))
    else:
        top = brist.nlargest(5, "enheter_brist", keep="all")
        blocks.append(Bullets([
            f"{md(r.yrke_regionalt)}: Brist vid {fmt.number(r.enheter_brist)} "
            f"{'enhet' if r.enheter_brist == 1 else 'enheter'} i {fmt.number(r.forvaltningar_brist)} "
            f"{'förvaltning' if r.forvaltningar_brist == 1 else 'förvaltningar'}" for r in top.itertuples()]))
        srt = brist.sort_values("enheter_brist", ascending=False, kind="stable")
        fig, ax = hbar(list(srt.yrke_regionalt), [int(v) for v in srt.enheter_brist],
                       [fmt.number(v) for v in srt.enheter_brist], "Enheter med Brist (antal)")
        big, small = srt.iloc[0], srt.iloc[-1]
        blocks.append(Figure(
            fig, caption=f"Antal enheter som bedömer yrket som Brist {ar}; antalet står vid varje stapel",
            alt=(f"Liggande stapeldiagram över de {len(srt)} yrken som bedöms som Brist vid minst en enhet {ar}, "
                 f"sorterade efter antal enheter. Flest har {big.yrke_regionalt} ({fmt.number(big.enheter_brist)} "
                 f"enheter), minst {small.yrke_regionalt} ({fmt.number(small.enheter_brist)})."),
            name="region-kompetens-brist"))
    blocks += comparison_blocks(data, previous, ar, None, "region", names)
    return blocks


# -- handlingsplan --------------------------------------------------------------------------


def handlingsplan(data, forvaltning: str) -> pd.DataFrame:
    """The förvaltning's action plan rows in the order of the source."""
    return load.rows_for(data, "handlingsplan.csv", forvaltning)


def handlingsplan_section(data, forvaltning: str, ar: int) -> list:
    """The action plan as a table (Fokusområde, Aktivitet, Förväntad effekt, Ansvarig (roll),
    Tidplan) with its source; an empty list when the förvaltning has none."""
    hp = handlingsplan(data, forvaltning)
    if hp.empty:
        return []
    missing = lambda v: _text(v) or fmt.MISSING
    frame = pd.DataFrame({
        "Fokusområde": list(hp.fokusomrade),
        "Aktivitet": list(hp.aktivitet),
        "Förväntad effekt": [missing(v) for v in hp.forvantad_effekt],
        "Ansvarig (roll)": [missing(v) for v in hp.ansvarig],
        "Tidplan": [missing(v) for v in hp.tidplan],
    })
    n_fokus = hp.fokusomrade.nunique()
    notes = []
    if (frame[["Förväntad effekt", "Ansvarig (roll)", "Tidplan"]] == fmt.MISSING).any().any():
        notes.append(f"{fmt.MISSING} = uppgift saknas i handlingsplanen.")
    return [Heading("Handlingsplan"),
            Text(f"Handlingsplanen har {fmt.number(len(hp))} aktiviteter inom {fmt.number(n_fokus)} "
                 f"{'fokusområde' if n_fokus == 1 else 'fokusområden'}. Ansvarig anges som roll, som i underlaget."),
            Table(frame, caption=f"Handlingsplan {ar}: aktiviteter per fokusområde",
                  source=source_text(data, hp), name=f"{forvaltning}-handlingsplan", data=hp, notes=notes)]


# -- needs raised to another level (the region) ------------------------------------------------


def behov(data, forvaltning: str) -> pd.DataFrame:
    """What the förvaltning's plan says must be handled at another level (the region), in the
    printed order; an empty frame when it says nothing."""
    b = load.rows_for(data, "behov_annan_niva.csv", forvaltning)
    return b if b.empty else b.sort_values("nr", kind="stable").reset_index(drop=True)


def behov_blocks(data, forvaltning: str, heading_level: int = 2, namn: str | None = None) -> list:
    """The needs as a heading, a sentence naming the level the plan's question asks about, the points
    as a bulleted list, and the source; empty when the förvaltning raises none."""
    b = behov(data, forvaltning)
    if b.empty:
        return []
    levels = list(dict.fromkeys(b.niva))
    n = len(b)
    who = md(namn) if namn else "Förvaltningen"
    heading = "Behov på regional nivå" if namn is None else f"{namn}: behov på regional nivå"
    return [Heading(heading, heading_level),
            Text(f"{who} svarar i sin kompetensförsörjningsplan med {fmt.number(n)} "
                 f"{'punkt' if n == 1 else 'punkter'} på frågan om åtgärder som behöver hanteras på annan nivå i "
                 f"organisationen. Frågan gäller {md(' och '.join(levels))}"
                 + ("." if levels == ["regionnivå"] else "; punkterna anger inte vilken nivå var och en gäller.")),
            Bullets([md(t) for t in b.behov]),
            Text(f"Källa: {md(source_text(data, b))}.")]


def behov_section(data, forvaltning: str, ar: int) -> list:
    """The section ``behov``: the needs the förvaltning raises to regional level."""
    return behov_blocks(data, forvaltning)


def behov_region(data, ar: int, names: dict | None = None) -> list:
    """The overview: every förvaltning's needs at regional level, one sub-heading each."""
    frame = data.get("behov_annan_niva.csv")
    if frame is None or frame.empty:
        return []
    names = names or {}
    slugs = sorted(frame.forvaltning.unique(), key=lambda f: sv_key(names.get(f, f)))
    blocks = [Heading(f"Behov som förvaltningarna lyfter till regional nivå {ar}"),
              Text("Förvaltningarnas kompetensförsörjningsplaner svarar på frågan om åtgärder som behöver hanteras "
                   "på annan nivå i organisationen. Punkterna står som i planerna.")]
    for slug in slugs:
        blocks += behov_blocks(data, slug, 3, names.get(slug, slug))
    return blocks
