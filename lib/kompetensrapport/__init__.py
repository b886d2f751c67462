"""kompetensrapport: the reproducible annual report on kompetensförsörjning for Region Skåne.

One module per job:

- :mod:`~kompetensrapport.inputs.params` — the per-förvaltning parameter files (schema and loading)
- :mod:`~kompetensrapport.inputs.schemas` — the schema of every data file (pandera), with the fixed
  values of :mod:`~kompetensrapport.inputs.codes` (ratings, patterns)
- :mod:`~kompetensrapport.inputs.load` — reading and validating a year's data files
- :mod:`~kompetensrapport.inputs.reconcile` — stated totals against the sum of their parts
- :mod:`~kompetensrapport.inputs.validate` — every check of a year, collected into one report
- :mod:`~kompetensrapport.domain.budget`, :mod:`~kompetensrapport.domain.kompetens`,
  :mod:`~kompetensrapport.domain.fokus`, :mod:`~kompetensrapport.domain.hr` — the domains
- :mod:`~kompetensrapport.present.fmt` — Swedish number formatting
- :mod:`~kompetensrapport.present.tables`, :mod:`~kompetensrapport.present.figures` — what a reader sees
- :mod:`~kompetensrapport.pipeline.execute`, :mod:`~kompetensrapport.pipeline.site`,
  :mod:`~kompetensrapport.pipeline.build` — running the notebooks, writing the Quarto pages, the build
- :mod:`~kompetensrapport.cli` — the ``kompetensrapport`` command
"""

__version__ = "0.1.0"
