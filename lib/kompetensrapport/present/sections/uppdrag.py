"""Delmål och uppdrag: the political assignments of the year (section ``uppdrag``)."""

from __future__ import annotations

import re

import pandas as pd

from kompetensrapport.domain.budget import Uppdrag
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, Text, md
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table


def summary(result: Uppdrag) -> str:
    """One Markdown sentence: how many assignments in how many målområden, and each amount given."""
    per = result.per_malomrade
    text = (f"**{fmt.count(len(result.rows), 'uppdrag', 'uppdrag')}** inom {fmt.count(len(per), 'målområde', 'målområden')} ("
            + ", ".join(f"{md(r.malomrade)} {fmt.number(r.antal)}" for r in per.itertuples()) + ")")
    with_amount = result.with_amount
    if len(with_amount):
        text += ("; " + ("det anger ett belopp: " if len(result.rows) == 1 else
                         "ett av dem anger ett belopp: " if len(with_amount) == 1 else
                         f"{fmt.number(len(with_amount))} av dem anger ett belopp: ")
                 + "; ".join(f"{fmt.mnkr(r.belopp_mnkr)} (”{md(_sentence_with(r.uppdrag, 'kronor'))}”)"
                             for r in with_amount.itertuples()))
    return text + "."


def _sentence_with(text: str, word: str) -> str:
    """The first sentence of ``text`` that holds ``word`` (the whole text when none does)."""
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-ZÅÄÖ0-9])", text) if s.strip()]
    return next((s for s in sentences if word in s), text)


def present(result: Uppdrag) -> list[Block]:
    """Delmål och uppdrag: a summary, and per assignment its målområde, text, the responsible body
    where the document names one, and its amount; empty when the year has none."""
    du, ar = result.rows, result.ar
    if du.empty:
        return []
    cells = pd.DataFrame({
        "Målområde": list(du.malomrade),
        "Uppdrag": list(du.uppdrag),
        "Ansvarig enligt underlaget": [a if isinstance(a, str) else "anges inte" for a in du.ansvarig],
        "Belopp (mnkr)": [fmt.number(v, 1) if pd.notna(v) else "" for v in du.belopp_mnkr],
    })
    return [Heading(f"Delmål och uppdrag {ar}"),
            Text(f"Region Skånes verksamhetsplan och budget {ar} ger uppdrag med särskild koppling till "
                 f"Personalnämndens ansvarsområde: {summary(result)}"),
            Table(cells, caption=f"Delmål och uppdrag {ar} per målområde", source=source(result, du),
                  name=f"delmal-uppdrag-{ar}", data=du, numeric=["Belopp (mnkr)"], row_headers=False,
                  notes=["Underlaget anger ansvarig bara där det står i uppdragets text; ”anges inte” betyder att "
                         "uppdraget inte namnger någon. Belopp står bara där uppdraget anger ett."])]
