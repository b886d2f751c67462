"""The schema of every data file in ``data/<år>/``, declared as pandera classes.

Every file is read as text (see :mod:`kompetensrapport.inputs.load`) and then validated lazily against
its class here, so that one run reports every failure at once. ``coerce=True`` turns the text into
the declared types; a value that cannot be turned (``"12,5"`` for a number) is reported with its
row. ``strict=True`` makes a missing or an unknown column an error.

Every check states its rule in its ``error`` text ("must be at least 0"), which is what a message
shows after the file, line, column and value.

Example::

    >>> FILES["regionbidrag.csv"].__name__
    'Regionbidrag'
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from kompetensrapport.inputs.codes import BEDOMNINGAR, BOOL_TEXT, KALLA_PATTERN, SLUG_PATTERN  # noqa: F401


#: The rule of a source document's file name in ``kallor.csv``.
SEED_FILE_RULE = ("must be a source file name: three digits, an underscore, 16 hexadecimal digits and "
                  ".txt (as 000_5e1cb440a0b9cae8.txt)")
#: The rule of a ``kalla`` cell, as a message states it.
KALLA_RULE = "must name the source as '<seed file>.txt: <section>'"
#: The rule of a ``forvaltning`` cell, as a message states it.
SLUG_RULE = ("must be a slug: lower-case letters a-z, digits and single hyphens, nothing else "
             "(the name of its parameter file without .yaml)")


def _kalla():
    return pa.Field(str_matches={"pattern": KALLA_PATTERN, "error": KALLA_RULE}, nullable=False)


def _slug():
    return pa.Field(str_matches={"pattern": SLUG_PATTERN, "error": SLUG_RULE})


def _text(nullable: bool = False, **kw):
    """A text column; when it is required it must not be blank."""
    if nullable:
        return pa.Field(nullable=True, **kw)
    return pa.Field(nullable=False, str_length={"min_value": 1, "error": "must not be blank"}, **kw)


def _one_of(values, **kw):
    """A column whose every value is one of ``values``.

    >>> _one_of(["a", "b c"]).checks[0].error
    "must be one of 'a' or 'b c'"
    """
    shown = [repr(v) for v in values]
    listing = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return pa.Field(isin={"allowed_values": list(values), "error": f"must be one of {listing}"}, **kw)


def _bool():
    return _one_of(BOOL_TEXT, nullable=False)


def _at_least(minimum: int, **kw):
    """A number of ``minimum`` or more."""
    return pa.Field(ge={"min_value": minimum, "error": f"must be at least {minimum}"}, **kw)


def _between(low: int, high: int, what: str, **kw):
    """A number from ``low`` to ``high`` (both included); ``what`` names it in the rule."""
    return pa.Field(in_range={"min_value": low, "max_value": high,
                              "error": f"must be {what} from {low} to {high}"}, **kw)


def _year(**kw):
    return _between(2000, 2100, "a year", **kw)


def _percent(**kw):
    return _between(0, 100, "a percentage", **kw)


class _Base(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class InternbudgetInsatser(_Base):
    """Personalnämndens internbudget: one row per insats."""

    malomrade_nr: Series[int] = _at_least(1)
    malomrade: Series[str] = _text()
    rubrik: Series[str] = _text(nullable=True)
    insats: Series[str] = _text()
    mal_antal: Series[float] = _at_least(0, nullable=True)
    mal_enhet: Series[str] = _text(nullable=True)
    anslag_tkr: Series[float] = _at_least(0)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["malomrade_nr", "rubrik", "insats"]

    @pa.dataframe_check(error="mal_antal and mal_enhet go together: both given or both empty")
    @classmethod
    def target_has_unit(cls, df: pd.DataFrame) -> Series[bool]:
        return df["mal_antal"].isna() == df["mal_enhet"].isna()


class InternbudgetTotaler(_Base):
    """Every total the internbudget states (per målområde, Bilaga 1, overall, regionbidrag)."""

    niva: Series[str] = _one_of(["malomrade", "bilaga1", "total", "regionbidrag"])
    malomrade_nr: Series[pd.Int64Dtype] = _at_least(1, nullable=True)
    benamning: Series[str] = _text()
    belopp_tkr: Series[float] = _at_least(0)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["niva", "malomrade_nr"]


class Regionbidrag(_Base):
    """Regionbidrag to Personalnämnden per year."""

    ar: Series[int] = _year(unique=True)
    belopp_mnkr: Series[float] = _at_least(0)
    status: Series[str] = _one_of(["föregående år", "budget", "plan", "utfall"])
    kalla: Series[str] = _kalla()


class Budgetmal(_Base):
    """Quantified budget targets, e.g. hired nurses and doctors at most 1,5 % of personnel cost."""

    mal: Series[str] = _text()
    avser: Series[str] = _text()
    matt: Series[str] = _text()
    riktning: Series[str] = _one_of(["högst", "minst"])
    grans_procent: Series[float] = _percent()
    kalla: Series[str] = _kalla()


class DelmalUppdrag(_Base):
    """The political assignments (Delmål och uppdrag) the regional budget gives with a link to
    Personalnämnden's area: one row per assignment, with the responsible body and an amount where
    the document gives them."""

    ar: Series[int] = _year()
    nr: Series[int] = _at_least(1)
    malomrade: Series[str] = _text()
    uppdrag: Series[str] = _text()
    ansvarig: Series[str] = _text(nullable=True)
    belopp_mnkr: Series[float] = _at_least(0, nullable=True)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["ar", "nr"]


class RegionbidragBrygga(_Base):
    """The steps from one year's regionbidrag to the next (mnkr, a deduction negative); the
    regionbidrag of both years stand in regionbidrag.csv."""

    ar: Series[int] = _year()
    steg: Series[int] = _at_least(1)
    forandring: Series[str] = _text()
    belopp_mnkr: Series[float]
    procent: Series[float] = _percent(nullable=True)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["ar", "steg"]


class Kompetensanalys(_Base):
    """Occupation × unit rated Balans / Obalans / Brist, or no rating with the reason."""

    forvaltning: Series[str] = _slug()
    yrke: Series[str] = _text()
    delroll: Series[str] = _text(nullable=True)
    verksamhetsomrade: Series[str] = _text(nullable=True)
    bedomning: Series[str] = _one_of(list(BEDOMNINGAR), nullable=True)
    saknas_orsak: Series[str] = _text(nullable=True)
    harledd: Series[str] = _bool()
    harledd_fran: Series[str] = _text(nullable=True)
    kommentar: Series[str] = _text(nullable=True)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["forvaltning", "yrke", "delroll", "verksamhetsomrade"]

    @pa.dataframe_check(error="a row has a bedomning or, when it is empty, a saknas_orsak (never both)")
    @classmethod
    def rating_or_reason(cls, df: pd.DataFrame) -> Series[bool]:
        return df["bedomning"].isna() != df["saknas_orsak"].isna()

    @pa.dataframe_check(error="a derived row (harledd=true) names the sentence it was derived from in harledd_fran")
    @classmethod
    def derived_has_sentence(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["harledd"] == "true") == df["harledd_fran"].notna()


class BehovAnnanNiva(_Base):
    """What a förvaltning's plan says must be handled at another level of the organisation (the
    region): one row per point of its answer, in the printed order."""

    forvaltning: Series[str] = _slug()
    nr: Series[int] = _at_least(1)
    niva: Series[str] = _text()
    behov: Series[str] = _text()
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["forvaltning", "nr"]


class Bedomningsdefinitioner(_Base):
    """Each förvaltning's own definition of Balans, Obalans and Brist (the legend)."""

    forvaltning: Series[str] = _slug()
    bedomning: Series[str] = _one_of(list(BEDOMNINGAR))
    definition: Series[str] = _text()
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["forvaltning", "bedomning"]


