"""Warm kernels: each notebook still runs in its own worker and kernel process, both forked
from a server that has imported papermill, ipykernel, pandas, matplotlib and this package once.

The build starts one :class:`Server` (a subprocess) and asks it, over a Unix socket, for a
*worker* per notebook, which runs :func:`kompetensrapport.pipeline.execute.run_job` (papermill)
and sends the result back on the build's connection. papermill starts the notebook's kernel
with the kernel spec :data:`KERNEL`, which lies in the server's private folder (on
``JUPYTER_PATH``) and names :class:`WarmProvisioner`, a jupyter_client kernel provisioner
(entry point ``kompetensrapport-warm``), with the server's socket as its ``config``. The
provisioner asks the server to fork the *kernel*, which talks to papermill over ZeroMQ on Unix
sockets in that folder. Without an answering server it is jupyter_client's LocalProvisioner.

Life cycle: each forked process (its own session and process group) belongs to the connection
that asked for it: when that closes (the build or the worker ended or was killed) the server
kills it; when it exits, the server reports its exit status there. When the build is gone (the
server's stdin, a pipe from the build, ends) or stops the server, the server kills what it
forked and exits.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROVISIONER = KERNEL = "kompetensrapport-warm"
GROUP = "jupyter_client.kernel_provisioners"
NOT_REGISTERED = (f"note: the kernel provisioner {PROVISIONER} is not registered (the package is not "
                  "installed: pip install -e .); the notebooks run in normal kernels")
#: What the server imports before it forks: what the workers (papermill), the notebooks
#: (``notebooks/*.ipynb``) and ipykernel import.
PRELOAD = [
    "papermill", "nbformat", "jupyter_client.manager", "kompetensrapport.pipeline.execute",
    "ipykernel.kernelapp", "ipykernel.ipkernel", "kompetensrapport.domain.budget",
    "kompetensrapport.domain.fokus", "kompetensrapport.domain.hr", "kompetensrapport.domain.kompetens",
    "kompetensrapport.domain.oversikt", "kompetensrapport.inputs.load", "kompetensrapport.present.blocks",
    "matplotlib.pyplot", "seaborn", "openpyxl", "psutil", "sqlite3", "tornado.platform.asyncio",
    "IPython.core.oinspect", "IPython.core.completerlib", "IPython.core.debugger",
]
#: No thread pools in numpy: kernels run side by side, one per core (read when numpy is imported).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
READY = b"ready\n"
MAX_MESSAGE = 1 << 20
#: The longest path a Unix socket can bind on Linux (sun_path holds 108 bytes with its NUL).
MAX_UNIX_PATH = 107


def registered() -> bool:
    """Whether :class:`WarmProvisioner` is registered under its entry point (package installed)."""
    from importlib.metadata import entry_points

    return any(ep.name == PROVISIONER for ep in entry_points(group=GROUP))


# --------------------------------------------------------------------------- the server process

def preload() -> None:
    """Import and warm up what the workers and kernels need, then put it out of the garbage
    collector's sight (``gc.freeze``, made for pre-fork servers): else every kernel's first full
    collection walks it and copies its pages."""
    import importlib
    import io

    # papermill never debugs: without debugpy (a None entry fails its import) ipykernel starts
    # without its debugger
    sys.modules.setdefault("debugpy", None)
    for name in PRELOAD:
        importlib.import_module(name)
    import nbformat
    import pandas
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.localinterfaces import local_ips
    from jupyter_client.provisioning import KernelProvisionerFactory
    from nbformat.validator import get_validator

    from kompetensrapport.present import figures, fmt

    pandas.set_option("display.max_columns", 20)  # pandas' default inside a kernel (0 outside)
    # what every run and kernel would do first: the notebook schema, the kernel spec and
    # provisioners, the machine's addresses, matplotlib's fonts and Agg renderer, babel's Swedish
    # locale data (the tests check that the output is unchanged by it)
    get_validator(version=nbformat.current_nbformat, version_minor=nbformat.current_nbformat_minor)
    KernelSpecManager().get_kernel_spec(KERNEL)
    KernelProvisionerFactory.instance()
    local_ips()
    fmt.number(-1234.5, 1)
    fig, ax = figures.new(2, 1)
    ax.barh(["å"], [1.0])
    ax.set_xlabel("Ä 1 234,5")
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    figures.pyplot().close(fig)
    gc.freeze()


def serve(path: str) -> None:
    """The server: preload, bind ``path``, say :data:`READY` on stdout, fork what is asked for
    until stdin (a pipe from the build) ends or SIGTERM comes; then kill it all. Never returns."""
    children: dict[int, socket.socket] = {}  # pid -> the connection that asked for it
    exits: dict[int, int] = {}  # pid -> a pidfd, readable when it exits (Linux 5.3+)
    sel = selectors.DefaultSelector()
    try:
        preload()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(path)
        listener.listen(64)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        sel.register(0, selectors.EVENT_READ, "owner")
        sel.register(listener, selectors.EVENT_READ, "listener")
        os.write(1, READY)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        while True:
            for key, _ in sel.select(timeout=0.2):  # the timeout reaps where pidfds are missing
                if key.data == "owner" and not os.read(0, 64):
                    return  # the build is gone
                if key.data == "listener":
                    conn = listener.accept()[0]
                    pid = fork_child(conn)
                    if pid:
                        children[pid] = conn
                        sel.register(conn, selectors.EVENT_READ, pid)
                        if hasattr(os, "pidfd_open"):
                            exits[pid] = os.pidfd_open(pid)
                            sel.register(exits[pid], selectors.EVENT_READ, "exit")
                elif isinstance(key.data, int) and not key.fileobj.recv(16):
                    kill_group(key.data)  # its asker is gone: it goes too (reaped below)
            reap(children, exits, sel)
    except BaseException:  # noqa: BLE001 - SIGTERM, or the log says why (the build runs without)
        if sys.exc_info()[0] is not SystemExit:
            import traceback

            traceback.print_exc()
    finally:
        for pid in children:
            kill_group(pid)
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)  # also when the build was killed
        leave(0)


def reap(children: dict, exits: dict, sel) -> None:
    """Collect the children that exited; report each one's exit status on its connection."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in exits:
            sel.unregister(exits[pid])
            os.close(exits.pop(pid))
        conn = children.pop(pid, None)
        if conn is not None:
            try:
                conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            except OSError:
                pass
            sel.unregister(conn)
            conn.close()


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def fork_child(conn: socket.socket) -> int | None:
    """Fork the worker or kernel asked for on ``conn``; its pid, or None (the error is sent)."""
    try:
        data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
        request = json.loads(data)
        if "kernel" in request and len(fds) != 3:
            raise ValueError("a kernel needs three descriptors (stdin, stdout, stderr)")
    except (OSError, ValueError) as e:
        conn.send(json.dumps({"error": str(e)}).encode())
        conn.close()
        return None
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()  # its own session and process group: killed as one, interrupted alone
            for sig in (signal.SIGTERM, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            if "kernel" in request:
                run_kernel(request["kernel"], fds)
            else:
                run_worker(request["job"], request["cwd"], conn)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
        except BaseException:  # noqa: BLE001 - on the process's stderr
            import traceback

            traceback.print_exc()
        leave(code)
    for fd in fds:
        os.close(fd)
    conn.send(json.dumps({"pid": pid}).encode())
    return pid


def leave(code: int) -> None:
    """Flush stdout and stderr and end the process at once, without the interpreter's teardown
    of the preloaded libraries (there is nothing to save)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def run_worker(job: dict, cwd: str, conn: socket.socket) -> None:
    """In a forked worker: run the notebook in ``cwd`` (the build's), send the result on ``conn``."""
    import dataclasses

    from kompetensrapport.pipeline import execute

    os.closerange(3, conn.fileno())  # nothing of the server's stays open in the worker
    os.closerange(conn.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.chdir(cwd)
    result = dataclasses.asdict(execute.run_job(execute.Job(**job)))
    result["detail"] = result["detail"][-20000:]
    conn.send(json.dumps(result).encode())


def run_kernel(request: dict, fds: list[int]) -> None:
    """In a forked kernel: become what ``python -m ipykernel_launcher <argv>`` would be."""
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # jupyter_client interrupts with it
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if sys.path and sys.path[0] == "":
        sys.path[0] = request["cwd"]  # as `python -m` started there would have it
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    # ipykernel read this from the environment when the server imported it
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={request['env'].get('JPY_PARENT_PID', 0)}"]
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv)


# --------------------------------------------------------------------------- the build's side

class Server:
    """The server, started by :meth:`start` and ended by :meth:`stop` (or a ``with`` block).
    :meth:`ready` says whether it runs; if not (not registered, failed to start), the caller runs
    normal workers and kernels. Notebooks run by its workers use the kernel :attr:`kernel`."""

    kernel = KERNEL

    def __init__(self, log: str | os.PathLike | None = None):
        self.folder = tempfile.mkdtemp(prefix="kr-warm-")
        self.path = os.path.join(self.folder, "server")
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.ok: bool | None = None

    def start(self) -> "Server":
        """Start the server's process and return at once (it imports while the build validates)."""
        if not registered():
            print(NOT_REGISTERED, file=sys.stderr)
            self.ok = False
            return self
        spec = Path(self.folder, "kernels", KERNEL)
        spec.mkdir(parents=True)
        provisioner = {"provisioner_name": PROVISIONER, "config": {"server": self.path}}
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python", "metadata": {"kernel_provisioner": provisioner}}))
        try:
            with open(self.log or os.devnull, "w") as log:
                # its own session: Ctrl-C at the terminal is the build's to handle; it stops the server
                self.proc = subprocess.Popen(
                    [sys.executable, "-c", f"from {__name__} import serve; serve({self.path!r})"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=self.folder,
                    env=self.env({**os.environ, **SINGLE_THREADED}), start_new_session=True)
        except OSError:  # no process to be had: normal workers and kernels
            self.ok = False
        return self

    def env(self, env: dict) -> dict:
        """``env`` with this server's kernel spec on ``JUPYTER_PATH``."""
        paths = [self.folder, *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
        return {**env, "JUPYTER_PATH": os.pathsep.join(paths)}

    def ready(self, timeout: float = 300) -> bool:
        """Wait until the server accepts requests; whether it does."""
        if self.ok is None:
            with selectors.DefaultSelector() as sel:
                sel.register(self.proc.stdout, selectors.EVENT_READ)
                self.ok = bool(sel.select(timeout)) and self.proc.stdout.readline() == READY
            if not self.ok:
                self.stop()
        return self.ok

    def run(self, job: dict) -> tuple[socket.socket, int] | None:
        """Ask for a worker that runs ``job`` (:class:`execute.Job` as a dict); the connection
        its result comes on and its pid, or None when the server does not answer."""
        conn = connect(self.path)
        pid = conn and ask(conn, {"job": job, "cwd": os.getcwd()})
        return (conn, pid) if pid else None

    def stop(self) -> None:
        """End the server at once; it kills every worker and kernel it forked."""
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc, self.ok = None, False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Server":
        self.start().ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def connect(path: str) -> socket.socket | None:
    """A connection to the server at ``path``, or None when it does not answer."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        conn.connect(path)
        return conn
    except OSError:
        conn.close()
        return None


def ask(conn: socket.socket, message: dict, fds: list[int] = ()) -> int | None:
    """Send ``message`` (and ``fds``) on ``conn``; the pid of what the server forked for it, or
    None (``conn`` is then closed)."""
    try:
        socket.send_fds(conn, [json.dumps(message).encode()], list(fds))
        reply = json.loads(conn.recv(4096) or b"{}")
        if "pid" in reply:
            return reply["pid"]
    except (OSError, ValueError):
        pass
    conn.close()
    return None


@functools.cache
def provisioner_class():
    """:class:`WarmProvisioner`, defined on first use: the build and the server need not import
    jupyter_client for it."""
    import asyncio
    from queue import Empty

    from jupyter_client import AsyncKernelClient
    from jupyter_client.channels import major_protocol_version
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Unicode

    class Client(AsyncKernelClient):
        """jupyter_client's client, ready as soon as the kernel is: on the reply to kernel_info
        and that request's idle status on IOPub (both channels work), without jupyter_client's
        wait for 0.2 s of silence on IOPub (what else arrives there belongs to no cell)."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            asked = set()
            while True:
                asked.add(self.kernel_info())
                try:
                    reply = await self.get_shell_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["parent_header"].get("msg_id") in asked and await self.idle(asked):
                    version = int(reply["content"]["protocol_version"].split(".")[0])
                    if version != major_protocol_version:  # as jupyter_client adapts to it
                        self.session.adapt_version = version
                    return
                if not await self.is_alive():  # worded as jupyter_client's (execute.py retries)
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        async def idle(self, asked: set, within: float = 0.5) -> bool:
            """Whether IOPub brings the idle status of one of the requests ``asked`` in time."""
            end = time.monotonic() + within
            while True:
                try:
                    msg = await self.get_iopub_msg(timeout=max(0.0, end - time.monotonic()))
                except Empty:
                    return False
                if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                        and msg["parent_header"].get("msg_id") in asked):
                    return True

    def exit_status(data: bytes) -> int:
        """The exit status the server reported (-9, killed, when the server is gone)."""
        return json.loads(data).get("exit", -9) if data else -9

    class WarmProvisioner(LocalProvisioner):
        """Forks the kernel from the server named by ``server`` (the kernel spec's provisioner
        config); jupyter_client's local provisioner when that server does not answer."""

        server = Unicode("", config=True, help="the warm server's socket")
        conn: socket.socket | None = None
        exit_code: int | None = None

        async def pre_launch(self, **kwargs):
            prefix = os.path.join(os.path.dirname(self.server), f"k{uuid.uuid4().hex[:12]}")
            if self.server and len(os.fsencode(prefix)) + 4 <= MAX_UNIX_PATH:
                self.conn = connect(self.server)
            if self.conn is not None:
                # Unix sockets in the server's private folder: no TCP port to race other kernels for
                self.parent.transport, self.parent.ip = "ipc", prefix
            return await super().pre_launch(**kwargs)

        async def launch_kernel(self, cmd, **kwargs):
            env = {**(kwargs.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}  # as jupyter_client
            cwd = str(kwargs.get("cwd") or os.getcwd())
            if self.conn is not None and cmd[1:3] == ["-m", "ipykernel_launcher"]:
                with open(os.devnull, "rb") as devnull:
                    self.pid = ask(self.conn, {"kernel": {"argv": cmd[3:], "cwd": cwd, "env": env}},
                                   [devnull.fileno(), 1, 2])
            if self.conn is None or self.pid is None:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                return await super().launch_kernel(cmd, **kwargs)
            self.conn.setblocking(False)
            self.pgid, self.cwd, self.exit_code = self.pid, cwd, None
            # back once the kernel has bound its sockets: the client's first connection then
            # succeeds (a refused one is retried only 0.1 s later)
            info = self.connection_info
            paths = [f"{info['ip']}-{info[f'{name}_port']}" for name in ("shell", "iopub", "stdin", "control", "hb")]
            deadline = time.monotonic() + 60
            while not all(map(os.path.exists, paths)) and await self.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            self.parent.client_factory = Client
            return info

        @property
        def has_process(self) -> bool:
            return self.conn is not None or super().has_process

        async def poll(self):
            if self.conn is None:
                return await super().poll()
            if self.exit_code is None:
                try:
                    self.exit_code = exit_status(self.conn.recv(MAX_MESSAGE))
                except BlockingIOError:
                    pass
                except OSError:
                    self.exit_code = -9
            return self.exit_code

        async def wait(self):
            if self.conn is None:
                return await super().wait()
            await self.exited()
            self.conn.close()
            self.conn = None
            return self.exit_code

        async def exited(self) -> int:
            """The kernel's exit status, once the server has reported it (the moment it exits)."""
            if self.exit_code is None:
                try:
                    data = await asyncio.get_running_loop().sock_recv(self.conn, MAX_MESSAGE)
                except OSError:
                    data = b""
                self.exit_code = exit_status(data)
            return self.exit_code

        async def send_signal(self, signum: int) -> None:
            if self.conn is None:
                return await super().send_signal(signum)
            if await self.poll() is None:
                os.killpg(self.pgid, signum)

        async def kill(self, restart: bool = False) -> None:
            if self.conn is None:
                return await super().kill(restart)
            await self.send_signal(signal.SIGKILL)
            # the caller polls for its end every 0.1 s; the server reports it at once
            await asyncio.wait_for(self.exited(), timeout=5)

        async def terminate(self, restart: bool = False) -> None:
            if self.conn is None:
                return await super().terminate(restart)
            await self.send_signal(signal.SIGTERM)

    return WarmProvisioner


def __getattr__(name: str):
    """``WarmProvisioner``, the entry point's target, is made when it is first asked for."""
    if name == "WarmProvisioner":
        return provisioner_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
