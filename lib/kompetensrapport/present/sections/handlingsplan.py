"""The section ``handlingsplan`` as a reader sees it: the förvaltning's action plan as a table,
from :func:`kompetensrapport.domain.kompetens.handlingsplan`."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain import kompetens
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Heading, Text
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.sections.ratings import text
from kompetensrapport.present.tables import Table


def present(r: kompetens.Handlingsplan) -> list:
    """The action plan as a table (Fokusområde, Aktivitet, Förväntad effekt, Ansvarig (roll),
    Tidplan) with its source; an empty list when the förvaltning has none."""
    hp = r.rows
    if hp.empty:
        return []
    missing = lambda v: text(v) or fmt.MISSING
    frame = pd.DataFrame({
        "Fokusområde": list(hp.fokusomrade),
        "Aktivitet": list(hp.aktivitet),
        "Förväntad effekt": [missing(v) for v in hp.forvantad_effekt],
        "Ansvarig (roll)": [missing(v) for v in hp.ansvarig],
        "Tidplan": [missing(v) for v in hp.tidplan],
    })
    n_fokus = r.focus_areas
    notes = []
    if (frame[["Förväntad effekt", "Ansvarig (roll)", "Tidplan"]] == fmt.MISSING).any().any():
        notes.append(f"{fmt.MISSING} = uppgift saknas i handlingsplanen.")
    return [Heading("Handlingsplan"),
            Text(f"Handlingsplanen har {fmt.count(len(hp), 'aktivitet', 'aktiviteter')} inom "
                 f"{fmt.count(n_fokus, 'fokusområde', 'fokusområden')}. Ansvarig anges som roll, som i underlaget."),
            Table(frame, caption=f"Handlingsplan {r.ar}: aktiviteter per fokusområde",
                  source=source(r, hp), name=f"{r.forvaltning}-handlingsplan", data=hp, notes=notes)]
