"""Tests of the kompetensanalys, the handlingsplan and the overview's kompetens part on the real
2023 data: the computations (lib/kompetensrapport/domain/kompetens.py) and what readers see
(lib/kompetensrapport/present/sections/{kompetens,handlingsplan,region,ratings}.py).

Expected values are computed here from the CSV files read with plain ``pandas.read_csv``; the
comparison between years uses the SYNTHETIC previous year in tests/fixtures/foregaende_ar/2022/
(see its README.md), whose transition counts are written out by hand below.
"""

from __future__ import annotations

from helpers import luminance, wcag_contrast

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from kompetensrapport.domain import kompetens
from kompetensrapport.inputs import load
from kompetensrapport.present.blocks import esc, md
from kompetensrapport.present.sections import handlingsplan as handlingsplan_page
from kompetensrapport.present.sections import kompetens as kompetens_page
from kompetensrapport.present.sections import region as region_page
from kompetensrapport.present.sections.ratings import PALETTE
from kompetensrapport.present.figures import Figure
from kompetensrapport.present.tables import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2023"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "foregaende_ar" / "2022" / "kompetensanalys.csv"
PHH = "psykiatri-habilitering-hjalpmedel"
YSTAD = "lasarettet-ystad"
RATINGS = ["Balans", "Obalans", "Brist"]


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures a test only built (without rendering them) are closed afterwards."""
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return load.load_year(ROOT, 2023)


@pytest.fixture(scope="module")
def csv():
    return pd.read_csv(DATA / "kompetensanalys.csv")


@pytest.fixture(scope="module")
def previous():
    """The synthetic 2022, validated against the schema like real data."""
    frame, lines, problems = load.read_table(FIXTURE, str(FIXTURE))
    assert problems == []
    typed, problems = load.validate_frame("kompetensanalys.csv", frame, lines, str(FIXTURE))
    assert problems == [], problems
    return {"kompetensanalys.csv": typed}


def row_label(yrke, delroll) -> str:
    """The documented row label: 'yrke – delroll' when the sub-role adds something."""
    return yrke if pd.isna(delroll) or delroll == yrke else f"{yrke} – {delroll}"


def md_table(text: str, header_first_cell: str) -> list[str]:
    """The lines of the pipe table in ``text`` whose header starts with ``header_first_cell``."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(f"| {header_first_cell} |"))
    out = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        out.append(line)
    return out


#: A cell of a table written as raw Typst (present/tables.py): the last innermost bracketed text on its line.
_TYPST_CELL = re.compile(r"\[((?:\\.|[^\\\[\]])*)\]")
_TYPST_TABLE = re.compile(r"```\{=typst\}\n(#\[\n.*?\n\])\n```", re.S)


def _typst_cell(text: str) -> str:
    return md(re.sub(r"\\(.)", r"\1", text))


def typst_as_pipe(text: str) -> str:
    """``text`` with each table written as raw Typst (present/tables.py: the tables whose cells
    carry the ratings' colours) shown as the pipe table of the same cells (values escaped for
    Markdown, a sum row in bold), so that the tests read every table of the PDF alike."""
    def pipe(m):
        lines = m.group(1).splitlines()
        head = next(i for i, l in enumerate(lines) if l.startswith("table.header("))
        header = [_typst_cell(c.removeprefix("*").removesuffix("*"))
                  for c in _TYPST_CELL.findall(lines[head].split("), table.hline")[0])]
        cells = []
        for line in lines[head + 1:]:
            if line == "))":
                break
            cell = _typst_cell(_TYPST_CELL.findall(line)[-1])
            cells.append(f"**{cell}**" if "strong(" in line and cell else cell)
        n = len(header)
        rows = [cells[i:i + n] for i in range(0, len(cells), n)]
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
                         + ["| " + " | ".join(r) + " |" for r in rows])
    return _TYPST_TABLE.sub(pipe, text)


def pdf_md(block) -> str:
    """A block's Markdown (what the PDF shows), its Typst tables as pipe tables."""
    return typst_as_pipe(block.markdown())


def cells(line: str) -> list[str]:
    """The cells of a pipe-table row, splitting on pipes that are not escaped."""
    parts = re.split(r"(?<!\\)\|", line)
    assert parts[0] == "" and parts[-1] == "", line
    return [p.strip() for p in parts[1:-1]]


def section(data, forvaltning: str, previous=None) -> list:
    """The section ``kompetens`` of a förvaltning's 2023 page, as the notebook builds it."""
    return kompetens_page.present(kompetens.analysis(data, forvaltning, 2023, previous))


