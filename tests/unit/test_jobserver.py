"""gtflow.jobserver: a job hands its step to a process forked from the server, which runs it as
the job would (folder, environment, streams, log, exit status); without a reachable server the
job runs the step itself; the server ends with the run that started it.

Each test runs real processes: a server (``python -m gtflow.jobserver``) and jobs that call
:func:`gtflow.runner.run_job` as the Snakemake script adapters do."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gtflow import jobserver

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the job server needs fork (POSIX)")

STEPS = '''
import json, os, signal, sys, time
from gtflow.errors import InputError

def describe(out, **kwargs):
    import gc
    print("printed by the step")
    with open(out, "w") as handle:
        json.dump({"pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(),
                   "collecting": gc.isenabled(), "frozen": gc.get_freeze_count(),
                   "variable": os.environ.get("JOB_ONLY_VARIABLE"), "kwargs": kwargs,
                   "pandas_loaded_before": "pandas" in PRELOADED_CHECK}, handle)

PRELOADED_CHECK = set(sys.modules)

def where(out, **kwargs):
    with open(out, "w") as handle:
        json.dump({"ppid": os.getppid()}, handle)

def refuse(out):
    raise InputError("data/raw/posts.csv", "has no 'text' column", line=1)

def crash(out):
    raise ValueError("a bug in the step")

def die(out):
    os.kill(os.getpid(), signal.SIGKILL)

def wait(out, seconds):
    with open(out, "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(seconds)
    with open(out + ".done", "w") as handle:
        handle.write("done")
'''


@pytest.fixture
def steps_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "steps"
    folder.mkdir()
    (folder / "steps_for_test.py").write_text(STEPS, encoding="utf-8")
    return folder


def environment(steps_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(jobserver.ADDRESS_VARIABLE, None)
    env["PYTHONPATH"] = os.pathsep.join([str(steps_dir), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.fixture
def server(tmp_path: Path, steps_dir: Path):
    address = str(tmp_path / "server" / "jobs")
    Path(address).parent.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "gtflow.jobserver", address, str(os.getpid())],
                               env=environment(steps_dir))
    wait_for(lambda: os.path.exists(address))
    yield address, process
    process.terminate()
    process.wait(30)


def run_job(target: str, workdir: Path, steps_dir: Path, address: str | None,
            **kwargs) -> subprocess.CompletedProcess:
    """A job's process, as a Snakemake script adapter runs it."""
    code = textwrap.dedent(f"""
        from gtflow.runner import run_job
        run_job({target!r}, log="step.log", **{kwargs!r})
    """)
    extra = {"JOB_ONLY_VARIABLE": "set by the job"}
    if address is not None:
        extra[jobserver.ADDRESS_VARIABLE] = address
    return subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True,
                          env=environment(steps_dir, **extra), timeout=120, check=False)


def test_the_step_runs_in_a_process_forked_from_the_server_as_the_job(server, tmp_path, steps_dir):
    address, process = server
    workdir = tmp_path / "study"
    workdir.mkdir()
    job = run_job("steps_for_test:describe", workdir, steps_dir, address, out="seen.json",
                  extra=["a", 1])
    assert job.returncode == 0, job.stderr
    seen = json.loads((workdir / "seen.json").read_text())
    assert seen["ppid"] == process.pid  # forked by the server, not run by the job itself
    assert seen["cwd"] == str(workdir)
    assert seen["variable"] == "set by the job"
    assert seen["kwargs"] == {"extra": ["a", 1]}
    assert seen["pandas_loaded_before"], "the server should have loaded pandas before the fork"
    assert seen["collecting"], "the step's process collects garbage, as in a job's own process"
    assert seen["frozen"] > 10_000, "the server's loaded objects should be out of the collector's reach"
    assert "printed by the step" in job.stdout  # the job's own standard output
    log = (workdir / "step.log").read_text()
    assert "forked from the run's job server" in log
    assert "step took" in log and "start-up CPU" in log


