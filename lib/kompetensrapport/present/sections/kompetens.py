"""The section ``kompetens`` as a reader sees it: the förvaltning's definitions of the ratings,
the matrix, the derived and missing ratings, the counts (table and figure), the occupations in
Brist and the change since the year before, from :func:`kompetensrapport.domain.kompetens.analysis`."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain import kompetens
from kompetensrapport.domain.kompetens import MISSING, PAIR_KEY
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Heading, Text
from kompetensrapport.present.figures import Figure, hbar
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.sections.ratings import NO_UNIT_TEXT, comparison, css, text
from kompetensrapport.present.tables import Table

#: Marker added to a derived rating in the cell text.
DERIVED = " (härledd)"

#: The one rule that decides every derived rating (the codebook, data/<år>/README.md, gives it too).
DERIVATION_RULE = (
    "Regel för härledda bedömningar: en rad får en bedömning när underlaget – tabellens kommentar för raden eller "
    "en mening i texten – säger att förvaltningens egen tillgång på yrket är i balans, obalans eller brist (också i "
    "sammansättningar som ”resursbrist”). Gäller påståendet bara en del av yrket (vissa specialiteter, en enhet, "
    "medarbetare med längre erfarenhet) ges bedömningen ändå, och avgränsningen står i kommentaren. Ett påstående "
    "som bara gäller den nationella arbetsmarknaden (”nationell brist”) eller en möjlig framtid (”på sikt kan brist "
    "uppkomma”) ger ingen bedömning; sådana meningar visas i kommentaren till raden.")


def _intro(r: kompetens.Analysis) -> str:
    c = r.counts.set_index("bedomning").antal
    n_units = r.named_units
    text_ = (f"Kompetensanalysen {r.ar} omfattar {fmt.count(r.occupations, 'yrke eller roll', 'yrken och roller')} vid "
             f"{fmt.count(n_units, 'verksamhetsområde', 'verksamhetsområden')}, "
             f"sammanlagt {fmt.number(len(r.rows))} yrke–enhet-par: **{fmt.number(c['Brist'])} Brist**, "
             f"{fmt.number(c['Obalans'])} Obalans och {fmt.number(c['Balans'])} Balans. "
             f"{fmt.number(c[MISSING])} saknar bedömning i underlaget och visas som ”{MISSING}”.")
    n_derived = len(r.derived)
    if n_derived == 1:
        text_ += (" 1 bedömning är härledd ur underlagets text och märkt ”(härledd)”; "
                  "meningen den bygger på står i en egen tabell.")
    elif n_derived:
        text_ += (f" {fmt.count(n_derived, 'bedömning', 'bedömningar')} är härledda ur underlagets text och märkta "
                  "”(härledd)”; meningarna de bygger på står i en egen tabell.")
    return text_


def legend_table(r: kompetens.Analysis) -> Table | None:
    """The förvaltning's own definitions of Balans, Obalans and Brist, coloured as in the matrix."""
    defs = r.definitions
    if defs.empty:
        return None
    frame = pd.DataFrame({"Bedömning": list(defs.bedomning), "Förvaltningens definition": list(defs.definition)})
    styles = pd.DataFrame({"Bedömning": [css(b) for b in defs.bedomning], "Förvaltningens definition": ""})
    return Table(frame, caption=f"Förvaltningens definitioner av bedömningarna i kompetensanalysen {r.ar}",
                 source=source(r, defs), name=f"{r.forvaltning}-kompetens-definitioner",
                 data=defs, styles=styles)


def matrix_table(r: kompetens.Analysis) -> Table:
    """The matrix with the rating as text and as cell colour; derived ratings marked."""
    m, der = r.matrix, r.derived_matrix
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
    return Table(frame, caption=f"Kompetensanalys {r.ar}: bedömning per yrke och verksamhetsområde",
                 source=source(r, r.rows), name=f"{r.forvaltning}-kompetensanalys",
                 styles=styles, notes=notes)


def derived_table(r: kompetens.Analysis) -> Table | None:
    """The derived ratings with the sentence each was taken from."""
    d = r.derived
    if d.empty:
        return None
    frame = pd.DataFrame({
        "Yrke": list(d.yrke_label),
        "Verksamhetsområde": list(d.enhet),
        "Bedömning": [b + DERIVED for b in d.bedomning],
        "Härledd ur meningen": [f"”{text(s)}”" for s in d.harledd_fran],
        "Kommentar": [text(k) for k in d.kommentar],
    })
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles["Bedömning"] = [css(b) for b in d.bedomning]
    return Table(frame, caption=f"Härledda bedömningar {r.ar}: meningen i underlaget som varje bedömning bygger på",
                 source=source(r, d), name=f"{r.forvaltning}-kompetens-harledda",
                 data=d[PAIR_KEY + ["bedomning", "harledd_fran", "kommentar", "kalla"]],
                 styles=styles, notes=[DERIVATION_RULE])


