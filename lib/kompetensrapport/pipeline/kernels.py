"""Warm kernels: each notebook still runs in its own kernel process, forked from a server that
has imported the notebooks' libraries once.

A fresh Jupyter kernel spends most of a short notebook's time starting Python and importing
ipykernel, pandas, matplotlib and this package. The build starts one :class:`KernelServer` (a
plain process that has done those imports) and runs every notebook with
:class:`ForkKernelManager`, whose provisioner asks the server to ``fork()`` a kernel instead of
starting a new interpreter. The forked kernel is an ordinary ipykernel process with its own
pid, process group, working directory, environment and standard streams; papermill talks to it
over ZeroMQ exactly as to any kernel. Nothing is shared between notebooks after the fork.

Life cycle: the provisioner keeps its connection to the server open while its kernel runs. The
server reports the kernel's exit status on that connection; when the connection closes (the
papermill worker ended or was killed) the server kills the kernel; when the server's parent (the
build) goes away, the server kills every kernel and exits. When the server is not running, the
provisioner falls back to starting a normal kernel, so a notebook always runs.

Example::

    with KernelServer() as server:
        run papermill with kernel_manager_class=ForkKernelManager after use(server.ready())
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: What the server imports before it forks kernels: what ``notebooks/*.ipynb`` import.
PRELOAD = [
    "ipykernel.kernelapp",
    "kompetensrapport.domain.budget",
    "kompetensrapport.domain.fokus",
    "kompetensrapport.domain.hr",
    "kompetensrapport.domain.kompetens",
    "kompetensrapport.inputs.load",
    "kompetensrapport.domain.oversikt",
    "kompetensrapport.present.blocks",
    "matplotlib.pyplot",
    "seaborn",
    "openpyxl",  # the downloads (tables.py); 0.2 s a kernel otherwise
    "pandas.io.excel._openpyxl",
    # what ipykernel imports when a kernel starts
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "psutil",
    "sqlite3",
    "tornado.platform.asyncio",
    "IPython.core.oinspect",
    "IPython.core.completerlib",
    "IPython.core.debugger",
]
#: A forked kernel must start the way ``python -m ipykernel_launcher -f <file>`` does.
LAUNCHER = ["-m", "ipykernel_launcher"]
READY = "ready"
MAX_MESSAGE = 1 << 20
#: The longest path a Unix socket can bind on Linux (sun_path holds 108 bytes with its NUL).
MAX_UNIX_PATH = 107

#: No thread pools in numpy: kernels run side by side, one per core. Set while the fork server
#: starts (numpy, imported there, reads them when it is imported; see :func:`preload`).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_server_path: str | None = None


def use(path: str | None) -> None:
    """Make :class:`ForkKernelManager` in this process fork kernels from the server at ``path``."""
    global _server_path
    _server_path = path


# --------------------------------------------------------------------------- the server


def _reset_child(cwd: str, env: dict, fds: list[int]) -> None:
    os.setsid()  # its own process group, as jupyter_client starts kernels (interrupts go to it)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new interpreter
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
    # nothing of the server's (its socket, other kernels' connections) stays open in the kernel
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            try:
                os.close(fd)
            except OSError:
                pass
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # `python -m ipykernel_launcher` would not have the server's start folder on sys.path
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)


def _exit_after(run, *args) -> None:
    """Call ``run(*args)``, then leave the process with its exit status (a SystemExit gives its
    code, a KeyboardInterrupt 130 without a traceback, any other exception is printed and gives
    1) without the interpreter's teardown of the preloaded libraries, which has nothing to save
    and takes half a second. Never returns."""
    code = 1
    try:
        run(*args)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:  # interrupted: the build that started it says so, once
        code = 130
    except BaseException:  # noqa: BLE001 - reported on stderr; the exit status says it failed
        import traceback

        traceback.print_exc()
    finally:
        leave_now(code)


def leave_now(code: int = 0) -> None:
    """Flush the standard streams and end the process with ``code`` at once, without the
    interpreter's teardown of the preloaded libraries (a third to half a second of CPU, with
    nothing to save). Never returns."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def _run_kernel(argv: list[str], cwd: str, env: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel (run through :func:`_exit_after`)."""
    _reset_child(cwd, env, fds)
    # the std streams were replaced under Python's feet: reopen them on the new descriptors
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    # settings ipykernel reads from the environment when it is imported (in the server,
    # before this kernel's environment existed) are given explicitly
    parent = env.get("JPY_PARENT_PID")
    argv = [*argv, f"--IPKernelApp.parent_handle={parent}"] if parent else list(argv)
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv)