def test_an_input_error_is_one_line_and_exit_status_1(server, tmp_path, steps_dir):
    address, _ = server
    job = run_job("steps_for_test:refuse", tmp_path, steps_dir, address, out="x")
    assert job.returncode == 1
    line = "gtflow: data/raw/posts.csv, line 1: has no 'text' column"
    assert job.stderr.strip().splitlines() == [line]
    assert (tmp_path / "step.log").read_text().strip().endswith(line)


def test_a_bug_in_the_step_keeps_its_traceback(server, tmp_path, steps_dir):
    address, _ = server
    job = run_job("steps_for_test:crash", tmp_path, steps_dir, address, out="x")
    assert job.returncode == 1
    assert "Traceback" in job.stderr and "ValueError: a bug in the step" in job.stderr


def test_a_step_process_that_is_killed_fails_the_job(server, tmp_path, steps_dir):
    address, _ = server
    job = run_job("steps_for_test:die", tmp_path, steps_dir, address, out="x")
    assert job.returncode == 1
    assert "ended without reporting" in job.stderr


@pytest.mark.parametrize("address", [None, "off", "missing"])
def test_without_a_reachable_server_the_job_runs_its_step_itself(address, tmp_path, steps_dir):
    if address == "missing":
        address = str(tmp_path / "no-server-here")
    job = run_job("steps_for_test:describe", tmp_path, steps_dir, address, out="seen.json")
    assert job.returncode == 0, job.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["ppid"] == os.getpid()  # the job's process itself, a child of this test
    log = (tmp_path / "step.log").read_text()
    assert "step took" in log and "job server" not in log


def test_stopping_the_job_stops_its_step(server, tmp_path, steps_dir):
    address, _ = server
    code = "from gtflow.runner import run_job\nrun_job('steps_for_test:wait', out='pid', seconds=60)"
    env = environment(steps_dir, **{jobserver.ADDRESS_VARIABLE: address})
    job = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env)
    wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text())
    step = int((tmp_path / "pid").read_text())
    assert step != job.pid
    job.send_signal(signal.SIGTERM)  # as Snakemake stops a job
    assert job.wait(30) != 0
    wait_for(lambda: not process_exists(step), 30)
    assert not (tmp_path / "pid.done").exists()


def test_a_job_killed_outright_takes_its_step_with_it(server, tmp_path, steps_dir):
    address, _ = server
    code = "from gtflow.runner import run_job\nrun_job('steps_for_test:wait', out='pid', seconds=60)"
    env = environment(steps_dir, **{jobserver.ADDRESS_VARIABLE: address})
    job = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env)
    wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text())
    step = int((tmp_path / "pid").read_text())
    job.kill()  # SIGKILL: nothing to pass on
    job.wait(30)
    wait_for(lambda: not process_exists(step), 30)
    assert not (tmp_path / "pid.done").exists()


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent has yet to collect it.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_stop_waits_for_the_running_steps_and_removes_the_address(tmp_path, steps_dir, monkeypatch):
    monkeypatch.delenv(jobserver.ADDRESS_VARIABLE, raising=False)
    monkeypatch.setenv("PYTHONPATH", environment(steps_dir)["PYTHONPATH"])
    process = jobserver.start()
    try:
        address = os.environ[jobserver.ADDRESS_VARIABLE]
        wait_for(lambda: os.path.exists(address))
        code = "from gtflow.runner import run_job\nrun_job('steps_for_test:wait', out='pid', seconds=1)"
        one_thread = dict.fromkeys(jobserver.THREAD_VARIABLES, "1")  # as Snakemake sets them
        job = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path,
                               env={**os.environ, **one_thread})
        wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text())
        assert int((tmp_path / "pid").read_text()) != job.pid, "the step should run on the server"
    finally:
        jobserver.stop()
    assert process.returncode == 0
    assert (tmp_path / "pid.done").exists(), "stop() returned before the running step ended"
    assert job.wait(30) == 0
    assert not os.path.exists(os.path.dirname(address))
    assert jobserver.ADDRESS_VARIABLE not in os.environ