def missing_table(r: kompetens.Analysis) -> Table | None:
    """The rows without a rating, with the reason the data gives."""
    d = r.missing
    if d.empty:
        return None
    frame = pd.DataFrame({
        "Yrke": list(d.yrke_label),
        "Verksamhetsområde": [text(v) or NO_UNIT_TEXT for v in d.verksamhetsomrade],
        "Bedömning": [MISSING] * len(d),
        "Orsak": [text(s) or MISSING for s in d.saknas_orsak],
    })
    if d.kommentar.notna().any():
        frame["Kommentar i underlaget"] = [text(k) for k in d.kommentar]
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles["Bedömning"] = css(MISSING)
    return Table(frame, caption=f"Yrken utan bedömning {r.ar} och orsaken",
                 source=source(r, d), name=f"{r.forvaltning}-kompetens-utan-bedomning",
                 data=d[PAIR_KEY + ["saknas_orsak", "kommentar", "kalla"]], styles=styles)


def counts_blocks(r: kompetens.Analysis) -> list:
    """The counts per rating as a table and a bar figure with the counts written at the bars."""
    c, ar, slug = r.counts, r.ar, r.forvaltning
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
    table = Table(frame, caption=f"Antal yrke–enhet-par per bedömning {ar}", source=source(r, r.rows),
                  name=f"{slug}-kompetens-antal", data=c, numeric=list(frame.columns[1:]),
                  styles=styles, strong_rows=[len(frame) - 1], computed_rows=[len(frame) - 1],
                  notes=["Ett par är ett yrke (eller en delroll) vid ett verksamhetsområde. Ett yrke utan bedömning "
                         "vars verksamhetsområden inte framgår räknas en gång."])
    fig, ax = hbar(list(c.bedomning), [int(v) for v in c.antal], [fmt.number(v) for v in c.antal],
                   "Yrke–enhet-par (antal)")
    parts = ", ".join(f"{b} {fmt.number(v)}" for b, v in zip(c.bedomning, c.antal))
    big = c.loc[c.antal.idxmax()]
    small = c.loc[c.antal.idxmin()]
    alt = (f"Liggande stapeldiagram över antalet yrke–enhet-par per bedömning {ar}, totalt {fmt.number(total)}: "
           f"{parts}. Flest par har bedömningen {big.bedomning} ({fmt.number(big.antal)}), "
           f"minst antal har {small.bedomning} ({fmt.number(small.antal)}).")
    figure = Figure(fig, caption=f"Antal yrke–enhet-par per bedömning {ar}; antalet står vid varje stapel",
                    alt=alt, name=f"{slug}-kompetens-antal")
    return [table, figure]


def ranking_blocks(r: kompetens.Analysis) -> list:
    """The occupations in Brist at the most units (a table), or a sentence when there are none."""
    blocks = [Heading("Yrken med brist vid flest enheter", 3)]
    b = r.brist
    if b.empty:
        text_ = "Inget yrke bedöms som Brist i underlaget."
        n = len(r.missing)
        if n:
            text_ += (f" {fmt.count(n, 'rad', 'rader')} saknar bedömning, så brist kan inte uteslutas för "
                      f"{'den' if n == 1 else 'dem'}.")
        return blocks + [Text(text_)]
    frame = pd.DataFrame({
        "Yrke": list(b.yrke_label),
        "Enheter med brist (antal)": [fmt.number(v) for v in b.antal_brist],
        "Enheter med bedömning (antal)": [fmt.number(v) for v in b.antal_bedomda],
        "Enheter med brist": list(b.enheter),
    })
    return blocks + [Table(frame, caption=f"Yrken bedömda som Brist {r.ar}, flest enheter först",
                           source=source(r, r.brist_rows), name=f"{r.forvaltning}-kompetens-brist", data=b,
                           numeric=["Enheter med brist (antal)", "Enheter med bedömning (antal)"])]


def present(r: kompetens.Analysis) -> list:
    """Everything of the section ``kompetens``: legend, matrix, derived and missing ratings,
    counts (table and figure), the Brist ranking and the change since the year before; an
    empty list when the förvaltning has no kompetensanalys."""
    if r.rows.empty:
        return []
    blocks = [Heading(f"Kompetensanalys {r.ar}"), Text(_intro(r))]
    legend = legend_table(r)
    blocks.append(legend if legend is not None else
                  Text("Förvaltningen anger inga definitioner av Balans, Obalans och Brist i underlaget."))
    blocks.append(matrix_table(r))
    for t in (derived_table(r), missing_table(r)):
        if t is not None:
            blocks.append(t)
    blocks.append(Heading("Antal per bedömning", 3))
    blocks += counts_blocks(r)
    blocks += ranking_blocks(r)
    blocks += comparison(r.comparison, r.ar, r.forvaltning)
    return blocks