_preloaded = False


def preload() -> None:
    """Import what the notebooks import and warm them up, once per process: in the fork server
    that the build's processes come from (``_kernel_preload``), or else in the server itself."""
    global _preloaded
    if _preloaded:
        return
    import importlib

    # the kernels run side by side, one per core: no thread pools inside numpy (read when numpy
    # is imported; a fork server started by fork_server has them already)
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    # papermill never debugs: without debugpy (a None entry makes its import fail, as the import
    # system documents) ipykernel starts without its debugger, and the server is 0.2 s quicker
    sys.modules.setdefault("debugpy", None)
    for name in PRELOAD:
        importlib.import_module(name)
    import pandas

    # pandas chooses this default when it is imported: 0 (fit the terminal) outside a kernel,
    # 20 inside one. The server imported it outside; its kernels must behave like any kernel.
    pandas.set_option("display.max_columns", 20)
    _warm_up()
    # Everything imported so far lives as long as every process forked from here: out of the
    # garbage collector's sight (gc.freeze, made for pre-fork servers). Else a kernel's first
    # full collection, whenever the counters it inherits call for one, walks all of it: a
    # tenth of a second and 20 MB of pages copied, in every kernel that has one.
    gc.freeze()
    _preloaded = True


def serve(path: str, ready=None) -> None:
    """The server's main loop: bind ``path``, then say so on the connection ``ready``."""
    preload()
    import multiprocessing

    parent = os.getppid()
    # the process that started the server (the build): its sentinel is readable once it is gone.
    # The fork server, the server's parent, outlives it while the server holds its pipe.
    owner = multiprocessing.parent_process()
    if not os.path.isdir(os.path.dirname(path)):
        return  # forked after the build that asked for it was interrupted (KernelServer.stop)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "listener")
    kernels: dict[int, socket.socket | None] = {}  # pid -> the connection of the provisioner that asked
    exits: dict[int, int] = {}  # pid -> a pidfd, readable the moment that kernel exits
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's business; it stops us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped: end the kernels (finally)
    if ready is not None:
        ready.send(READY)
        ready.close()

    def reap() -> None:
        while kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            fd = exits.pop(pid, None)
            if fd is not None:
                sel.unregister(fd)
                os.close(fd)
            conn = kernels.pop(pid, None)
            if conn is not None:
                try:
                    conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
                except OSError:
                    pass
                sel.unregister(conn)
                conn.close()

    try:
        if owner is not None:
            sel.register(owner.sentinel, selectors.EVENT_READ, "owner")
        while os.getppid() == parent:
            # the timeout only notices a parent that went away (and reaps where pidfds are missing)
            for key, _ in sel.select(timeout=0.2):
                sock = key.fileobj
                if key.data == "owner":
                    return  # the build is gone: end the kernels (finally)
                if key.data == "listener":
                    conn, _ = listener.accept()
                    pid = _start_kernel(conn, kernels, sel)
                    if pid is not None:
                        _watch_exit(pid, exits, sel)
                elif key.data == "exit":
                    pass  # reap() below reports it at once
                else:  # a provisioner went away: its kernel goes with it
                    data = sock.recv(16)
                    if not data:
                        pid = next((p for p, c in kernels.items() if c is sock), None)
                        if pid is not None:
                            _kill_group(pid)
                        sel.unregister(sock)
                        sock.close()
                        if pid is not None:
                            kernels[pid] = None  # reap() still collects it
            reap()
    finally:
        for pid in list(kernels):
            _kill_group(pid)
        listener.close()
        # the server's private folder (its socket, the kernels' sockets) goes with it, also when
        # the build that made it was killed and cannot remove it
        _remove_folder(os.path.dirname(path))


def _remove_folder(folder: str) -> None:
    for p in Path(folder).glob("*"):
        p.unlink(missing_ok=True)
    try:
        os.rmdir(folder)
    except OSError:
        pass


