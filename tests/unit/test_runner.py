"""gtflow.runner.run_step: input and configuration errors are one line and exit 1; bugs keep
their traceback."""

from __future__ import annotations

import dataclasses
import re
import sys

import pytest

from gtflow.errors import ConfigError, InputError
from gtflow.runner import run_step


def fail_with(error: Exception):
    def step() -> None:
        raise error
    return step


@pytest.mark.parametrize(("error", "line"), [
    (InputError("data/raw/a.md", "lacks date", line=2), "gtflow: data/raw/a.md, line 2: lacks date"),
    (ConfigError("report.cjk_font", "no such font"),
     "gtflow: config/config.yaml, key 'report.cjk_font': no such font"),
])
def test_reported_errors_are_one_line_in_stderr_and_log(error, line, tmp_path, capsys):
    log = tmp_path / "step.log"
    with pytest.raises(SystemExit) as exit_:
        run_step(fail_with(error), log=log)
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [line]
    assert log.read_text(encoding="utf-8").strip().endswith(line)


def test_a_programming_error_surfaces_as_itself():
    with pytest.raises(ValueError, match="n_boot"):
        run_step(fail_with(ValueError("n_boot must be >= 1")))


def test_a_step_logs_its_time_peak_memory_and_input_size(tmp_path):
    source = tmp_path / "in.bin"
    source.write_bytes(b"x" * 2_500_000)

    def step(inputs, out):
        block = bytearray(64_000_000)  # a peak the log must show
        out.write_text(str(len(block)), encoding="utf-8")

    log = tmp_path / "step.log"
    run_step(step, log=log, inputs=[str(source)], out=tmp_path / "out.txt")
    last = log.read_text(encoding="utf-8").strip().splitlines()[-1]
    match = re.fullmatch(r"INFO gtflow.resources: step took [\d.]+ s, peak RSS (\d+) MB, "
                         r"input ([\d.]+) MB, CPU [\d.]+ s, start-up CPU [\d.]+ s", last)
    assert match, last
    assert int(match.group(1)) >= 64 and match.group(2) == "2.5"


def logged_cpu(log):
    last = log.read_text(encoding="utf-8").strip().splitlines()[-1]
    found = re.search(r"step took ([\d.]+) s, .*, CPU ([\d.]+) s, start-up CPU ([\d.]+) s$", last)
    return float(found.group(1)), float(found.group(2)), float(found.group(3))


def test_a_step_logs_the_cpu_of_its_work_and_of_its_waited_children_not_its_waiting(tmp_path):
    import subprocess
    import time

    def spin_then_wait(out):
        until = time.process_time() + 0.4
        while time.process_time() < until:
            pass
        child_spin = "import time\nt = time.process_time() + 0.4\nwhile time.process_time() < t: pass"
        subprocess.run([sys.executable, "-c", child_spin], check=True)
        time.sleep(0.6)  # waiting is not CPU
        out.write_text("done", encoding="utf-8")

    log = tmp_path / "step.log"
    run_step(spin_then_wait, log=log, out=tmp_path / "out.txt")
    seconds, cpu, start_up = logged_cpu(log)
    assert cpu >= 0.8  # its own spin and the child's
    assert cpu <= seconds - 0.4  # the sleep is in the time, not in the CPU
    assert start_up > 0  # this test process had run before the step