def test_the_server_ends_when_the_run_that_started_it_is_gone(tmp_path):
    # A run killed outright calls neither onsuccess nor onerror.
    code = textwrap.dedent("""
        import os, sys
        from gtflow import jobserver
        process = jobserver.start()
        print(process.pid, os.environ[jobserver.ADDRESS_VARIABLE], flush=True)
        os._exit(0)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != jobserver.ADDRESS_VARIABLE})
    pid, address = run.stdout.split()
    wait_for(lambda: not process_exists(int(pid)), 60)
    assert not os.path.exists(address)


@pytest.mark.parametrize(("before", "arguments", "variables"), [
    # another environment, as with --use-conda or a container: the server's packages are not the job's
    ("import sys\nsys.prefix = '/another/environment'\n", "", {}),
    # other thread counts than the server's (started without thread variables)
    ("", "", {"OMP_NUM_THREADS": "4"}),
    # an argument that cannot be handed over
    ("", ", unpicklable=lambda: None", {}),
], ids=["another-environment", "other-thread-counts", "unpicklable-argument"])
def test_a_job_the_server_cannot_serve_runs_its_step_itself(before, arguments, variables, server,
                                                           tmp_path, steps_dir):
    address, _ = server
    code = (f"{before}from gtflow.runner import run_job\n"
            f"run_job('steps_for_test:where', out='seen.json'{arguments})")
    env = environment(steps_dir, **variables, **{jobserver.ADDRESS_VARIABLE: address})
    job = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert job.returncode == 0, job.stderr
    assert json.loads((tmp_path / "seen.json").read_text())["ppid"] == os.getpid()


def test_a_temporary_folder_too_deep_for_a_socket_starts_no_server(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.delenv(jobserver.ADDRESS_VARIABLE, raising=False)
    assert jobserver.start() is None
    assert jobserver.ADDRESS_VARIABLE not in os.environ
    assert list(deep.iterdir()) == []


def test_switched_off_or_remote_runs_start_no_server(monkeypatch):
    monkeypatch.setenv(jobserver.ADDRESS_VARIABLE, "off")
    assert jobserver.start() is None
    assert os.environ[jobserver.ADDRESS_VARIABLE] == "off"

    class ClusterRun:
        local_exec = False

    monkeypatch.delenv(jobserver.ADDRESS_VARIABLE)
    assert jobserver.start_for(ClusterRun()) is None
    assert jobserver.ADDRESS_VARIABLE not in os.environ


def test_freed_memory_is_returned_at_once_where_arrow_has_jemalloc():
    pa = pytest.importorskip("pyarrow")
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow is built without jemalloc")
    code = ("import sys\nfrom gtflow.jobserver import return_freed_memory_at_once as f\n"
            "before = f()\nimport pyarrow\nprint(before, f())")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "True"]  # nothing to set before pyarrow is loaded


def test_a_named_step_resolves_to_its_function():
    from gtflow.runner import run_step

    assert jobserver.resolve("gtflow.runner:run_step") is run_step


def adapter_targets() -> dict[str, str]:
    """Script adapter -> the step it names in run_job("module:function", ...)."""
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    targets = {}
    for script in sorted(scripts.glob("*.py")):
        found = re.findall(r'run_job\(\s*"([\w.]+:\w+)"', script.read_text(encoding="utf-8"))
        assert len(found) == 1, f"{script.name} should name one step in run_job"
        targets[script.name] = found[0]
    return targets


def test_every_adapter_names_a_step_that_exists_and_that_the_server_preloads():
    targets = adapter_targets()
    assert len(targets) >= 20
    for script, target in targets.items():
        assert callable(jobserver.resolve(target)), script
        assert target.partition(":")[0] in jobserver.PRELOADED, f"{script}: {target} not preloaded"