class Yrkesmappning(_Base):
    """Occupation names as each förvaltning writes them, mapped to one regional name."""

    forvaltning: Series[str] = _slug()
    yrke: Series[str] = _text()
    yrke_regionalt: Series[str] = _text()

    class Config:
        unique = ["forvaltning", "yrke"]


class Handlingsplan(_Base):
    """The action plans: one row per aktivitet; ansvarig is a role, never a name."""

    forvaltning: Series[str] = _slug()
    fokusomrade: Series[str] = _text()
    aktivitet: Series[str] = _text()
    forvantad_effekt: Series[str] = _text(nullable=True)
    ansvarig: Series[str] = _text(nullable=True)
    tidplan: Series[str] = _text(nullable=True)
    kalla: Series[str] = _kalla()


class Utbildningsplatser(_Base):
    """Education places and programmes a förvaltning reports."""

    forvaltning: Series[str] = _slug()
    insats: Series[str] = _text()
    matt: Series[str] = _text()
    varde: Series[float] = _at_least(0)
    enhet: Series[str] = _text()
    period: Series[str] = _text(nullable=True)
    kalla: Series[str] = _kalla()


class FokusKursomgangar(_Base):
    """Fokus Kompetensförsörjning: the course funnel per course round."""

    kurs: Series[str] = _text()
    omgang: Series[int] = _at_least(1)
    termin: Series[str] = _text()
    ar: Series[int] = _year()
    sokande: Series[pd.Int64Dtype] = _at_least(0, nullable=True)
    antagna: Series[pd.Int64Dtype] = _at_least(0, nullable=True)
    fullfoljda: Series[pd.Int64Dtype] = _at_least(0, nullable=True)
    klarat_prov: Series[pd.Int64Dtype] = _at_least(0, nullable=True)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["kurs", "omgang"]

    @pa.dataframe_check(error="a funnel never widens: sokande >= antagna >= fullfoljda >= klarat_prov")
    @classmethod
    def funnel_narrows(cls, df: pd.DataFrame) -> Series[bool]:
        steps = ["sokande", "antagna", "fullfoljda", "klarat_prov"]
        ok = pd.Series(True, index=df.index)
        for a, b in zip(steps, steps[1:]):
            ok &= ~(df[a].notna() & df[b].notna() & (df[a] < df[b])).astype(bool)
        return ok