def _watch_exit(pid: int, exits: dict, sel) -> None:
    """Wake the server's loop when kernel ``pid`` exits (Linux 5.3+; elsewhere the loop's timeout
    reaps it within 0.2 s)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return
    exits[pid] = fd
    sel.register(fd, selectors.EVENT_READ, "exit")


def _warm_up() -> None:
    """Draw and save one small figure, so that matplotlib has loaded its fonts and Agg renderer
    before the fork, and format one number, so that babel has read its Swedish locale data (the
    tests check that the kernels' output is unchanged by this)."""
    import io

    from kompetensrapport.present import figures, fmt

    fmt.number(-1234.5, 1)

    fig, ax = figures.new(2, 1)
    ax.barh(["å"], [1.0])
    ax.set_xlabel("Ä 1 234,5")
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    figures.pyplot().close(fig)


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except OSError:
            continue


def _start_kernel(conn: socket.socket, kernels: dict, sel) -> int | None:
    """Fork a kernel for the request on ``conn``; its pid, or None for a bad request."""
    try:
        data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
        request = json.loads(data)
        if len(fds) != 3:
            raise ValueError("three descriptors expected (stdin, stdout, stderr)")
    except (OSError, ValueError) as e:
        conn.send(json.dumps({"error": str(e)}).encode())
        conn.close()
        return None
    pid = os.fork()
    if pid == 0:
        conn.close()
        _exit_after(_run_kernel, request["argv"], request["cwd"], request["env"], fds)
    for fd in fds:
        os.close(fd)
    kernels[pid] = conn
    sel.register(conn, selectors.EVENT_READ, "provisioner")
    conn.send(json.dumps({"pid": pid}).encode())
    return pid


#: The module that makes a fork server import what the kernels need (:func:`preload`).
KERNEL_PRELOAD = "kompetensrapport.pipeline._kernel_preload"
#: Imported last by every fork server :func:`fork_server` starts: it leaves without teardown.
FORK_SERVER_EXIT = "kompetensrapport.pipeline._fork_server_exit"


def fork_server(preload_modules: list[str]):
    """Start this process's multiprocessing fork server, importing ``preload_modules``, unless it
    runs already (it lives as long as this process; the first call decides what it imports),
    and return the context whose processes it forks.

    The fork server starts with Ctrl-C (SIGINT) ignored, and so do the workers it forks (they
    inherit it): a terminal sends Ctrl-C to the whole process group, and it is the build's to
    handle (it ends the workers and the kernel server, which end the kernels). Without this, the
    fork server, still importing, and every worker would print a KeyboardInterrupt traceback.
    Kernels set their own SIGINT handler (jupyter_client interrupts them with it). A Ctrl-C
    during the few milliseconds it takes to start the fork server's process is ignored."""
    import multiprocessing
    import threading
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*preload_modules, FORK_SERVER_EXIT])
    saved = {name: os.environ.get(name) for name in SINGLE_THREADED}
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    # an ignored signal stays ignored in a process started from this one (a handler does not)
    in_main_thread = threading.current_thread() is threading.main_thread()
    sigint = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
    try:
        forkserver.ensure_running()
    finally:
        if sigint is not None:
            signal.signal(signal.SIGINT, sigint)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
    return context


def _serve_child(path: str, log: str | None, ready) -> None:
    """The server's process (a child of the build's fork server): stderr to ``log``."""
    fd = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    _exit_after(serve, path, ready)


