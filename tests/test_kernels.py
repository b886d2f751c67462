"""Warm kernels (lib/kompetensrapport/pipeline/kernels.py): each notebook's kernel is forked from a server
that has imported the libraries once. What a reader gets must not depend on it, every kernel is
still its own process, and no kernel outlives the worker or the build that asked for it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, snapshot
from kompetensrapport.pipeline import execute, kernels

PROBE = """
import gc, json, os, sys
from ipykernel import get_connection_info
connection = get_connection_info(unpack=True)
print(json.dumps({"pid": os.getpid(), "pgid": os.getpgid(0), "ppid": os.getppid(), "cwd": os.getcwd(),
                  "pandas_loaded": "pandas" in sys.modules, "marker": os.environ.get("KR_TEST_MARKER"),
                  "transport": connection["transport"], "ip": connection["ip"], "frozen": gc.get_freeze_count()}))
"""


def probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def probe_result(executed: Path) -> dict:
    nb = nbformat.read(executed, as_version=4)
    return json.loads(nb.cells[-1].outputs[0]["text"])


def run(jobs, warm: bool):
    results = execute.run_all(jobs, 2, warm=warm)
    assert all(r.ok for r in results), [r.error for r in results]
    return results


def test_forked_kernels_give_the_same_pages_as_normal_kernels(tmp_path):
    """The real notebooks for two förvaltningar and the overview, byte for byte, with the files
    written beside them (downloads, figures)."""
    out = {}
    for warm in (True, False):
        folder = tmp_path / ("warm" if warm else "cold")
        jobs = [execute.Job(slug, str(ROOT / "notebooks/forvaltning.ipynb"), str(folder / f"{slug}.ipynb"),
                            {"ar": 2023, "forvaltning": slug, "avsnitt": sections, "root": str(ROOT)}, slug)
                for slug, sections in [("psykiatri-habilitering-hjalpmedel", ["kompetens", "handlingsplan", "hr"]),
                                       ("personalnamnden", ["budget", "fokus"])]]
        jobs.append(execute.Job("oversikt", str(ROOT / "notebooks/oversikt.ipynb"), str(folder / "oversikt.ipynb"),
                                {"ar": 2023, "root": str(ROOT)}, "Översikt"))
        run(jobs, warm)
        out[warm] = snapshot(folder)
    assert len(out[True]) > 10  # the notebooks and the files they wrote
    assert out[True].keys() == out[False].keys()
    differ = [name for name in out[True] if out[True][name] != out[False][name]]
    assert not differ, differ


def test_a_forked_kernel_is_its_own_process_in_the_output_folder(tmp_path, monkeypatch):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    monkeypatch.setenv("KR_TEST_MARKER", "from-the-build")
    with kernels.KernelServer() as server:
        assert server.ready(), "the kernel server did not start"
        jobs = [execute.Job(f"p{i}", str(nb), str(tmp_path / f"out{i}" / "probe.ipynb"), {}, "p",
                            kernel_server=server.ready()) for i in range(2)]
        run(jobs, warm=False)
        seen = [probe_result(Path(j.output)) for j in jobs]
        for job, facts in zip(jobs, seen):
            assert facts["ppid"] == server.proc.pid  # forked by the server ...
            assert facts["pandas_loaded"]  # ... which had imported the libraries
            # ... and put them out of the garbage collector's sight: no collection in the kernel
            # walks them (or copies their pages)
            assert facts["frozen"] > 10_000, facts["frozen"]
            assert facts["pgid"] == facts["pid"]  # its own process group (interrupts reach only it)
            assert facts["cwd"] == str(Path(job.output).parent)
            assert facts["marker"] == "from-the-build"  # the worker's environment, not the server's
            # Unix sockets in the server's private folder: no TCP port to race another kernel for
            assert facts["transport"] == "ipc" and Path(facts["ip"]).parent == Path(server.path).parent
        assert seen[0]["pid"] != seen[1]["pid"]


def test_without_the_server_a_normal_kernel_runs(tmp_path):
    nb = probe_notebook(tmp_path / "probe.ipynb")
    job = execute.Job("p", str(nb), str(tmp_path / "out" / "probe.ipynb"), {}, "p",
                      kernel_server=str(tmp_path / "no-such-server.sock"))
    run([job], warm=False)
    facts = probe_result(Path(job.output))
    assert not facts["pandas_loaded"]  # a fresh interpreter
    assert facts["frozen"] == 0
    assert facts["pgid"] == facts["pid"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_kernel_goes_when_its_worker_goes_and_all_go_with_the_server(tmp_path):
    """The provisioner's connection stands for the worker: closing it (the worker died) kills
    the kernel. Stopping the server kills the kernels it still has."""
    km_class = kernels.kernel_manager_class()

    async def start():
        km = km_class(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        return km

    with kernels.KernelServer() as server:
        kernels.use(server.ready())
        try:
            first, second = asyncio.run(start()), asyncio.run(start())
        finally:
            kernels.use(None)
        a, b = first.provisioner.process, second.provisioner.process
        assert _alive(a.pid) and _alive(b.pid)
        a.conn.close()  # what the operating system does when the worker process dies
        deadline = time.monotonic() + 10
        while _alive(a.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(a.pid), "the kernel outlived its worker"
        assert _alive(b.pid)
    deadline = time.monotonic() + 10
    while _alive(b.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(b.pid), "the kernel outlived the server"


async def ready_kernel(cwd: Path):
    """A kernel forked from the server in use, and a client it has answered."""
    km = kernels.kernel_manager_class()(kernel_name="python3")
    await km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


def test_an_interrupted_forked_kernel_raises_keyboard_interrupt(tmp_path):
    """SIGINT (jupyter_client's interrupt) must interrupt the running cell, as in a normal kernel,
    not kill the kernel or be ignored as in the server."""
    async def scenario():
        km, kc = await ready_kernel(tmp_path)
        msg_id = kc.execute("import time\nfor _ in range(600): time.sleep(0.1)")
        await asyncio.sleep(1.0)
        await km.interrupt_kernel()
        while True:
            reply = await kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        alive = await km.is_alive()
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return reply["content"], alive

    with kernels.KernelServer() as server:
        kernels.use(server.ready())
        try:
            content, alive = asyncio.run(scenario())
        finally:
            kernels.use(None)
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt", content
    assert alive


def test_a_forked_kernel_is_ready_for_its_first_output_and_killed_at_shutdown(tmp_path):
    """The manager's own ready check (a kernel_info reply and its idle status on IOPub) leaves
    no output behind: the first cell's output arrives. Shut down, the kernel is killed (exit
    status of SIGKILL), not asked to end itself, which ipykernel 7.4 can hang in."""
    async def scenario():
        km, kc = await ready_kernel(tmp_path)
        outputs = []
        reply = await kc.execute_interactive("print('först')", timeout=60, output_hook=outputs.append)
        process = km.provisioner.process
        await km.shutdown_kernel()  # papermill's graceful default
        kc.stop_channels()
        return reply, outputs, process

    with kernels.KernelServer() as server:
        kernels.use(server.ready())
        try:
            reply, outputs, process = asyncio.run(scenario())
        finally:
            kernels.use(None)
    assert reply["content"]["status"] == "ok"
    assert [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"] == ["först\n"]
    assert type(process).__name__ == "ForkedKernel" and process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_server_ends_with_its_parent(tmp_path, sig):
    """A server whose build is gone (killed) exits by itself."""
    import subprocess
    import sys

    script = ("import sys, time; from kompetensrapport import kernels\n"
              "s = kernels.KernelServer().__enter__(); print(s.proc.pid, flush=True); time.sleep(600)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server_pid = int(parent.stdout.readline())
    assert _alive(server_pid)
    os.kill(parent.pid, sig)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server_pid)


def test_the_fork_server_leaves_without_its_libraries_teardown(tmp_path):
    """The fork server the build's processes come from ends, once they are gone, without running
    the exit handlers of what it imported: their teardown would keep it (and the build's output
    streams, which it holds) busy for a third of a second after the build has returned."""
    import subprocess
    import sys

    imported, teardown = tmp_path / "imported", tmp_path / "teardown-ran"
    (tmp_path / "teardown_probe.py").write_text(
        "import atexit, pathlib\n"
        f"pathlib.Path({str(imported)!r}).write_text('yes')\n"
        f"atexit.register(pathlib.Path({str(teardown)!r}).write_text, 'ran')\n", encoding="utf-8")
    script = ("from multiprocessing import forkserver; from kompetensrapport import kernels\n"
              "context = kernels.fork_server(['teardown_probe'])\n"
              "child = context.Process(target=print); child.start(); child.join()\n"
              "print(forkserver._forkserver._forkserver_pid, flush=True)")
    # returns when every holder of its output has closed it: the fork server too
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    server = int(proc.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(server)
    assert imported.exists(), "the probe was not imported by the fork server"
    assert not teardown.exists(), "the fork server ran its libraries' exit handlers"

    # anywhere else the module does nothing: a process that imports it keeps its exit status
    other = subprocess.run([sys.executable, "-c", "import sys, kompetensrapport.pipeline._fork_server_exit; sys.exit(3)"],
                           capture_output=True, text=True, timeout=60)
    assert other.returncode == 3, other.stderr


def _plain(attrs: dict) -> dict:
    return {k: dict(v) if isinstance(v, dict) else v for k, v in attrs.items()}


def test_notebooks_reuse_the_builds_validation_only_for_the_same_files(tmp_path, monkeypatch):
    """The build hands its validated data to the notebooks (load.save_validated); load_year uses
    it only for the same project and unchanged files, and it equals a fresh validation."""
    import shutil

    import pandas as pd

    from kompetensrapport.inputs import load

    project = tmp_path / "p"
    shutil.copytree(ROOT / "data" / "2023", project / "data" / "2023")
    fresh = load.load_year(project, 2023)
    load.save_validated(tmp_path / "validated", project, 2023, fresh)
    monkeypatch.setenv(load.VALIDATED_ENV, str(tmp_path / "validated"))
    reused = load.load_year(project, 2023)
    assert reused.keys() == fresh.keys()
    for name in fresh:
        pd.testing.assert_frame_equal(reused[name], fresh[name])
        # the texts of numeric cells as written (load.Written) equal only themselves: compare contents
        assert _plain(reused[name].attrs) == _plain(fresh[name].attrs)
    # another project with the same year is not served the hand-off
    other = tmp_path / "other"
    shutil.copytree(project, other)
    assert load._validated(other, 2023) is None
    # a file changed after the build validated it: validated again, and the change is seen
    path = project / "data" / "2023" / "regionbidrag.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n", 1) + "\n", encoding="utf-8")
    assert load._validated(project, 2023) is None
    bad = path.read_text(encoding="utf-8").replace(",", ";", 1)
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(Exception) as err:
        load.load_year(project, 2023)
    assert "regionbidrag.csv" in str(err.value)


def test_the_notebooks_libraries_and_handed_over_data_need_no_pandera(tmp_path):
    """pandera takes a quarter of a second to import, pydantic (the parameter files' schema)
    a tenth. The kernel server preloads neither, and a build's notebook, which gets the data the
    build validated, never imports pandera."""
    import shutil
    import subprocess
    import sys

    from kompetensrapport.inputs import load

    project = tmp_path / "p"
    shutil.copytree(ROOT / "data" / "2023", project / "data" / "2023")
    load.save_validated(tmp_path / "validated", project, 2023, load.load_year(project, 2023))
    code = ("import importlib, json, sys; from pathlib import Path; "
            "from kompetensrapport import kernels, load; "
            "[importlib.import_module(m) for m in kernels.PRELOAD]; "
            "data = load.load_year(Path(sys.argv[1]), 2023); "
            "print(json.dumps([len(data), sorted(m for m in sys.modules if m.split('.')[0] in ('pandera', 'pydantic'))]))")
    env = {**os.environ, load.VALIDATED_ENV: str(tmp_path / "validated")}
    proc = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == [len(load.load_year(project, 2023)), []]
    # without the hand-off the same call validates, and then pandera is imported
    proc = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True,
                          env={k: v for k, v in env.items() if k != load.VALIDATED_ENV})
    assert json.loads(proc.stdout.splitlines()[-1])[1] != []
