"""The bridge from the year before's regionbidrag to this year's (section ``brygga``)."""

from __future__ import annotations

import pandas as pd

from kompetensrapport.domain.budget import Bridge
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Block, Heading, Text, md
from kompetensrapport.present.figures import PRIMARY, SECONDARY, Figure, new, swedish_ticks, wrap
from kompetensrapport.present.sections._common import source
from kompetensrapport.present.tables import Table


def row_texts(rows: pd.DataFrame) -> list[str]:
    """Each bridge row's text: ``Regionbidrag <år>`` for the two regionbidrag, a step as written."""
    return [f"Regionbidrag {ar}" if typ != "forandring" else text
            for typ, ar, text in zip(rows.typ, rows.ar, rows.text)]


def _figure(result: Bridge, texts: list[str]) -> Figure:
    """A horizontal waterfall, read top to bottom: the two regionbidrag as full bars, each step as a
    floating bar from the running total before it to the one after; a deduction is hatched, every
    bar has its amount written."""
    br, ar = result.rows, result.ar
    labels = [wrap(t) for t in texts]
    fig, ax = new(height=0.45 * len(br) + 0.18 * sum(t.count("\n") + 1 for t in labels) + 1.0)
    vmax = float(br.efter_mnkr.max())
    for i, r in enumerate(br.itertuples()):
        low, high = min(r.fore_mnkr, r.efter_mnkr), max(r.fore_mnkr, r.efter_mnkr)
        step = r.typ == "forandring"
        ax.barh(i, high - low, left=low, color=SECONDARY if step else PRIMARY, edgecolor="#1a1a1a",
                hatch="//" if step and r.belopp_mnkr < 0 else None, height=0.6)
        ax.text(high + vmax * 0.01, i, fmt.mnkr(r.belopp_mnkr, sign=step), va="center", ha="left",
                color="#1a1a1a")
    ax.set_yticks(range(len(br)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("Regionbidrag (mnkr)")
    ax.set_xlim(0, vmax * 1.05)
    swedish_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    steps = result.steps
    big, small = steps.loc[steps.belopp_mnkr.idxmax()], steps.loc[steps.belopp_mnkr.idxmin()]
    first, last = br.iloc[0], br.iloc[-1]
    alt = (f"Vattenfallsdiagram från regionbidraget {ar - 1}, {fmt.mnkr(first.belopp_mnkr)}, till regionbidraget {ar}, "
           f"{fmt.mnkr(last.belopp_mnkr)}, i {len(steps)} steg: "
           + "; ".join(f"{t} {fmt.mnkr(v, sign=True)}" for t, v in zip(steps.text, steps.belopp_mnkr))
           + f". Störst är {big.text} med {fmt.mnkr(big.belopp_mnkr, sign=True)}, minst {small.text} med "
           f"{fmt.mnkr(small.belopp_mnkr, sign=True)}.")
    return Figure(fig, caption=f"Från regionbidrag {ar - 1} till {ar}: varje steg med sitt belopp; avdrag är streckade",
                  alt=alt, name=f"regionbidrag-brygga-{ar}")


def present(result: Bridge) -> list[Block]:
    """The bridge from the year before's regionbidrag to this year's: a sentence, the table with
    each step and the running total, the reconciliation and the waterfall; empty without steps."""
    br, ar = result.rows, result.ar
    if br.empty:
        return []
    texts = row_texts(br)
    first, last = br.iloc[0], br.iloc[-1]
    steps = result.steps
    cells = pd.DataFrame({
        "Steg": texts,
        "Belopp (mnkr)": [fmt.number(v, 1, sign=t == "forandring") for v, t in zip(br.belopp_mnkr, br.typ)],
        "Andel enligt underlaget": [fmt.procent(p) if pd.notna(p) else "" for p in br.procent],
        "Summa efter steget (mnkr)": [fmt.number(v, 1) for v in br.efter_mnkr],
    })
    computed = result.computed_mnkr
    text = (f"Regionbidraget går från {fmt.mnkr(first.belopp_mnkr)} {ar - 1} till {fmt.mnkr(last.belopp_mnkr)} {ar}, "
            f"i {fmt.number(len(steps))} steg som underlaget anger: "
            + "; ".join(f"{md(t[:1].lower() + t[1:])} {fmt.mnkr(v, sign=True)}"
                        for t, v in zip(steps.text, steps.belopp_mnkr)) + ". "
            + f"{'Steget' if len(steps) == 1 else 'Stegen'} summerar till {fmt.mnkr(computed)}"
            + (f", samma som det angivna regionbidraget {ar}." if result.agrees else
               f" mot det angivna regionbidraget {fmt.mnkr(last.belopp_mnkr)}."))
    notes = [f"Första och sista raden är regionbidragen {ar - 1} och {ar} som underlaget anger dem; summan efter "
             "varje steg är beräknad."]
    if steps.procent.notna().any():
        notes.append("Andelen står som i underlaget (andel av föregående års regionbidrag efter tidigare avdrag).")
    download = br.assign(text=texts).drop(columns=["ar"])
    return [Heading(f"Från regionbidrag {ar - 1} till {ar}"), Text(text),
            Table(cells, caption=f"Regionbidragets förändring från {ar - 1} till {ar}, steg för steg",
                  source=source(result, br), name=f"regionbidrag-brygga-{ar}", data=download,
                  numeric=list(cells.columns[1:]), strong_rows=[0, len(cells) - 1], notes=notes),
            _figure(result, texts)]
