"""The education places and programmes a förvaltning reports (section ``utbildning``)."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain.hr import Utbildning
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, Text
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.sections.hr import decimals
from kompetensrapport.present.tables import Table


def present(result: Utbildning) -> list[Block]:
    """Education places: insats, mått, value with unit and period, with the source; empty without rows."""
    up = result.places
    if up.empty:
        return []
    cells = pd.DataFrame({
        "Insats": list(up.insats),
        "Mått": list(up.matt),
        "Värde (med enhet)": [f"{fmt.number(v, decimals('', v))}{fmt.NBSP}{e}" for v, e in zip(up.varde, up.enhet)],
        "Period": [p if isinstance(p, str) else "ej angiven" for p in up.period],
    })
    return [Heading("Utbildningsplatser och utbildningsinsatser"),
            Text("Tabellen visar de utbildningsplatser och program som förvaltningen redovisar, med värdena som de står "
                 "i underlaget. Måtten är olika och summeras därför inte."),
            Table(cells, caption=f"Utbildningsplatser och utbildningsinsatser enligt underlaget för {result.ar}",
                  source=source(result, up), name=f"{result.forvaltning}-utbildningsplatser",
                  data=up.drop(columns=["forvaltning"]), numeric=["Värde (med enhet)"])]
