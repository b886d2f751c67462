"""Running notebooks with papermill, each in its own worker process and its own kernel.

Every notebook runs in a fresh worker process: one forked by the warm server
(:class:`~kompetensrapport.pipeline.warm.Server`, which has imported papermill and the notebooks'
libraries once), which also forks the notebook's kernel; or, without that server, a new Python
process (``python -m kompetensrapport.pipeline.execute``) with a normal kernel. The executed
notebook gets a YAML front-matter cell for Quarto (title, ``lang: sv``, code hidden) and its code
cells are tagged ``remove-input`` and hidden, so readers see only the results.
"""

from __future__ import annotations

import dataclasses
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

KERNEL = "python3"
KERNEL_START_ATTEMPTS = 3
START_TIMEOUT = 180  # seconds for a kernel to start on a busy machine


def _kernel_start_failure(e: BaseException) -> bool:
    text = str(e)
    return "Kernel died before replying to kernel_info" in text or "kernel_info" in text or "Kernel didn't respond" in text


@dataclass(frozen=True)
class Job:
    """One notebook to run: ``notebook`` with ``parameters`` into ``output``, kernel cwd = output's folder."""

    key: str  # the förvaltning slug, or "oversikt"
    notebook: str
    output: str
    parameters: dict
    title: str
    front_matter: dict = field(default_factory=dict)
    log: str = ""  # where the worker's and kernel's stderr go (empty: inherit)
    kernel: str = KERNEL  # the kernel spec (run_all: the warm server's when it runs)
    env: dict | None = None  # the environment for the worker and its kernel (run_all: the caller's)


@dataclass
class Result:
    key: str
    ok: bool
    seconds: float
    output: str
    error: str = ""  # the failing cell's error, one line
    cell: int | None = None  # execution count of the failing cell
    detail: str = ""  # full traceback (for --debug)