def bench_module(relative: str):
    """A module of bench/ (not a package), loaded from its file."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / relative
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_scale_reads_every_field_of_the_resource_line(tmp_path):
    # bench/scale parses the jobs' logs; a change of the line must not leave it reading nothing.
    bench = bench_module("scale/run.py")
    (tmp_path / "logs" / "code").mkdir(parents=True)
    run_step(lambda out: out.write_text("x", encoding="utf-8"),
             log=tmp_path / "logs" / "code" / "merge.log", out=tmp_path / "out.txt")
    [step] = bench.rule_steps(tmp_path)
    seconds, cpu, start_up = logged_cpu(tmp_path / "logs" / "code" / "merge.log")
    assert step.log == "code/merge.log"
    assert (step.seconds, step.cpu_seconds, step.start_up_cpu) == (seconds, cpu, start_up)
    assert step.peak_rss_mb > 0 and step.input_mb == 0


def hold_a_block(megabytes, _item):
    import time

    block = bytearray(megabytes * 1_000_000)
    block[::4096] = b"x" * len(block[::4096])  # touched, so resident
    time.sleep(0.3)  # held across several memory samples, by both workers at once
    return len(block)


def test_a_step_with_workers_counts_each_worker_in_its_peak(tmp_path):
    import resource

    from gtflow.parallel import Workers

    def step(workers, out):
        with Workers(workers, shared=150) as pool:
            sizes = list(pool.ordered_map(hold_a_block, range(4)))
        out.write_text(str(sum(sizes)), encoding="utf-8")

    own_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log = tmp_path / "step.log"
    run_step(step, log=log, workers=2, out=tmp_path / "out.txt")
    last = log.read_text(encoding="utf-8").strip().splitlines()[-1]
    peak = int(re.search(r"peak RSS (\d+) MB", last).group(1))
    assert peak >= own_before + 2 * 140  # two blocks of 150 MB (143 MiB) at once


def test_input_files_inside_a_dataclass_argument_count_too(tmp_path):
    from gtflow.runner import existing_files_mb

    @dataclasses.dataclass(frozen=True)
    class Inputs:
        first: str
        rest: list

    (tmp_path / "a").write_bytes(b"x" * 1_000_000)
    (tmp_path / "b").write_bytes(b"x" * 500_000)
    inputs = Inputs(str(tmp_path / "a"), [str(tmp_path / "b"), str(tmp_path / "missing")])
    assert existing_files_mb([inputs, str(tmp_path / "b")]) == 2.0


def test_steps_run_on_a_memory_pool_that_returns_freed_pages(tmp_path, monkeypatch):
    import pyarrow as pa

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        pa.jemalloc_memory_pool()
        expected = "jemalloc"
    except NotImplementedError:  # a pyarrow without jemalloc: the pool in use is left alone
        expected = "system"
    seen = {}
    run_step(lambda: seen.setdefault("backend", pa.default_memory_pool().backend_name),
             log=tmp_path / "step.log")
    assert seen["backend"] == expected


def test_a_memory_pool_the_user_chose_stands(tmp_path, monkeypatch):
    import pyarrow as pa

    from gtflow.runner import use_returning_memory_pool

    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    pa.set_memory_pool(pa.system_memory_pool())
    assert use_returning_memory_pool() == "system"
    assert pa.default_memory_pool().backend_name == "system"


def test_a_job_without_pyarrow_does_not_load_it_for_the_memory_pool(modules_loaded_by):
    # The report's .qmd and HTML jobs never load pyarrow; choosing Arrow's pool must not either.
    code = "from gtflow.runner import use_returning_memory_pool\nprint(use_returning_memory_pool())"
    assert modules_loaded_by(code, ["pyarrow"]) == ["none"]


def test_a_job_ends_its_process_after_the_step_without_python_s_teardown(tmp_path, run_python):
    log, out = tmp_path / "job.log", tmp_path / "out.txt"
    code = f"""
import atexit
from gtflow.runner import run_job
atexit.register(print, "teardown ran")
def step(out):
    open(out, "w", encoding="utf-8").write("done")
    print("step printed")
run_job(step, log={str(log)!r}, out={str(out)!r})
print("after the job")
"""
    finished = run_python(code)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split("\n") == ["step printed", ""]  # flushed; no teardown, no more
    assert out.read_text(encoding="utf-8") == "done"
    assert "step took" in log.read_text(encoding="utf-8")


def test_a_job_whose_input_is_bad_still_exits_non_zero_with_one_line(tmp_path, run_python):
    code = f"""
from gtflow.errors import InputError
from gtflow.runner import run_job
def step():
    raise InputError("data/raw/x.csv", "no header", line=3)
run_job(step, log={str(tmp_path / "job.log")!r})
"""
    finished = run_python(code)
    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines()[-1].startswith("gtflow: data/raw/x.csv")


def test_the_benchmarks_compile_the_library_even_where_bytecode_writing_is_off(tmp_path,
                                                                              monkeypatch):
    # A run's jobs would otherwise each compile the modules again (PYTHONDONTWRITEBYTECODE).
    benchkit = bench_module("benchkit.py")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "module.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "sub" / "inner.py").write_text("VALUE = 2\n", encoding="utf-8")
    assert benchkit.compile_library(tmp_path)
    assert {p.name.split(".")[0] for p in tmp_path.rglob("*.pyc")} == {"module", "inner"}
