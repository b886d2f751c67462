"""A förvaltning's resultaträkning and its reconciliation (section ``resultatrakning``)."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain.budget import Resultatrakning
from kompetensrapport.inputs import reconcile
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Callout, Heading, Text, md
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table

#: What the Resultat column shows for a check's status.
CHECK_STATUS = {reconcile.OK: "stämmer", reconcile.ROUNDING: "avrundningsdifferens", reconcile.ERROR: "stämmer inte"}


def whose(owners) -> str:
    """Whose result it is, as readers see it: ``'Regionstyrelsen'``; several joined with " och "."""
    return " och ".join(owners)


def _checks_table(result: Resultatrakning) -> Table:
    """The sums against their parts, and every row whose avvikelse is not utfall − budget."""
    shown = list(result.sum_checks) + [c for c in result.row_checks if c.status != reconcile.OK]
    cc = pd.DataFrame({
        "Kontroll": [c.description.split(": ", 1)[1] for c in shown],
        "Angivet (mkr)": [fmt.number(c.stated, 1) for c in shown],
        "Summa av delarna (mkr)": [fmt.number(c.computed, 1) for c in shown],
        "Skillnad (mkr)": [fmt.number(c.difference, 1, sign=True) for c in shown],
        "Resultat": [CHECK_STATUS[c.status] for c in shown],
    })
    return Table(cc, caption=f"Kontroll av resultaträkningens summor {result.ar}", source=source(result, result.rows),
                 name=f"resultatrakning-kontroll-{result.forvaltning}", numeric=list(cc.columns[1:4]))


def present(result: Resultatrakning) -> list[Block]:
    """The resultaträkning: whose it is, its result, the table and the reconciliation of its sums;
    empty without rows."""
    rr, ar = result.rows, result.ar
    if rr.empty:
        return []
    cells = pd.DataFrame({
        "Rad": list(rr.rad),
        "Utfall (mkr)": [fmt.number(v, 1) for v in rr.utfall_mkr],
        "Budget (mkr)": [fmt.number(v, 1) for v in rr.budget_mkr],
        "Avvikelse (mkr)": [fmt.number(v, 1, sign=True) for v in rr.avvikelse_mkr],
        "Avvikelse (%)": [fmt.number(v, 1, sign=True) for v in rr.avvikelse_procent],
    })
    avser = whose(result.owners)
    blocks = [Heading(f"Resultaträkning {ar}: {avser}"),
              Text(f"Underlaget redovisar resultaträkningen och resultatet för {md(avser)}.")]
    res = result.result
    if len(res):
        r = res.iloc[0]
        blocks.append(Callout(f"**{md(avser)}s resultat {ar}: {fmt.mkr(r.utfall_mkr, sign=True)}** mot en budget på "
                              f"{fmt.mkr(r.budget_mkr)} (avvikelse {fmt.mkr(r.avvikelse_mkr, sign=True)})."))
    blocks.append(Table(cells, caption=f"{avser}s resultaträkning {ar}: utfall, budget och avvikelse",
                        source=source(result, rr), name=f"resultatrakning-{result.forvaltning}", data=rr,
                        numeric=list(cells.columns[1:]), strong_rows=result.strong_rows,
                        notes=["Kostnader är negativa, som i underlaget; en positiv avvikelse är bättre än budget. "
                               "Avvikelsen i procent är beräknad ur utfall och budget, (utfall − budget) / |budget|: "
                               "den tryckta procentkolumnen kunde inte användas (den anger kvoten som bråktal, inte procent)."]))
    n_round = result.rounding_differences
    blocks.append(Text(f"Summorna i resultaträkningen är kontrollerade mot sina delar. "
                       f"{fmt.count(n_round, 'skillnad', 'skillnader')} på {fmt.mkr(0.1)} "
                       + ("beror på att underlaget avrundar varje belopp till 0,1 mkr; den visas nedan som "
                          "avrundningsdifferens." if n_round == 1 else
                          "beror på att underlaget avrundar varje belopp till 0,1 mkr; de visas nedan som "
                          "avrundningsdifferenser.") if n_round else
                       "Summorna i resultaträkningen är kontrollerade mot sina delar och stämmer."))
    blocks.append(_checks_table(result))
    return blocks