class KernelServer:
    """Start the server for the duration of a ``with`` block; ``path`` is its socket.

    The server is a child of the multiprocessing fork server of ``context`` (default: the
    current process's), the one the build's worker processes come from: when that fork server
    has imported the kernels' libraries (:func:`kompetensrapport.pipeline.execute.prepare_workers` with
    ``warm=True``) the server is ready at once, and the libraries are imported once per build,
    not twice; otherwise the server imports them itself."""

    def __init__(self, log: str | os.PathLike | None = None, context=None):
        self._dir = tempfile.mkdtemp(prefix="kr-kernels-")
        self.path = os.path.join(self._dir, "server.sock")
        self._log = str(log) if log else None
        self._context = context
        self._ready = False
        self._starting = None
        self._reader = None
        self.proc = None  # the server's multiprocessing.Process

    def start(self) -> "KernelServer":
        """Start the server's process and return at once: the fork server may still be importing
        (the build validates the data meanwhile). :meth:`ready` waits for it."""
        import threading

        context = self._context or fork_server([KERNEL_PRELOAD])
        self._reader, writer = context.Pipe(duplex=False)
        self.proc = context.Process(target=_serve_child, args=(self.path, self._log, writer),
                                    name="kompetensrapport-kernels", daemon=False)

        def launch():  # blocks until the fork server has done its imports
            try:
                self.proc.start()
            except Exception:  # noqa: BLE001 - ready() reports it: normal kernels then
                pass
            finally:
                writer.close()

        self._starting = threading.Thread(target=launch, name="kernel-server-start", daemon=True)
        self._starting.start()
        return self

    def ready(self) -> str | None:
        """Wait until the server accepts requests; its socket path, or None when it failed to
        start (the provisioner then starts normal kernels)."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
            try:
                self._ready = self._reader.recv() == READY
            except (EOFError, OSError):
                self._ready = False
            if not self._ready:
                self.stop()
        return self.path if self._ready else None

    def __enter__(self) -> "KernelServer":
        self.start().ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self, wait_for_start: bool = True) -> None:
        """End the server; it kills the kernels it still has. With ``wait_for_start`` False (the
        build was interrupted) a server whose process is still to be forked (the fork server is
        still importing) is not waited for: it has no kernel yet, and when it starts, its folder
        is gone and its owner is ending, so it ends at once."""
        if self._starting is not None and not wait_for_start and self._starting.is_alive():
            self._starting = None
            self.proc = None
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self.proc is not None and self.proc.pid is not None:
            if self.proc.is_alive():
                self.proc.terminate()
                self.proc.join(timeout=10)
                if self.proc.is_alive():
                    self.proc.kill()
            self.proc.join()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.proc = None
        self._ready = False
        _remove_folder(self._dir)


# --------------------------------------------------------------------------- the client side

@functools.cache
def kernel_manager_class():
    """The kernel manager class to hand to papermill (``kernel_manager_class=``); defined on first
    use, so that the kernel server and the build do not import jupyter_client for it."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    import zmq
    from traitlets import default

    class ForkedKernel:
        """The Popen-like handle LocalProvisioner needs, for a kernel forked by the server."""

        def __init__(self, conn: socket.socket, pid: int):
            self.conn, self.pid, self.returncode = conn, pid, None
            self.stdin = self.stdout = self.stderr = None

        def poll(self):
            if self.returncode is None:
                self.conn.setblocking(False)
                try:
                    data = self.conn.recv(4096)
                except BlockingIOError:
                    return None
                except OSError:
                    data = b""
                self.returncode = json.loads(data).get("exit", -1) if data else -1
                self.conn.close()
            return self.returncode

        def wait(self, timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while self.poll() is None:
                if deadline is not None and time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired("kernel", timeout)
                time.sleep(0.05)
            return self.returncode

        async def exited(self):
            """Return once the kernel has exited: the server reports it on the connection the
            moment it happens (no polling)."""
            loop = asyncio.get_running_loop()
            while self.poll() is None:
                readable = loop.create_future()
                fd = self.conn.fileno()
                loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
                try:
                    await readable
                finally:
                    loop.remove_reader(fd)
            return self.returncode

        def send_signal(self, signum):
            if self.poll() is None:
                os.kill(self.pid, signum)

        def terminate(self):
            self.send_signal(signal.SIGTERM)

        def kill(self):
            self.send_signal(signal.SIGKILL)

    class ForkProvisioner(LocalProvisioner):
        """LocalProvisioner that forks the kernel from the server instead of starting Python."""

        async def launch_kernel(self, cmd, **kwargs):
            forked = _fork_kernel(cmd, kwargs) if _server_path else None
            if forked is None:
                return await super().launch_kernel(cmd, **kwargs)
            self.process = forked
            self.pid = self.pgid = forked.pid
            self.cwd = kwargs.get("cwd") or os.getcwd()
            return self.connection_info

        async def wait(self):
            if isinstance(self.process, ForkedKernel):
                await self.process.exited()
            return await super().wait()

    def _fork_kernel(cmd, kwargs):
        if cmd[1:3] != LAUNCHER or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
            return None
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        request = {"argv": cmd[3:], "cwd": str(kwargs.get("cwd") or os.getcwd()), "env": env}
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            conn.connect(_server_path)
            with open(os.devnull, "rb") as devnull:
                socket.send_fds(conn, [json.dumps(request).encode()], [devnull.fileno(), 1, 2])
            reply = json.loads(conn.recv(4096) or b"{}")
        except OSError:
            conn.close()
            return None
        if "pid" not in reply:
            conn.close()
            return None
        return ForkedKernel(conn, reply["pid"])

    def _ipc_prefix() -> str | None:
        """Where a forked kernel's sockets go (``<prefix>-1`` … ``-5``), or None for TCP."""
        if not _server_path:
            return None
        import uuid

        folder = os.path.dirname(_server_path)
        prefix = os.path.join(folder, f"k{uuid.uuid4().hex[:12]}")
        return prefix if os.path.isdir(folder) and len(os.fsencode(prefix)) + 4 <= MAX_UNIX_PATH else None

    class ForkKernelClient(AsyncKernelClient):
        """jupyter_client's client, ready as soon as the kernel is.

        jupyter_client's ``wait_for_ready`` takes a kernel_info reply on shell and any IOPub
        message as the sign that both channels work, then waits until IOPub has been silent for
        0.2 s. Here the sign is the same request's reply on shell and its ``idle`` status on
        IOPub, and nothing is waited for after it: what else arrives on IOPub belongs to no
        cell (nbclient takes a cell's output by the id of its request).

        Its sockets retry a refused connection after 10 ms instead of ZeroMQ's 100 ms: they
        connect while the kernel, forked a moment before, is still binding its ports."""

        def _context_default(self):
            context = super()._context_default()
            context.setsockopt(zmq.RECONNECT_IVL, 10)
            return context

        async def _async_wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                msg_id = self.kernel_info()
                try:
                    reply = await self._async_recv_reply(msg_id, timeout=1)
                except TimeoutError:
                    reply = None
                if reply is not None and await self._iopub_idle(msg_id, within=0.2):
                    self._handle_kernel_info_reply(reply)
                    return
                # as jupyter_client words these (execute.py retries a start on them)
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError("Kernel didn't respond in %d seconds" % timeout)

        async def _iopub_idle(self, msg_id: str, within: float) -> bool:
            """Whether IOPub brings the ``idle`` status of request ``msg_id`` within ``within`` s."""
            end = time.monotonic() + within
            while True:
                try:
                    msg = await self.iopub_channel.get_msg(timeout=max(0.0, end - time.monotonic()))
                except Empty:
                    return False
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    return True

        wait_for_ready = _async_wait_for_ready

    class ForkKernelManager(AsyncKernelManager):
        """An AsyncKernelManager whose kernels come from the server (see :func:`use`): it learns
        that a kernel has exited when it happens, where jupyter_client polls every 0.1 s.

        A kernel is shut down by killing it. papermill shuts a kernel down once the notebook's
        last cell has replied, when it has nothing left to do or to save (every output has
        arrived, every file the notebook writes is written). A graceful shutdown asks ipykernel
        to end itself, and ipykernel 7.4 sometimes hangs there (its control thread waits for an
        output thread that has stopped), so that the manager waits 2.5 s and then sends
        SIGTERM: about one normal kernel in seven on this project's machine."""

        async def shutdown_kernel(self, now: bool = False, restart: bool = False):
            return await super().shutdown_kernel(now=now or not restart, restart=restart)

        # A forked kernel talks over Unix sockets in the server's private folder, not over TCP:
        # a TCP port is chosen by the worker and released before the kernel binds it, and two
        # workers starting kernels at the same moment can choose the same one (the kernel then
        # dies, and the start is retried 2.5 s later). Sockets in a folder only the user can
        # open need no encryption either. TCP stays where that folder's paths are too long
        # for a Unix socket, and for normal kernels (no server).
        @default("transport")
        def _transport_default(self):
            self._kr_ipc_path = _ipc_prefix()
            return "ipc" if self._kr_ipc_path else "tcp"

        @default("ip")
        def _ip_default(self):
            if self.transport == "ipc":
                prefix = getattr(self, "_kr_ipc_path", None) or _ipc_prefix()
                if prefix:
                    return prefix
            return super()._ip_default()

        @default("client_factory")
        def _client_factory_default(self):
            return ForkKernelClient

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            process = getattr(self.provisioner, "process", None)
            if isinstance(process, ForkedKernel):
                await process.exited()
            else:
                await super()._async_wait(pollinterval)

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                import uuid

                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                   parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkKernelManager

