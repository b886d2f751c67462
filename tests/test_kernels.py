"""Warm kernels (lib/kompetensrapport/pipeline/warm.py): each notebook's worker and kernel are
forked from a server that has imported the libraries once, through jupyter_client's public
provisioner interface. What a reader gets must not depend on it, every kernel is still its own
process, no kernel outlives the build, and without the server the notebooks run as before."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, snapshot
from kompetensrapport.pipeline import execute, warm

PROBE = """
import gc, json, os, sys
from ipykernel import get_connection_info
connection = get_connection_info(unpack=True)
print(json.dumps({"pid": os.getpid(), "pgid": os.getpgid(0), "ppid": os.getppid(), "cwd": os.getcwd(),
                  "pandas_loaded": "pandas" in sys.modules, "marker": os.environ.get("KR_TEST_MARKER"),
                  "transport": connection["transport"], "ip": connection["ip"], "frozen": gc.get_freeze_count()}))
"""


def notebook(path: Path, source: str = PROBE) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def probe_result(executed: str) -> dict:
    nb = nbformat.read(executed, as_version=4)
    return json.loads(nb.cells[-1].outputs[0]["text"])


def probe_jobs(tmp_path: Path, n: int = 2) -> list[execute.Job]:
    nb = notebook(tmp_path / "probe.ipynb")
    return [execute.Job(f"p{i}", str(nb), str(tmp_path / f"out{i}" / "probe.ipynb"), {}, "p") for i in range(n)]


def run(jobs, server):
    results = execute.run_all(jobs, 2, server=server)
    assert all(r.ok for r in results), [r.error for r in results]
    return results


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _gone(pids, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(map(_alive, pids))


def test_the_provisioner_is_registered_under_jupyter_clients_entry_point_group():
    from importlib.metadata import entry_points

    from jupyter_client.provisioning import KernelProvisionerBase

    found = [ep for ep in entry_points(group="jupyter_client.kernel_provisioners") if ep.name == warm.PROVISIONER]
    assert len(found) == 1, "reinstall the package: pip install -e ."
    assert found[0].value == "kompetensrapport.pipeline.warm:WarmProvisioner"
    assert issubclass(found[0].load(), KernelProvisionerBase)
    assert warm.registered()


def test_forked_kernels_give_the_same_pages_as_normal_kernels(tmp_path):
    """The real notebooks for two förvaltningar and the overview, byte for byte, with the files
    written beside them (downloads, figures)."""
    out = {}
    for kind in ("warm", "normal"):
        folder = tmp_path / kind
        jobs = [execute.Job(slug, str(ROOT / "notebooks/forvaltning.ipynb"), str(folder / f"{slug}.ipynb"),
                            {"ar": 2023, "forvaltning": slug, "avsnitt": sections, "root": str(ROOT)}, slug)
                for slug, sections in [("psykiatri-habilitering-hjalpmedel", ["kompetens", "handlingsplan", "hr"]),
                                       ("personalnamnden", ["budget", "fokus"])]]
        jobs.append(execute.Job("oversikt", str(ROOT / "notebooks/oversikt.ipynb"), str(folder / "oversikt.ipynb"),
                                {"ar": 2023, "root": str(ROOT)}, "Översikt"))
        if kind == "warm":
            with warm.Server() as server:
                assert server.ready(), "the warm server did not start"
                run(jobs, server)
        else:
            run(jobs, None)
        out[kind] = snapshot(folder)
    assert len(out["warm"]) > 10  # the notebooks and the files they wrote
    assert out["warm"].keys() == out["normal"].keys()
    differ = [name for name in out["warm"] if out["warm"][name] != out["normal"][name]]
    assert not differ, differ


def test_a_forked_kernel_is_its_own_process_in_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KR_TEST_MARKER", "from-the-build")
    jobs = probe_jobs(tmp_path)
    with warm.Server() as server:
        assert server.ready(), "the warm server did not start"
        run(jobs, server)
        seen = [probe_result(job.output) for job in jobs]
        for job, facts in zip(jobs, seen):
            assert facts["ppid"] == server.proc.pid  # forked by the server ...
            assert facts["pandas_loaded"]  # ... which had imported the libraries
            # ... and put them out of the garbage collector's sight
            assert facts["frozen"] > 10_000, facts["frozen"]
            assert facts["pgid"] == facts["pid"]  # its own process group (interrupts reach only it)
            assert facts["cwd"] == str(Path(job.output).parent)
            assert facts["marker"] == "from-the-build"  # the build's environment, not the server's
            # Unix sockets in the server's private folder: no TCP port to race another kernel for
            assert facts["transport"] == "ipc" and Path(facts["ip"]).parent == Path(server.path).parent
        assert seen[0]["pid"] != seen[1]["pid"]
    assert not Path(server.folder).exists(), "the server's private folder is left behind"


def assert_normal_kernel(facts: dict) -> None:
    assert not facts["pandas_loaded"]  # a fresh interpreter
    assert facts["frozen"] == 0
    assert facts["pgid"] == facts["pid"]
    assert facts["transport"] == "tcp"


def test_without_a_server_normal_workers_and_kernels_run(tmp_path):
    jobs = probe_jobs(tmp_path, 1)
    run(jobs, None)
    assert_normal_kernel(probe_result(jobs[0].output))


def test_when_the_server_is_gone_the_provisioner_starts_a_normal_kernel(tmp_path):
    """A server that died after the build set up its kernel spec: the worker is a new Python and
    the provisioner named in the spec starts jupyter_client's normal kernel."""
    jobs = probe_jobs(tmp_path, 1)
    with warm.Server() as server:
        assert server.ready()
        server.proc.kill()  # its folder and kernel spec stay; its socket answers no more
        server.proc.wait()
        run(jobs, server)
    assert_normal_kernel(probe_result(jobs[0].output))


def test_without_the_entry_point_the_build_says_so_once_and_runs_normal_kernels(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(warm, "registered", lambda: False)
    jobs = probe_jobs(tmp_path, 1)
    with warm.Server() as server:
        assert not server.ready()
        run(jobs, server)
    assert capsys.readouterr().err.splitlines() == [warm.NOT_REGISTERED]
    assert_normal_kernel(probe_result(jobs[0].output))


@pytest.mark.parametrize("warm_kernels", [True, False], ids=["warm", "normal"])
def test_workers_and_kernels_end_when_the_build_is_killed(tmp_path, warm_kernels):
    """The build (here a script running two notebooks that sleep) is killed: the server, its
    workers and their kernels end by themselves; so do the workers and kernels started without
    a server."""
    pids = tmp_path / "pids"
    pids.mkdir()
    nb = notebook(tmp_path / "sleep.ipynb", "import os, pathlib, time\n"
                  f"pathlib.Path({str(pids)!r}, str(os.getpid())).write_text(os.environ['JPY_PARENT_PID'])\n"
                  "time.sleep(600)")
    script = ("import sys; from kompetensrapport.pipeline import execute, warm\n"
              f"server = warm.Server().start() if {warm_kernels} else None\n"
              "print(server.proc.pid if server and server.ready() else 0, flush=True)\n"
              f"jobs = [execute.Job(str(i), {str(nb)!r}, f'{tmp_path}/out{{i}}/sleep.ipynb', {{}}, 'x') for i in range(2)]\n"
              "execute.run_all(jobs, 2, server=server)")
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server = int(build.stdout.readline())
    assert bool(server) == warm_kernels
    deadline = time.monotonic() + 120
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        assert build.poll() is None
        time.sleep(0.1)
    kernels = [int(p.name) for p in pids.iterdir()]
    assert len(kernels) == 2 and all(map(_alive, kernels))
    workers = [int((pids / str(k)).read_text()) for k in kernels]  # what asked for the kernel
    assert all(map(_alive, workers))
    build.kill()
    build.wait()
    left = [pid for pid in [server, *workers, *kernels] if pid and not _gone([pid])]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "processes outlived the killed build"


async def ready_kernel(cwd: Path):
    """A kernel of the warm kernel spec (found on JUPYTER_PATH), and a client it has answered."""
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=warm.KERNEL)
    await km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


def test_an_interrupted_forked_kernel_raises_keyboard_interrupt_and_is_killed_at_shutdown(tmp_path, monkeypatch):
    """SIGINT (jupyter_client's interrupt) interrupts the running cell, as in a normal kernel; the
    kernel is forked (its parent is the server); shut down, it is killed and reported so."""
    async def scenario(server):
        km, kc = await ready_kernel(tmp_path)
        assert km.provisioner.pid is not None and os.getppid() != km.provisioner.pid
        forked_by = int(Path(f"/proc/{km.provisioner.pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        msg_id = kc.execute("import time\nfor _ in range(600): time.sleep(0.1)")
        await asyncio.sleep(1.0)
        await km.interrupt_kernel()
        while True:
            reply = await kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        alive = await km.is_alive()
        provisioner = km.provisioner
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return reply["content"], alive, forked_by, provisioner.exit_code

    with warm.Server() as server:
        monkeypatch.setenv("JUPYTER_PATH", server.env(dict(os.environ))["JUPYTER_PATH"])
        content, alive, forked_by, exit_code = asyncio.run(scenario(server))
        assert forked_by == server.proc.pid
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt", content
    assert alive
    assert exit_code == -signal.SIGKILL


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
    a tenth. The warm server preloads neither, and a build's notebook, which gets the data the
    build validated, never imports pandera."""
    import shutil

    from kompetensrapport.inputs import load

    project = tmp_path / "p"
    shutil.copytree(ROOT / "data" / "2023", project / "data" / "2023")
    load.save_validated(tmp_path / "validated", project, 2023, load.load_year(project, 2023))
    code = ("import importlib, json, sys; from pathlib import Path; "
            "from kompetensrapport.pipeline import warm; from kompetensrapport.inputs import load; "
            "[importlib.import_module(m) for m in warm.PRELOAD]; "
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
