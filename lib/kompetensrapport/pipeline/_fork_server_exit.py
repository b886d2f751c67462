"""Imported last by the fork server of the build's processes (:func:`kompetensrapport.pipeline.kernels.fork_server`).

The fork server ends once the build and every process it forked are gone. Left to itself it
would then tear down everything it imported (pandas, matplotlib, ipykernel, ...): about a third
of a second of CPU after the build has returned, during which it still holds the build's output
streams, so that whoever reads them (a pipe, CI's log) waits for it. Registered last, this exit
handler runs first (atexit runs its handlers in reverse order) and leaves at once, with status 1
when an exception ended the fork server and 0 otherwise.

Only the fork server itself runs exit handlers: the processes it forks (workers, the kernel
server, kernels) all end with ``os._exit``. Imported anywhere else (a documentation tool, a
test), this module does nothing: the handler is registered only while the fork server's
``main`` is importing it.
"""

import atexit
import sys

from kompetensrapport.pipeline.kernels import leave_now


def _in_fork_server() -> bool:
    from multiprocessing import forkserver

    frame = sys._getframe()
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


def _leave() -> None:
    leave_now(1 if getattr(sys, "last_value", None) is not None else 0)


if _in_fork_server():
    atexit.register(_leave)
