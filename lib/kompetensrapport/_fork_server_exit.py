"""Imported last by the fork server of the build's processes (:func:`kompetensrapport.kernels.fork_server`).

The fork server ends once the build and every process it forked are gone. Left to itself it
would then tear down everything it imported (pandas, matplotlib, ipykernel, ...): about a third
of a second of CPU after the build has returned, during which it still holds the build's output
streams, so that whoever reads them (a pipe, CI's log) waits for it. Registered last, this exit
handler runs first (atexit runs its handlers in reverse order) and leaves at once.

Only the fork server itself runs exit handlers: the processes it forks (workers, the kernel
server, kernels) all end with ``os._exit``.
"""

import atexit

from kompetensrapport.kernels import leave_now

atexit.register(leave_now)
