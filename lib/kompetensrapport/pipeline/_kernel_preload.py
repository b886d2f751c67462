"""Imported once by the fork server of the build's processes when the kernels are warm
(:func:`kompetensrapport.pipeline.execute.prepare_workers`): the kernel server, forked from it, then starts
with the kernels' libraries imported. A failure here must not take the fork server down (it
ignores only ImportError): the kernel server then imports them itself and reports what fails."""

try:
    from kompetensrapport.pipeline.kernels import preload

    preload()
except Exception:  # noqa: BLE001
    pass