def region_blocks(data, previous=None, names=None) -> list:
    """The overview's kompetens part for 2023."""
    return region_page.kompetens(kompetens.region(data, 2023, previous, names))


def plan(data, forvaltning: str) -> list:
    """The section ``handlingsplan`` of a förvaltning's 2023 page."""
    return handlingsplan_page.present(kompetens.handlingsplan(data, forvaltning, 2023))


def section_text(blocks) -> tuple[str, str]:
    return "\n\n".join(pdf_md(b) for b in blocks), "\n".join(b.html() for b in blocks)


def tables_of(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def table_named(blocks, name: str) -> Table:
    return next(t for t in tables_of(blocks) if t.name == name)


# -- matrix and counts on the real data -------------------------------------------------------


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_matrix_cells_are_the_csv_ratings(data, csv, forv):
    rows = csv[csv.forvaltning == forv]
    m = kompetens.matrix(data, forv)
    units = sorted(rows.verksamhetsomrade.dropna().unique())
    assert sorted(m.columns) == units
    assert set(m.index) == {row_label(y, d) for y, d in zip(rows.yrke, rows.delroll)}
    rated = rows[rows.bedomning.notna()]
    for r in rated.itertuples():
        assert m.loc[row_label(r.yrke, r.delroll), r.verksamhetsomrade] == r.bedomning
    # every rating in the matrix comes from exactly one rated row
    assert m.isin(RATINGS).sum().sum() == len(rated)
    for rating in RATINGS:
        assert (m == rating).sum().sum() == (rated.bedomning == rating).sum()
    # every other cell is empty or "uppgift saknas"
    assert set(m.values.ravel()) <= set(RATINGS) | {"", "uppgift saknas"}


def test_matrix_spot_values(data):
    m = kompetens.matrix(data, PHH)
    assert m.shape == (23, 10)
    assert m.loc["Tekniker – Anpassningstekniker", "Hjälpmedel"] == "Obalans"
    assert m.loc["Tekniker – Lager, IT och servicetekniker", "Hjälpmedel"] == "Balans"
    assert m.loc["Logoped", "BUP"] == ""
    y = kompetens.matrix(data, YSTAD)
    assert list(y.columns) == ["Lasarettet i Ystad"]


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_counts_match_csv(data, csv, forv):
    rows = csv[csv.forvaltning == forv]
    c = kompetens.counts(data, forv).set_index("bedomning")
    expected = rows.bedomning.fillna("uppgift saknas").value_counts()
    derived = rows[rows.harledd].bedomning.fillna("uppgift saknas").value_counts()
    for b in ["Brist", "Obalans", "Balans", "uppgift saknas"]:
        assert c.loc[b, "antal"] == expected.get(b, 0)
        assert c.loc[b, "varav_harledda"] == derived.get(b, 0)
    assert c.antal.sum() == len(rows)
    assert c.andel_procent.sum() == pytest.approx(100)


def test_counts_all_forvaltningar(data, csv):
    c = kompetens.counts(data).set_index("bedomning")
    assert c.loc["Brist", "antal"] == (csv.bedomning == "Brist").sum()
    assert c.loc["uppgift saknas", "antal"] == csv.bedomning.isna().sum()


def test_counts_table_and_figure_in_section(data, csv):
    rows = csv[csv.forvaltning == PHH]
    n = rows.bedomning.fillna("uppgift saknas").value_counts()
    blocks = section(data, PHH)
    t = table_named(blocks, f"{PHH}-kompetens-antal")
    md_text = pdf_md(t)
    assert f"| Brist | {n['Brist']} |" in md_text
    assert f"| **Totalt** | **{len(rows)}** |" in md_text
    share = f"{100 * n['Brist'] / len(rows):.1f}".replace(".", ",")
    assert share in md_text and "Källa: Kompetensförsörjningsplan 2022–2023" in md_text
    fig = next(b for b in blocks if isinstance(b, Figure))
    for b in ["Brist", "Obalans", "Balans", "uppgift saknas"]:
        assert f"{b} {n[b]}" in fig.alt
    assert f"totalt {len(rows)}" in fig.alt
    html = fig.html()
    assert 'alt="Liggande stapeldiagram' in html and "<figcaption>" in html


def test_brist_ranking_matches_csv(data, csv):
    rows = csv[(csv.forvaltning == PHH) & (csv.bedomning == "Brist")].copy()
    rows["label"] = [row_label(y, d) for y, d in zip(rows.yrke, rows.delroll)]
    expected = rows.groupby("label").verksamhetsomrade.nunique()
    r = kompetens.brist_ranking(data, PHH)
    assert dict(zip(r.yrke_label, r.antal_brist)) == expected.to_dict()
    assert list(r.antal_brist) == sorted(r.antal_brist, reverse=True)
    assert r.yrke_label.iloc[0] == expected.idxmax()
    md_text = pdf_md(table_named(section(data, PHH), f"{PHH}-kompetens-brist"))
    assert f"| {expected.idxmax()} | {expected.max()} |" in md_text


def test_ranking_without_brist_says_so(data, csv):
    ka = data["kompetensanalys.csv"].copy()
    ystad_brist = (ka.forvaltning == YSTAD) & (ka.bedomning == "Brist")
    assert ystad_brist.sum() == (csv[csv.forvaltning == YSTAD].bedomning == "Brist").sum() == 1
    ka.loc[ystad_brist, "bedomning"] = "Obalans"  # a förvaltning with no Brist at all
    md_text, _ = section_text(section({**data, "kompetensanalys.csv": ka}, YSTAD))
    assert "Inget yrke bedöms som Brist i underlaget." in md_text


# -- rows without a rating, derived ratings ----------------------------------------------------


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_rows_without_rating_never_get_one(data, csv, forv):
    rows = csv[csv.forvaltning == forv]
    missing = rows[rows.bedomning.isna()]
    assert len(missing) > 0
    m = kompetens.matrix(data, forv)
    blocks = section(data, forv)
    matrix_lines = md_table(pdf_md(table_named(blocks, f"{forv}-kompetensanalys")), "Yrke")
    by_label = {cells(l)[0]: cells(l)[1:] for l in matrix_lines[2:]}
    # labels that have no rated row at all
    rated = rows[rows.bedomning.notna()]
    rated_labels = {row_label(y, d) for y, d in zip(rated.yrke, rated.delroll)}
    for r in missing.itertuples():
        lab = row_label(r.yrke, r.delroll)
        if pd.isna(r.verksamhetsomrade):
            assert set(m.loc[lab]) == {"uppgift saknas"}
        else:
            assert m.loc[lab, r.verksamhetsomrade] == "uppgift saknas"
        if lab not in rated_labels:
            shown = by_label[md(lab)]
            assert not any(b in c for c in shown for b in RATINGS), (lab, shown)
    # the reasons are listed, as given
    miss_md = pdf_md(table_named(blocks, f"{forv}-kompetens-utan-bedomning"))
    miss_html = table_named(blocks, f"{forv}-kompetens-utan-bedomning").html()
    lines = md_table(miss_md, "Yrke")
    assert len(lines) == 2 + len(missing)
    for r, line in zip(missing.itertuples(), lines[2:]):
        c = cells(line)
        assert c[0] == md(row_label(r.yrke, r.delroll))
        assert c[2] == "uppgift saknas" and c[3] == md(r.saknas_orsak)
        assert not any(b == x for b in RATINGS for x in c)
    assert "Markeringen förlorades i textutvinningen" in miss_html


def test_ystad_nurse_without_rating_is_not_brist(data):
    """The codebook names a candidate sentence that would give Brist; it must not be used."""
    m = kompetens.matrix(data, YSTAD)
    assert m.loc["Grundutbildad sjuksköterska", "Lasarettet i Ystad"] == "uppgift saknas"
    md_text, html = section_text(section(data, YSTAD))
    assert "| Grundutbildad sjuksköterska | uppgift saknas |" in md_text
    assert ">Grundutbildad sjuksköterska</th>\n<td class=\"kr-rating\" style=\"text-align:left;font-style:italic\">uppgift saknas</td>" in html


def test_one_rule_decides_every_ystad_rating(data, csv):
    """A Kommentar cell that uses a rating word rates its row, with its scope (ST-läkare: Obalans,
    Spec. läkare och överläkare: Brist); the national shortage of nurses rates nothing but is shown."""
    y = csv[(csv.forvaltning == YSTAD) & csv.delroll.isna()].set_index("yrke")
    for yrke, rating, word in [("ST-läkare", "Obalans", "Obalans inom flertalet specialiteter"),
                               ("Spec. läkare och överläkare", "Brist", "resursbrist inom exempelvis pediatrik")]:
        r = y.loc[yrke]
        assert r.bedomning == rating and r.harledd and word in r.harledd_fran and r.harledd_fran in r.kommentar
    nurse = y.loc["Grundutbildad sjuksköterska"]
    assert pd.isna(nurse.bedomning) and "nationella bristen" in nurse.kommentar and "regeln" in nurse.saknas_orsak
    blocks = section(data, YSTAD)
    der = table_named(blocks, f"{YSTAD}-kompetens-harledda")
    assert kompetens_page.DERIVATION_RULE in der.notes
    assert "| Spec. läkare och överläkare | Lasarettet i Ystad | Brist (härledd) |" in pdf_md(der)
    missing_md = pdf_md(table_named(blocks, f"{YSTAD}-kompetens-utan-bedomning"))
    assert md("upprätthålla behovet av vårdplatser") in missing_md


def test_derived_ratings_are_marked_with_their_sentence(data, csv):
    rows = csv[(csv.forvaltning == YSTAD) & csv.harledd]
    assert len(rows) == 10
    blocks = section(data, YSTAD)
    matrix_md = pdf_md(table_named(blocks, f"{YSTAD}-kompetensanalys"))
    der = table_named(blocks, f"{YSTAD}-kompetens-harledda")
    der_md, der_html = pdf_md(der), der.html()
    for r in rows.itertuples():
        assert f"| {md(r.yrke)} | {r.bedomning} (härledd) |" in matrix_md
        assert md(r.harledd_fran) in der_md
        assert esc(r.harledd_fran) in der_html
    assert len(md_table(der_md, "Yrke")) == 2 + len(rows)
    # PHH has no derived ratings: no marker, no derived table
    phh = section(data, PHH)
    assert "(härledd)" not in pdf_md(table_named(phh, f"{PHH}-kompetensanalys"))
    assert all(t.name != f"{PHH}-kompetens-harledda" for t in tables_of(phh))


def test_legend_uses_the_forvaltnings_definitions(data):
    defs = pd.read_csv(DATA / "bedomningsdefinitioner.csv")
    defs = defs[defs.forvaltning == PHH]
    t = table_named(section(data, PHH), f"{PHH}-kompetens-definitioner")
    md_text = pdf_md(t)
    for r in defs.itertuples():
        assert f"| {r.bedomning} | {md(r.definition)} |" in md_text
    assert PALETTE["Brist"]["background"] in t.html()


# -- colours -----------------------------------------------------------------------------------


def _lightness(hex_colour: str) -> float:
    """CIE L* (0–100) from the luminance: how light the colour prints in grey scale."""
    y = luminance(hex_colour)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def test_palette_contrast_and_grey_scale():
    p = PALETTE
    assert set(p) == set(RATINGS)
    for rating, c in p.items():
        assert wcag_contrast(c["text"], c["background"]) >= 4.5, rating
    light = [_lightness(p[r]["background"]) for r in RATINGS]  # Balans, Obalans, Brist
    assert light[0] > light[1] > light[2]
    assert light[0] - light[1] >= 20 and light[1] - light[2] >= 20
    assert p["Brist"]["text"].lower() == "#ffffff"



def test_matrix_cells_carry_colour_and_text(data):
    t = table_named(section(data, PHH), f"{PHH}-kompetensanalys")
    html = t.html()
    for rating, c in PALETTE.items():
        assert f"background-color:{c['background']};color:{c['text']}\">{rating}</td>" in html
    assert t.styles.shape == t.frame.shape


# -- markdown validity and escaping ------------------------------------------------------------


def test_wide_matrix_markdown_is_a_pipe_table(data):
    t = table_named(section(data, PHH), f"{PHH}-kompetensanalys")
    lines = md_table(pdf_md(t), "Yrke")
    separators = [l for l in lines if re.fullmatch(r"\|(:?-+:?\|)+", l)]
    assert len(separators) == 1 and lines[1] == separators[0]
    widths = {len(cells(l)) for l in lines if l not in separators}
    assert widths == {11}
    assert len(separators[0].split("|")) - 2 == 11
    assert len(lines) == 2 + 23
    assert cells(lines[0])[1:] == ["BUP", "Habiliteringen", "Hjälpmedel", "Rättspsykiatrin", "SHD",
                                   "VUP Helsingborg", "VUP Kristianstad", "VUP Lund", "VUP Malmö/Tbg", "Övriga"]


def _with_script(data):
    copy = dict(data)
    ka = data["kompetensanalys.csv"].copy()
    ka.loc[ka.yrke == "Audionom", "yrke"] = "<script>alert(1)</script>"
    copy["kompetensanalys.csv"] = ka
    return copy


def test_data_values_are_escaped(data):
    bad = _with_script(data)
    for blocks in (section(bad, PHH), region_blocks(bad)):
        md_text, html = section_text(blocks)
        assert "<script>" not in html and "<script>" not in md_text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert r"\<script\>alert(1)\</script\>" in md_text


# -- between years (synthetic 2022) ------------------------------------------------------------


def _expected(entries: dict) -> pd.DataFrame:
    order = ["Balans", "Obalans", "Brist", "uppgift saknas"]
    t = pd.DataFrame(0, index=order, columns=order)
    for (before, after), n in entries.items():
        t.loc[before, after] = n
    return t


def test_fixture_is_marked_synthetic():
    readme = (FIXTURE.parent / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC test data" in readme
    rows = pd.read_csv(FIXTURE)
    assert (rows.kommentar == "SYNTETISKA TESTDATA").all()


def test_transitions_on_fixture_years(data, previous):
    t = kompetens.transitions(data, previous)
    # by hand, from the fixture design (tests/fixtures/foregaende_ar/2022/README.md)
    expected = _expected({("Obalans", "Brist"): 2, ("Obalans", "Obalans"): 1, ("Brist", "Obalans"): 3,
                          ("Balans", "Balans"): 1, ("Balans", "uppgift saknas"): 1,
                          ("Brist", "uppgift saknas"): 1, ("uppgift saknas", "Balans"): 1})
    assert (t.values == expected.values).all() and list(t.index) == list(expected.index)
    assert list(t.columns) == list(expected.columns)
    assert t.values.sum() == 10  # Psykolog / VUP Trelleborg exists only in 2022
    phh = kompetens.transitions(data, previous, PHH)
    assert (phh.values == _expected({("Obalans", "Brist"): 2, ("Obalans", "Obalans"): 1, ("Brist", "Obalans"): 2,
                                     ("Balans", "Balans"): 1, ("Balans", "uppgift saknas"): 1}).values).all()
    ystad = kompetens.transitions(data, previous, YSTAD)
    assert (ystad.values == _expected({("Brist", "Obalans"): 1, ("Brist", "uppgift saknas"): 1,
                                       ("uppgift saknas", "Balans"): 1}).values).all()


def test_changes_on_fixture_years(data, previous):
    ch = kompetens.changes(data, previous)
    assert len(ch) == 8
    assert ch.riktning.value_counts().to_dict() == {"bättre": 3, "sämre": 2, "bedömning saknas": 2, "ny bedömning": 1}
    worse = set(zip(ch[ch.riktning == "sämre"].yrke, ch[ch.riktning == "sämre"].verksamhetsomrade))
    assert worse == {("Allmänsjuksköterska", "VUP Lund"), ("Arbetsterapeut", "Habiliteringen")}
    tek = ch[ch.yrke == "Tekniker"].iloc[0]
    assert (tek.delroll, tek.bedomning_foregaende, tek.bedomning) == ("Anpassningstekniker", "Brist", "Obalans")
    assert list(ch.riktning[:2]) == ["sämre", "sämre"]  # worse first


def test_comparison_in_sections(data, previous):
    first = "Jämförelse med föregående år saknas: 2023 är det första året i rapporten."
    for blocks in (section(data, PHH), region_blocks(data)):
        md_text, _ = section_text(blocks)
        assert first in md_text
        assert not any("overgangar" in t.name for t in tables_of(blocks))
    blocks = section(data, PHH, previous)
    md_text, html = section_text(blocks)
    assert first not in md_text
    trans = md_table(pdf_md(table_named(blocks, f"{PHH}-kompetens-overgangar")), "Bedömning 2022")
    assert cells(trans[3]) == ["Obalans", "0", "1", "2", "0", "3"]
    assert cells(trans[-1]) == ["**Totalt**", "**1**", "**3**", "**2**", "**1**", "**7**"]
    changed = md_table(pdf_md(table_named(blocks, f"{PHH}-kompetens-forandringar")), "Yrke")
    assert len(changed) == 2 + 5
    assert "| Enhetschef | SHD | Brist | Obalans | bättre |" in md_text
    assert "Syntetiska testdata" in md_text  # the previous year's source is named
    blocks = region_blocks(data, previous, names={YSTAD: "Lasarettet i Ystad"})
    rmd, _ = section_text(blocks)
    assert "| Lasarettet i Ystad | Dietist | Lasarettet i Ystad | Brist | Obalans | bättre |" in rmd
    assert "10 yrke–enhet-par finns med både 2022 och 2023" in rmd


# -- the region --------------------------------------------------------------------------------


def test_region_summary_matches_csv(data, csv):
    mapping = pd.read_csv(DATA / "yrkesmappning.csv")
    df = csv.merge(mapping, on=["forvaltning", "yrke"], how="left")
    assert df.yrke_regionalt.notna().all()
    s = kompetens.region_summary(data).set_index("yrke_regionalt")
    assert set(s.index) == set(mapping.yrke_regionalt)
    for r in RATINGS:
        sub = df[df.bedomning == r]
        forv = sub.groupby("yrke_regionalt").forvaltning.nunique()
        units = sub.drop_duplicates(["yrke_regionalt", "forvaltning", "verksamhetsomrade"]).groupby("yrke_regionalt").size()
        assert s[f"forvaltningar_{r.lower()}"].to_dict() == forv.reindex(s.index, fill_value=0).to_dict()
        assert s[f"enheter_{r.lower()}"].to_dict() == units.reindex(s.index, fill_value=0).to_dict()
    assert s.utan_bedomning.sum() == csv.bedomning.isna().sum()
    # "Sjuksköterska, grundutbildad" gathers Allmänsjuksköterska (PHH) and Grundutbildad sjuksköterska (Ystad)
    assert s.loc["Sjuksköterska, grundutbildad", "forvaltningar"] == 2
    # sorted by Brist: förvaltningar, then units
    key = list(zip(s.forvaltningar_brist, s.enheter_brist))
    assert key == sorted(key, reverse=True)


def test_region_section(data, csv):
    mapping = pd.read_csv(DATA / "yrkesmappning.csv")
    df = csv[csv.bedomning == "Brist"].merge(mapping, on=["forvaltning", "yrke"])
    units = df.drop_duplicates(["yrke_regionalt", "forvaltning", "verksamhetsomrade"]).groupby("yrke_regionalt").size()
    blocks = region_blocks(data)
    md_text, html = section_text(blocks)
    top = units.idxmax()
    assert f"- {md(top)}: Brist vid {units.max()}\u00a0enheter i 1\u00a0förvaltning" in md_text
    t = table_named(blocks, "oversikt-region-kompetens-yrken")
    first = cells(md_table(pdf_md(t), "Yrke (regionalt namn)")[2])
    # the table puts the most förvaltningar with Brist first, then the most units
    n_forv = df.drop_duplicates(["yrke_regionalt", "forvaltning"]).groupby("yrke_regionalt").size()
    head = max(units.index, key=lambda y: (n_forv[y], units[y]))
    assert first[0] == md(head) and first[1] == str(n_forv[head]) and first[2] == str(units[head])
    assert "Källa: Kompetensförsörjningsplan" in pdf_md(t)
    fig = next(b for b in blocks if isinstance(b, Figure))
    assert f"Flest har {top} ({units.max()}\u00a0enheter)" in fig.alt


def test_no_unmapped_name_in_two_forvaltningar(data, csv):
    assert kompetens.unmatched_names(data).empty
    # the same check done by hand: every name used by two förvaltningar maps to one regional name
    mapping = pd.read_csv(DATA / "yrkesmappning.csv")
    df = csv[["forvaltning", "yrke"]].drop_duplicates().merge(mapping, on=["forvaltning", "yrke"], how="left")
    df["namn"] = df.yrke.str.casefold()
    shared = df.groupby("namn").filter(lambda x: x.forvaltning.nunique() > 1)
    assert len(shared) > 0
    assert (shared.groupby("namn").yrke_regionalt.nunique() == 1).all()


def test_unmatched_names_finds_planted_cases(data):
    copy = dict(data)
    m = data["yrkesmappning.csv"].copy()
    m.loc[(m.forvaltning == YSTAD) & (m.yrke == "Kurator"), "yrke_regionalt"] = "Kuratorer"
    copy["yrkesmappning.csv"] = m
    found = kompetens.unmatched_names(copy)
    assert set(found.namn) == {"kurator"}
    assert set(found.forvaltning) == {PHH, YSTAD}
    # a name written in another case and missing from the mapping
    copy = dict(data)
    ka = data["kompetensanalys.csv"].copy()
    extra = ka[ka.yrke == "Dietist"].copy()
    extra["yrke"] = "ENHETSCHEF"
    copy["kompetensanalys.csv"] = pd.concat([ka, extra], ignore_index=True)
    found = kompetens.unmatched_names(copy)
    assert set(found.yrke) == {"ENHETSCHEF", "Enhetschef"}
    md_text, _ = section_text(region_blocks(copy))
    assert "förs till olika regionala namn" in md_text


# -- handlingsplan -----------------------------------------------------------------------------


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_handlingsplan_section(data, forv):
    hp = pd.read_csv(DATA / "handlingsplan.csv")
    hp = hp[hp.forvaltning == forv]
    blocks = plan(data, forv)
    t = table_named(blocks, f"{forv}-handlingsplan")
    lines = md_table(pdf_md(t), "Fokusområde")
    assert cells(lines[0]) == ["Fokusområde", "Aktivitet", "Förväntad effekt", "Ansvarig (roll)", "Tidplan"]
    assert len(lines) == 2 + len(hp)
    for r, line in zip(hp.itertuples(), lines[2:]):
        c = cells(line)
        assert c[0] == md(r.fokusomrade) and c[1] == md(r.aktivitet)
        assert c[2] == (md(r.forvantad_effekt) if pd.notna(r.forvantad_effekt) else "–")
        assert c[4] == (md(r.tidplan) if pd.notna(r.tidplan) else "–")
    kallor = pd.read_csv(DATA / "kallor.csv")
    seed = hp.kalla.iloc[0].split(":")[0]
    title = kallor.set_index("fil").loc[seed, "titel"]
    assert f"Källa: {md(title)}" in pdf_md(t)
    md_text, _ = section_text(blocks)
    assert f"{len(hp)}\u00a0aktiviteter inom {hp.fokusomrade.nunique()}\u00a0fokusområden" in md_text


def test_sections_empty_without_data(data):
    assert plan(data, "koncernkontoret") == []
    assert section(data, "koncernkontoret") == []


# -- the results the sections present -----------------------------------------------------------


def _cited(frame: pd.DataFrame) -> set[str]:
    """The documents a frame's ``kalla`` column cites."""
    return {k.split(": ")[0] for k in frame.kalla}


def _titles(files: set[str]) -> dict[str, str]:
    """The titles kallor.csv gives the documents ``files``."""
    kallor = pd.read_csv(DATA / "kallor.csv")
    return {f: t for f, t in zip(kallor.fil, kallor.titel) if f in files}


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_analysis_result_matches_csv(data, csv, forv):
    rows = csv[csv.forvaltning == forv]
    a = kompetens.analysis(data, forv, 2023)
    assert (a.ar, a.forvaltning, a.comparison) == (2023, forv, None)
    assert len(a.rows) == len(rows)
    assert a.occupations == len({row_label(y, d) for y, d in zip(rows.yrke, rows.delroll)})
    assert a.named_units == rows.verksamhetsomrade.dropna().nunique()
    derived = rows[rows.harledd & rows.bedomning.notna()]
    assert list(a.derived.harledd_fran) == list(derived.harledd_fran)
    missing = rows[rows.bedomning.isna()]
    assert list(a.missing.saknas_orsak) == list(missing.saknas_orsak)
    assert len(a.brist_rows) == (rows.bedomning == "Brist").sum()
    assert a.counts.set_index("bedomning").antal.to_dict() == {
        b: (rows.bedomning.fillna("uppgift saknas") == b).sum() for b in ["Brist", "Obalans", "Balans", "uppgift saknas"]}
    defs = pd.read_csv(DATA / "bedomningsdefinitioner.csv")
    defs = defs[defs.forvaltning == forv].set_index("bedomning").definition
    assert list(a.definitions.bedomning) == [b for b in RATINGS if b in defs.index]  # Balans to Brist
    assert dict(zip(a.definitions.bedomning, a.definitions.definition)) == defs.to_dict()
    # the source lines' titles travel with the result: every document the rows cite, and no other
    cited = _cited(rows) | _cited(pd.read_csv(DATA / "bedomningsdefinitioner.csv").query("forvaltning == @forv"))
    assert dict(zip(a.kallor.fil, a.kallor.titel)) == _titles(cited) and len(cited) > 0


def test_analysis_of_a_forvaltning_without_kompetensanalys_is_empty(data):
    a = kompetens.analysis(data, "koncernkontoret", 2023)
    assert a.rows.empty and a.matrix.empty and a.brist.empty and a.kallor.empty
    assert a.counts.antal.sum() == 0


def test_comparison_result_on_fixture_years(data, csv, previous):
    c = kompetens.comparison(data, previous, 2023)
    before = pd.read_csv(FIXTURE)
    key = ["forvaltning", "yrke", "delroll", "verksamhetsomrade"]
    both = csv[key].fillna("").merge(before[key].fillna(""), how="outer", indicator=True)
    assert len(c.both) == (both._merge == "both").sum() == 10
    assert c.only_before == (both._merge == "right_only").sum() == 1  # Psykolog / VUP Trelleborg
    assert c.only_now == (both._merge == "left_only").sum() == len(csv) - 10
    assert (c.ar, c.previous_ar, c.forvaltning) == (2023, 2022, None)
    assert c.unchanged == 2 and c.changed("sämre") == 2 and c.changed("bättre") == 3
    assert set(c.kallor.fil) == _cited(before) | _cited(csv.merge(before[key], on=key))
    phh = kompetens.analysis(data, PHH, 2023, previous).comparison
    assert phh.forvaltning == PHH and len(phh.both) == 7 and phh.transitions.values.sum() == 7


def test_region_result(data, csv):
    names = {YSTAD: "Ystads lasarett", PHH: "Psykiatri, habilitering och hjälpmedel"}  # Y after P
    r = kompetens.region(data, 2023, None, names)
    assert r.forvaltningar == (PHH, YSTAD) and r.name(YSTAD) == "Ystads lasarett"
    assert kompetens.region(data, 2023).forvaltningar == (YSTAD, PHH)  # by slug without names
    mapping = pd.read_csv(DATA / "yrkesmappning.csv")
    brist = csv[csv.bedomning == "Brist"].merge(mapping, on=["forvaltning", "yrke"])
    units = brist.drop_duplicates(["yrke_regionalt", "forvaltning", "verksamhetsomrade"]).groupby("yrke_regionalt").size()
    assert dict(zip(r.brist.yrke_regionalt, r.brist.enheter_brist)) == units.to_dict()
    assert list(r.brist.enheter_brist) == sorted(units, reverse=True)
    assert set(r.top.yrke_regionalt) == set(units[units >= units.nlargest(5).min()].index)
    assert len(r.rows) == len(csv) and set(r.kallor.fil) == _cited(csv)


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_handlingsplan_result(data, forv):
    hp = pd.read_csv(DATA / "handlingsplan.csv")
    hp = hp[hp.forvaltning == forv]
    h = kompetens.handlingsplan(data, forv, 2023)
    assert list(h.rows.aktivitet) == list(hp.aktivitet)
    assert h.focus_areas == hp.fokusomrade.nunique()
    assert dict(zip(h.kallor.fil, h.kallor.titel)) == _titles(_cited(hp))


@pytest.mark.parametrize("forv", [PHH, YSTAD])
def test_behov_result(data, forv):
    raw = pd.read_csv(DATA / "behov_annan_niva.csv")
    own = raw[raw.forvaltning == forv].sort_values("nr")
    b = kompetens.behov(data, forv, 2023)
    assert list(b.points.behov) == list(own.behov)
    assert b.levels == tuple(dict.fromkeys(own.niva))
    assert set(b.kallor.fil) == _cited(own)
    none = kompetens.behov(data, "koncernkontoret", 2023)
    assert none.points.empty and none.levels == ()


def test_behov_region_orders_by_name(data):
    names = {YSTAD: "Ystads lasarett", PHH: "Psykiatri, habilitering och hjälpmedel"}
    r = kompetens.behov_region(data, 2023, names)
    assert [b.forvaltning for b in r.forvaltningar] == [PHH, YSTAD]
    text, _ = section_text(region_page.behov(r))
    assert text.index("### Psykiatri, habilitering och hjälpmedel: behov") < text.index("### Ystads lasarett: behov")
    assert region_page.behov(kompetens.behov_region({}, 2023)) == []


# -- edge cases --------------------------------------------------------------------------------


def _frame(rows):
    cols = ["forvaltning", "yrke", "delroll", "verksamhetsomrade", "bedomning", "saknas_orsak", "harledd",
            "harledd_fran", "kommentar", "kalla"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_matrix_edge_cases():
    k = "001_8eca50ec650feb9b.txt: Test"
    nan = float("nan")
    df = _frame([
        ("f", "A", nan, "X", "Brist", nan, False, nan, nan, k),
        ("f", "A", nan, nan, nan, "okänd", False, nan, nan, k),     # unit lost: must not overwrite Brist
        ("f", "B", nan, nan, "Balans", nan, False, nan, nan, k),    # rated, unit not given
        ("f", "C", "C", "X", nan, "okänd", False, nan, nan, k),     # delroll equal to yrke
    ])
    m = kompetens.matrix({"kompetensanalys.csv": df}, "f")
    assert list(m.columns) == ["X", kompetens.NO_UNIT]
    assert m.loc["A"].tolist() == ["Brist", "uppgift saknas"]
    assert m.loc["B"].tolist() == ["", "Balans"]
    assert m.loc["C"].tolist() == ["uppgift saknas", ""]
    assert kompetens.matrix({"kompetensanalys.csv": df}, "annan").empty



def test_table_names_are_unique(data, previous):
    blocks = (section(data, PHH, previous) + section(data, YSTAD, previous)
              + region_blocks(data, previous) + plan(data, PHH)
              + plan(data, YSTAD))
    names = [t.name for t in tables_of(blocks)]
    assert len(names) == len(set(names))
    figs = [b.name for b in blocks if isinstance(b, Figure)]
    assert len(figs) == len(set(figs))
    for b in blocks:
        if isinstance(b, Figure):
            b.png()  # closes the figure
