"""Run one library function for a Snakemake script adapter, turning input errors into one message.

The adapters call :func:`run_job`, which is :func:`run_step` and then the end of the job's
process. :func:`run_step` sends log records to the rule's log file and, when the function raises
:class:`~gtflow.errors.InputError` or :class:`~gtflow.errors.ConfigError`, prints one sentence
naming the file (and line or record) or the configuration key and exits non-zero — no traceback
for a researcher to decode. Snakemake then removes the job's outputs, so nothing half-written
remains.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from gtflow.errors import REPORTED_ERRORS
from gtflow.parallel import peak_worker_memory_mb


def configure_logging(log_path: str | Path | None) -> None:
    """Send gtflow's log records to the rule's log file (and warnings to stderr)."""
    handlers: list[logging.Handler] = []
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    handlers.append(stderr)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(levelname)s %(name)s: %(message)s")


def run_step(function: Callable[..., Any], *, log: str | Path | None = None,
             job_process_cpu: float | None = None, **kwargs: Any) -> Any:
    """Call ``function(**kwargs)``; report an InputError or ConfigError as one line and exit
    with status 1. Any other exception is a bug and keeps its traceback.

    ``job_process_cpu``: given when the step runs in a process forked by the job server
    (:mod:`gtflow.jobserver`), the CPU the job's own process had spent; it counts in the job's
    start-up."""
    configure_logging(log)
    if job_process_cpu is not None:
        logging.getLogger("gtflow.jobserver").info(
            "the step runs in a process forked from the run's job server")
    use_returning_memory_pool()
    input_mb = existing_files_mb(kwargs.values())
    start_up = os.times()  # the interpreter, Snakemake's preamble and the imports
    started = time.perf_counter()
    try:
        result = function(**kwargs)
    except REPORTED_ERRORS as error:
        message = f"gtflow: {error.describe()}"
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        print(message, file=sys.stderr)
        sys.exit(1)
    log_resources(time.perf_counter() - started, input_mb, kwargs.get("workers", 1),
                  cpu=cpu_seconds(os.times()) - cpu_seconds(start_up),
                  start_up_cpu=(job_process_cpu or 0.0) + cpu_seconds(start_up))
    return result


def run_job(target: str | Callable[..., Any], *, log: str | Path | None = None,
            **kwargs: Any) -> NoReturn:
    """:func:`run_step` as a Snakemake job's whole process: when the step has succeeded, the
    process ends at once (:func:`end_process`).

    ``target`` names the step as ``"package.module:function"`` so that the job need not load
    it: where the run's job server listens (:mod:`gtflow.jobserver`), a process forked from it,
    which has the libraries loaded already, runs the step, and this process exits with its
    status. Otherwise, or given a function, the step runs here."""
    if isinstance(target, str):
        from gtflow.jobserver import resolve, run_on_server

        status = run_on_server(target, log, kwargs)
        if status is not None:
            end_process(status)
        target = resolve(target)
    run_step(target, log=log, **kwargs)
    end_process()


def end_process(status: int = 0) -> NoReturn:
    """Flush the log and the standard streams, then end the process with ``status`` without
    Python's teardown.

    The teardown frees a large step's objects one by one (0.3-0.5 s after the mechanisms stage
    of a 100k-post study), and the next job on the workflow's critical path waits for it. Nothing
    is lost: every output was written under a temporary name, closed and renamed, and workers
    (gtflow.parallel) were stopped when their step left them.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def use_returning_memory_pool() -> str:
    """Make Arrow (the memory behind pandas' text columns and every Parquet read) allocate with
    jemalloc where this pyarrow has it, unless ``ARROW_DEFAULT_MEMORY_POOL`` names a pool (the
    user's choice stands); return the backend in use.

    Arrow's default on Linux, mimalloc, keeps pages it has freed, so a stage's peak memory is
    the sum of its transient tables; jemalloc hands them back. Measured on the mechanisms stage of
    a 100k-post study in alternating runs: 473-478 MB and 18.8-20.8 s with jemalloc, 560-573 MB
    and 16.6-19.3 s with mimalloc (bench/README.md).

    A job that has not loaded pyarrow (the report's .qmd and HTML) is left alone: loading it
    here would cost such a job more than its work.
    """
    pa = sys.modules.get("pyarrow")
    if pa is None:
        return "none"
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return pa.default_memory_pool().backend_name
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc (e.g. on Windows)
        pass
    return pa.default_memory_pool().backend_name


def peak_rss_mb(workers: int = 1) -> float:
    """The step's peak resident memory (MB): this process's peak plus, when it forked
    ``workers`` (gtflow.parallel), the most private memory they held together. Where their
    memory cannot be sampled (no /proc), each worker counts as large as the largest child;
    with no workers, a child (pandoc) counts alone, as it ran while the step waited."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kB
    largest_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sampled = peak_worker_memory_mb()
    if sampled is not None:
        return own + sampled
    if workers > 1:
        return own + workers * largest_child
    return max(own, largest_child)


def existing_files_mb(values: Any) -> float:
    """Total size (MB) of the files among the step's arguments that exist before it runs (its
    inputs: outputs do not exist yet), as Snakemake's input.size_mb counts them."""
    total = 0
    for value in values:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            total += existing_files_mb(vars(value).values()) * 1_000_000  # e.g. ReportInputs
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, (str, Path)) and str(item) and os.path.isfile(item):
                total += os.path.getsize(item)
    return total / 1_000_000


def cpu_seconds(times: os.times_result) -> float:
    """CPU seconds in ``times``: the process's threads and its waited-for children (workers,
    pandoc), user and system."""
    return times.user + times.system + times.children_user + times.children_system


def log_resources(seconds: float, input_mb: float, workers: int, *, cpu: float,
                  start_up_cpu: float) -> None:
    """One line per job for bench/scale and cluster sizing: time, peak memory (with the step's
    ``workers``), input size, the step's CPU seconds (all its threads and workers: more than its
    time when they overlap) and the CPU the job spent before its step (starting Python, reading
    Snakemake's job, importing)."""
    logging.getLogger("gtflow.resources").info(
        "step took %.2f s, peak RSS %.0f MB, input %.1f MB, CPU %.2f s, start-up CPU %.2f s",
        seconds, peak_rss_mb(workers), input_mb, cpu, start_up_cpu)


def optional(paths: Any) -> str | None:
    """The single path of an optional Snakemake input, or None when the input list is empty."""
    items = [str(p) for p in paths] if not isinstance(paths, str) else [paths]
    return items[0] if items else None
