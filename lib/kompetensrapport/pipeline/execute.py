"""Running notebooks with papermill, each in its own process.

papermill is safe across processes, while several kernels launched from one process's pool can
race; so every notebook runs in a fresh worker process (``max_tasks_per_child=1``), forked from a
multiprocessing fork server that has imported papermill once. Each notebook's kernel is forked
from a :class:`~kompetensrapport.pipeline.kernels.KernelServer` that has imported the notebooks'
libraries once (``warm=False`` starts normal kernels). The executed notebook gets a YAML
front-matter cell for Quarto (title, ``lang: sv``, code hidden) and its code cells are tagged
``remove-input`` and hidden, so readers see only the results.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from kompetensrapport.pipeline import kernels

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
    kernel_server: str = ""  # socket of a KernelServer to fork the kernel from (empty: a normal kernel)
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
    """Front matter for Quarto, code hidden, papermill's run metadata made reproducible."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
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
    extra = {}
    if job.kernel_server:
        kernels.use(job.kernel_server)
        extra["kernel_manager_class"] = kernels.kernel_manager_class()
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                # shutdown_kernel="immediate": the kernel is killed once the last cell has replied
                # (nothing is left to do or save); asked to end itself, ipykernel 7.4 sometimes
                # hangs until jupyter_client sends SIGTERM 2.5 s later (see kernels.py)
                pm.execute_notebook(job.notebook, str(out), parameters=job.parameters, cwd=str(out.parent),
                                    kernel_name=KERNEL, progress_bar=False, log_output=False,
                                    request_save_on_cell_execute=False, start_timeout=START_TIMEOUT,
                                    shutdown_kernel="immediate", **extra)
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


#: What the worker processes' fork server imports once (each worker then starts with them);
#: the last one runs :func:`warm_worker`.
WORKER_PRELOAD = ["papermill", "nbformat", "jupyter_client.manager", "kompetensrapport.pipeline.execute",
                  "kompetensrapport.pipeline._worker_preload"]


def warm_worker() -> None:
    """Do once, in the workers' fork server, what every papermill run would otherwise do first in
    its own worker (0.15 s each): compile nbformat's notebook schema, find the kernel spec (which
    imports IPython and ipykernel's kernelspec), read the kernel provisioners' entry points and
    list this machine's addresses (which imports psutil)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.localinterfaces import local_ips
    from jupyter_client.provisioning import KernelProvisionerFactory
    from nbformat.validator import get_validator

    get_validator(version=nbformat.current_nbformat, version_minor=nbformat.current_nbformat_minor)
    KernelSpecManager().get_kernel_spec(KERNEL)
    KernelProvisionerFactory.instance()
    local_ips()


def prepare_workers(warm: bool = False):
    """Start the fork server of the worker processes now (it imports in the background, while
    the caller does other work); returns the multiprocessing context to make workers with. With
    ``warm`` it also imports what the kernels need, for the kernel server, which is then one
    more of its children (see :func:`kernels.fork_server`)."""
    return kernels.fork_server(WORKER_PRELOAD + ([kernels.KERNEL_PRELOAD] if warm else []))


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


def run_all(jobs: list[Job], workers: int, on_done=None, warm: bool = True, log: str | None = None,
            server: kernels.KernelServer | None = None) -> list[Result]:
    """Run jobs, each in its own process, ``workers`` at a time. ``on_done(result, n, total)``
    is called as each finishes. Results come back in the order of ``jobs``. With ``warm`` the
    kernels are forked from a :class:`~kompetensrapport.pipeline.kernels.KernelServer`: ``server`` when
    the caller started one (it stays the caller's to stop), else one started here (its stderr
    goes to ``log``)."""
    if not jobs:
        return []
    if warm and server is None:
        with kernels.KernelServer(log=log, context=prepare_workers(warm=True)) as own:
            return run_all(jobs, workers, on_done, warm=True, server=own)
    socket = server.ready() if warm else None
    if socket:
        jobs = [dataclasses.replace(j, kernel_server=socket) for j in jobs]
    results: dict[str, Result] = {}
    workers = max(1, min(workers, len(jobs)))
    env_before = os.environ.get("PYDEVD_DISABLE_FILE_VALIDATION")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence debugpy's warning in kernels
    pool = ProcessPoolExecutor(max_workers=workers, max_tasks_per_child=1, mp_context=prepare_workers(warm))
    env = dict(os.environ)
    jobs = [dataclasses.replace(j, env=env) if j.env is None else j for j in jobs]
    futures: dict = {}
    try:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for n, fut in enumerate(as_completed(futures), 1):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as e:  # the worker process died
                res = Result(job.key, False, 0.0, job.output, error=f"worker process failed: {e}")
            results[job.key] = res
            if on_done:
                on_done(res, n, len(jobs))
    except BaseException:  # Ctrl-C (KeyboardInterrupt): stop now, do not run the rest of the queue
        _stop(pool, futures)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        if env_before is None:
            os.environ.pop("PYDEVD_DISABLE_FILE_VALIDATION", None)
    return [results[j.key] for j in jobs]


def _stop(pool: ProcessPoolExecutor, futures) -> None:
    """Cancel the notebooks not yet started and end the running workers; their kernels notice
    that their parent is gone and exit."""
    for fut in futures:
        fut.cancel()
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
