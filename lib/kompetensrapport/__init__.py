"""kompetensrapport: the reproducible annual report on kompetensförsörjning for Region Skåne.

One module per job:

- :mod:`~kompetensrapport.params` — the per-förvaltning parameter files (schema and loading)
- :mod:`~kompetensrapport.schemas` — the schema of every data file (pandera), with the fixed
  values of :mod:`~kompetensrapport.codes` (ratings, patterns)
- :mod:`~kompetensrapport.load` — reading and validating a year's data files
- :mod:`~kompetensrapport.reconcile` — stated totals against the sum of their parts
- :mod:`~kompetensrapport.validate` — every check of a year, collected into one report
- :mod:`~kompetensrapport.budget`, :mod:`~kompetensrapport.kompetens`,
  :mod:`~kompetensrapport.fokus`, :mod:`~kompetensrapport.hr` — the domains
- :mod:`~kompetensrapport.fmt` — Swedish number formatting
- :mod:`~kompetensrapport.tables`, :mod:`~kompetensrapport.figures` — what a reader sees
- :mod:`~kompetensrapport.execute`, :mod:`~kompetensrapport.site`,
  :mod:`~kompetensrapport.build` — running the notebooks, writing the Quarto pages, the build
- :mod:`~kompetensrapport.cli` — the ``kompetensrapport`` command
"""

__version__ = "0.1.0"
