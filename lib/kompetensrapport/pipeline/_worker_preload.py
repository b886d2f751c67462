"""Imported once by the fork server of the build's worker processes (the last of
:data:`kompetensrapport.pipeline.execute.WORKER_PRELOAD`): every worker then starts warm."""

from kompetensrapport.pipeline.execute import warm_worker

warm_worker()