class FokusFinansiering(_Base):
    """Fokus Kompetensförsörjning: financing per year in kr."""

    ar: Series[int] = _year(unique=True)
    belopp_kr: Series[float] = _at_least(0)
    preliminar: Series[str] = _bool()
    kalla: Series[str] = _kalla()


class FokusResultat(_Base):
    """Fokus Kompetensförsörjning: other results as key figures."""

    omrade: Series[str] = _text()
    matt: Series[str] = _text()
    varde: Series[float] = _at_least(0)
    enhet: Series[str] = _text()
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["omrade", "matt"]


class FokusFokusomraden(_Base):
    """Fokus Kompetensförsörjning: the focus areas and their activities."""

    nr: Series[int] = _at_least(1)
    fokusomrade: Series[str] = _text()
    aktivitet: Series[str] = _text()
    kalla: Series[str] = _kalla()


class FokusResurser(_Base):
    """Fokus Kompetensförsörjning: resources as roles and shares of a post (never names)."""

    roll: Series[str] = _text()
    andel_tjanst_procent: Series[float] = _percent(nullable=True)
    kalla: Series[str] = _kalla()


class HrNyckeltal(_Base):
    """HR key figures: one row per key figure, year and scope (the förvaltning or the region)."""

    forvaltning: Series[str] = _slug()
    nyckeltal: Series[str] = _text()
    enhet: Series[str] = _one_of(["antal", "procent", "index"])
    ar: Series[int] = _year()
    omfattning: Series[str] = _one_of(["förvaltningen", "hela regionen"])
    varde: Series[float] = _at_least(0)
    anmarkning: Series[str] = _text(nullable=True)
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["forvaltning", "nyckeltal", "ar", "omfattning"]

    @pa.dataframe_check(error="a value in procent lies between 0 and 100")
    @classmethod
    def percent_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        return ~((df["enhet"] == "procent") & (df["varde"] > 100))


class Resultatrakning(_Base):
    """A resultaträkning as printed (mkr, costs negative), on the page of ``forvaltning``;
    ``avser`` names whose result it is, as the document says (it may be the nämnd or styrelse)."""

    forvaltning: Series[str] = _slug()
    avser: Series[str] = _text()
    radnr: Series[int] = _at_least(1)
    rad: Series[str] = _text()
    typ: Series[str] = _one_of(
        ["intakt", "kostnad", "summa_intakter", "summa_kostnader", "resultat", "ovrigt"]
    )
    utfall_mkr: Series[float]
    budget_mkr: Series[float]
    avvikelse_mkr: Series[float]
    kalla: Series[str] = _kalla()

    class Config:
        unique = ["forvaltning", "radnr"]


class Kallor(_Base):
    """The source documents (for the page Källor)."""

    fil: Series[str] = pa.Field(str_matches={"pattern": r"^\d{3}_[0-9a-f]{16}\.txt$", "error": SEED_FILE_RULE},
                                unique=True)
    titel: Series[str] = _text()
    utgivare: Series[str] = _text()
    datum: Series[str] = _text(nullable=True)
    innehall: Series[str] = _text()


#: Every data file of a year and its schema. Loading goes through this table only.
FILES: dict[str, type[_Base]] = {
    "internbudget_insatser.csv": InternbudgetInsatser,
    "internbudget_totaler.csv": InternbudgetTotaler,
    "regionbidrag.csv": Regionbidrag,
    "budgetmal.csv": Budgetmal,
    "delmal_uppdrag.csv": DelmalUppdrag,
    "regionbidrag_brygga.csv": RegionbidragBrygga,
    "kompetensanalys.csv": Kompetensanalys,
    "bedomningsdefinitioner.csv": Bedomningsdefinitioner,
    "yrkesmappning.csv": Yrkesmappning,
    "handlingsplan.csv": Handlingsplan,
    "behov_annan_niva.csv": BehovAnnanNiva,
    "utbildningsplatser.csv": Utbildningsplatser,
    "fokus_kursomgangar.csv": FokusKursomgangar,
    "fokus_finansiering.csv": FokusFinansiering,
    "fokus_resultat.csv": FokusResultat,
    "fokus_fokusomraden.csv": FokusFokusomraden,
    "fokus_resurser.csv": FokusResurser,
    "hr_nyckeltal.csv": HrNyckeltal,
    "resultatrakning.csv": Resultatrakning,
    "kallor.csv": Kallor,
}

#: Columns holding ``true``/``false`` text; turned into bool after validation.
BOOL_COLUMNS = {"kompetensanalys.csv": ["harledd"], "fokus_finansiering.csv": ["preliminar"]}


def columns(file: str) -> list[str]:
    """The column names of a data file, in order."""
    return list(FILES[file].to_schema().columns)