def front_matter(job: Job) -> str:
    import yaml

    meta = {"title": job.title, "lang": "sv", "execute": {"echo": False, "enabled": False}}
    meta.update(job.front_matter)
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def _postprocess(path: Path, job: Job) -> None:
    """Front matter for Quarto, code hidden, papermill's run metadata made reproducible. The
    notebook's Markdown cells are its outline for analysts (a heading per section, also for the
    sections a page does not have); readers get their headings from the sections' output, so the
    executed notebook keeps none of them."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.cell_type != "markdown"]
    for i, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "remove-input" not in tags:
                tags.append("remove-input")
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            # timestamps make two builds of the same input differ; drop them
            cell.metadata.pop("execution", None)
            cell.metadata.get("papermill", {}).clear()
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    nb.metadata.get("papermill", {}).pop("input_path", None)
    nb.metadata.get("papermill", {}).pop("output_path", None)
    nb.metadata.get("papermill", {}).pop("environment_variables", None)
    front = nbformat.v4.new_raw_cell(front_matter(job))
    front["id"] = "front-matter"
    nb.cells.insert(0, front)
    nbformat.write(nb, path)


def run_job(job: Job) -> Result:
    """Run one notebook (in the current process). Never raises: failures come back in Result."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    if job.env is not None:  # the worker was forked from a server started with an older environment
        os.environ.clear()
        os.environ.update(job.env)
    out = Path(job.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if job.log:
        # the kernel inherits this process's stderr: keep its chatter in a log, off the terminal
        Path(job.log).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(job.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                # shutdown_kernel="immediate": the kernel is killed once the last cell has replied
                # (nothing is left to do or save); asked to end itself, ipykernel 7.4 sometimes
                # hangs until jupyter_client sends SIGTERM 2.5 s later
                pm.execute_notebook(job.notebook, str(out), parameters=job.parameters, cwd=str(out.parent),
                                    kernel_name=job.kernel, progress_bar=False, log_output=False,
                                    request_save_on_cell_execute=False, start_timeout=START_TIMEOUT,
                                    shutdown_kernel="immediate")
                break
            except (RuntimeError, TimeoutError) as e:
                # Kernels started at the same moment by parallel workers can pick the same free
                # port (jupyter_client releases it before the kernel binds it); the kernel then dies
                # before it replies. Nothing ran yet, so starting again is safe.
                if attempt == KERNEL_START_ATTEMPTS or not _kernel_start_failure(e):
                    raise
                time.sleep(0.5 * attempt)
        _postprocess(out, job)
    except PapermillExecutionError as e:
        last = (e.evalue or "").strip().splitlines()
        return Result(job.key, False, time.perf_counter() - start, str(out),
                      error=f"{e.ename}: {last[-1] if last else ''}", cell=e.exec_count,
                      detail="\n".join(e.traceback or []))
    except Exception as e:  # kernel died, notebook missing, ...
        return Result(job.key, False, time.perf_counter() - start, str(out),
                      error=f"{type(e).__name__}: {e}", detail=traceback.format_exc())
    return Result(job.key, True, time.perf_counter() - start, str(out))


def longest_first(jobs: list[Job], seconds: dict[str, float]) -> list[Job]:
    """The jobs in the order to start them: the longest first, as the last build timed them
    (``seconds``: key -> seconds), so that the workers finish together instead of one running
    alone at the end. Jobs never timed go first (they may be long), the overview first among
    them (it reads every file); ties keep their order.

    >>> [j.key for j in longest_first([Job(k, "", "", {}, k) for k in "abc"], {"a": 1.0, "b": 2.0})]
    ['c', 'b', 'a']
    """
    def rank(job: Job):
        known = seconds.get(job.key)
        if isinstance(known, (int, float)):
            return (1, -float(known))
        return (0, 0 if job.key == "oversikt" else 1)

    return sorted(jobs, key=rank)


def run_all(jobs: list[Job], workers: int, on_done=None, server=None) -> list[Result]:
    """Run jobs, each in its own worker process, ``workers`` at a time. ``on_done(result, n,
    total)`` is called as each finishes. Results come back in the order of ``jobs``. With a
    ``server`` (:class:`~kompetensrapport.pipeline.warm.Server`) that runs, the workers and kernels
    are forked from it; else they are new processes. Interrupted (Ctrl-C), it ends the running
    workers (and so their kernels) and starts no more."""
    if not jobs:
        return []
    warm_server = server if server is not None and server.ready() else None
    kernel = warm_server.kernel if warm_server else KERNEL

    def prepared(job: Job) -> Job:
        env = {**(job.env or os.environ), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}  # silence debugpy
        return dataclasses.replace(job, env=warm_server.env(env) if warm_server else env, kernel=kernel)

    jobs = [prepared(j) for j in jobs]
    results: dict[str, Result] = {}
    pending, running = list(jobs), []
    sel = selectors.DefaultSelector()
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                worker = Worker(pending.pop(0), warm_server)
                running.append(worker)
                sel.register(worker, selectors.EVENT_READ)
            for key, _ in sel.select():
                res = key.fileobj.read()
                if res is not None:
                    sel.unregister(key.fileobj)
                    running.remove(key.fileobj)
                    key.fileobj.stop()
                    results[res.key] = res
                    if on_done:
                        on_done(res, len(results), len(jobs))
    except BaseException:  # Ctrl-C (KeyboardInterrupt): stop now, do not run the rest of the queue
        for worker in running:
            worker.stop()
        raise
    finally:
        sel.close()
    return [results[j.key] for j in jobs]


class Worker:
    """The process that runs one job: forked by the warm ``server``, or else a new Python."""

    def __init__(self, job: Job, server=None):
        self.job, self.data, self.proc = job, b"", None
        forked = server.run(dataclasses.asdict(job)) if server is not None else None
        self.conn = forked[0] if forked else None
        if self.conn is None:
            log = open(job.log, "w") if job.log else None
            try:
                # its own session: Ctrl-C at the terminal is the build's to handle (it stops us)
                self.proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=log, env=job.env,
                                             start_new_session=True)
            finally:
                if log:
                    log.close()
            # stdin stays open: the worker ends when it closes (stop(), or the build was killed)
            self.proc.stdin.write(json.dumps(dataclasses.asdict(job)).encode() + b"\n")
            self.proc.stdin.flush()

    def fileno(self) -> int:
        return (self.conn or self.proc.stdout).fileno()

    def read(self) -> Result | None:
        """Read what the worker sent; its Result once complete, else None."""
        if self.conn is not None:
            return self.result(self.conn.recv(1 << 20))  # the result, or the server's exit report
        chunk = os.read(self.fileno(), 1 << 16)
        if chunk:
            self.data += chunk
            return None
        self.proc.stdout.close()
        self.proc.wait()
        return self.result(self.data)

    def result(self, data: bytes) -> Result:
        try:
            fields = json.loads(data or b"{}")
        except ValueError:
            fields = {}
        if "key" in fields:
            return Result(**fields)
        status = fields.get("exit", self.proc.returncode if self.proc else "unknown")
        return Result(self.job.key, False, 0.0, self.job.output, error=f"worker process failed (exit status {status})")

    def stop(self) -> None:
        """End the worker if it still runs: the server kills a forked one (and its kernel) when
        its connection closes; a new Python gets SIGTERM, which ends its run and its kernel."""
        if self.conn is not None:
            self.conn.close()
        else:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def main() -> None:
    """A worker without the warm server: the job (a line of JSON) on stdin, the result (JSON) on
    stdout. It ends at once when stdin closes (the build stopped it or is gone); its kernel,
    which polls its parent, follows."""
    import threading

    job = Job(**json.loads(sys.stdin.readline()))
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(1)), daemon=True).start()
    result = run_job(job)
    sys.stdout.write(json.dumps(dataclasses.asdict(result)))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
