"""The section ``behov`` as a reader sees it: what the förvaltning's plan says must be handled at
regional level, from :func:`kompetensrapport.domain.kompetens.behov`."""

from __future__ import annotations

from kompetensrapport.domain import kompetens
from kompetensrapport.present import fmt
from kompetensrapport.present.blocks import Bullets, Heading, Text, md
from kompetensrapport.present.sections._common import source


def blocks(r: kompetens.Behov, heading_level: int = 2, namn: str | None = None) -> list:
    """The needs as a heading, a sentence naming the level the plan's question asks about, the
    points as a bulleted list, and the source; empty when the förvaltning raises none. With
    ``namn`` (the overview) the heading and the sentence name the förvaltning."""
    b = r.points
    if b.empty:
        return []
    levels = list(r.levels)
    n = len(b)
    who = md(namn) if namn else "Förvaltningen"
    heading = "Behov på regional nivå" if namn is None else f"{namn}: behov på regional nivå"
    return [Heading(heading, heading_level),
            Text(f"{who} svarar i sin kompetensförsörjningsplan med {fmt.count(n, 'punkt', 'punkter')} på frågan "
                 f"om åtgärder som behöver hanteras på annan nivå i organisationen. Frågan gäller "
                 f"{md(' och '.join(levels))}"
                 + ("." if levels == ["regionnivå"] else
                    "; punkten anger inte vilken nivå den gäller." if n == 1 else
                    "; punkterna anger inte vilken nivå var och en gäller.")),
            Bullets([md(t) for t in b.behov]),
            Text(f"Källa: {md(source(r, b))}.")]


def present(r: kompetens.Behov) -> list:
    """The section ``behov``: the needs the förvaltning raises to regional level."""
    return blocks(r)
