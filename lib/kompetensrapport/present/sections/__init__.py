"""The presentation of each section of a förvaltning's page: one module per section, each with
``present(result) -> list[Block]`` building what readers see from the result of the section's
domain function (see :mod:`kompetensrapport.sections`); and the overview page's parts
(:mod:`.oversikt`, the year at a glance, and :mod:`.region`)."""

from kompetensrapport.present.sections import (  # noqa: F401 - the section modules, in page order
    uppdrag, budget, brygga, resultatrakning, kompetens, handlingsplan, behov, utbildning, fokus, hr,
    region, oversikt,
)
