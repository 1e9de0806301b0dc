"""Run a step's independent chunks in worker processes and get the results back in order.

A large stage (one export of a million posts) is a single Snakemake job, so on a machine with
more cores than running jobs the extra cores would sit idle. :class:`Workers` lets such a step
hand its chunks to forked processes. The results come back in input order, so the outputs are
the same bytes whatever the number of workers.

Workers are forked, not spawned: a spawned worker re-runs the script it was started from (a
Snakemake script adapter would run the whole step again), and fork shares the step's prepared
state (a de-identifier with its compiled matcher) without pickling it. A step forks its workers
before it reads its data: a worker forked from a large process would start with (and count in
its resident memory) every page of it. Where fork is not available (Windows), or with one
worker, the chunks run in the step's own process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Self, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: The state a task reads in a worker: set before the fork, so each worker inherits it.
_shared_state: Any = None
#: How long a step that stops early waits for the tasks its workers hold (seconds): at most
#: twice the workers' number of chunks, each a few seconds of work at a million posts.
FINISH_SECONDS = 120.0
#: How often the workers' memory is sampled (seconds).
SAMPLE_SECONDS = 0.05
#: The largest total private memory (MB) that the workers of this process held at one sample,
#: over every Workers so far; None while no workers ran (see :func:`peak_worker_memory_mb`).
_peak_private_mb: float | None = None


class Workers:
    """Up to ``count`` worker processes that inherit ``shared``; use as a context manager."""

    def __init__(self, count: int, shared: Any = None) -> None:
        self.shared = shared
        self._pool = None
        if count > 1 and "fork" in multiprocessing.get_all_start_methods():
            global _shared_state
            _shared_state = shared
            try:
                self._pool = multiprocessing.get_context("fork").Pool(count)
            finally:
                _shared_state = None
        self.count = count if self._pool is not None else 1
        self.peak_private_mb = 0.0  # what these workers held together, at most (sampled)
        self._stop_sampling = threading.Event()
        self._sampler = None
        self._in_flight: list[deque] = []  # each ordered_map's tasks handed out, not yet taken
        if self._pool is not None:
            self._sampler = threading.Thread(target=self._sample_memory, daemon=True)
            self._sampler.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exception: object) -> None:
        """Let the tasks already handed out finish, then stop the workers as they wait for the
        next one. Killing them (``Pool.terminate``) could catch one writing its result: it
        would die holding the result queue's lock, and the pool's own shutdown then waits
        for that lock for ever (a test run hung so once, a step stopped by bad input).

        Where that cannot be (an interrupt, which the workers got too, or tasks not done
        within FINISH_SECONDS, e.g. a worker killed for memory), the workers are killed."""
        if self._pool is not None:
            self._stop_sampling.set()
            self._sampler.join()
            if (kind is None or issubclass(kind, Exception)) and self._in_flight_finished():
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _in_flight_finished(self) -> bool:
        """Wait up to FINISH_SECONDS for the tasks handed out and not taken; whether all are
        done."""
        deadline = time.monotonic() + FINISH_SECONDS
        for pending in self._in_flight:
            for result in pending:
                result.wait(max(0.0, deadline - time.monotonic()))
                if not result.ready():
                    return False
        return True

    def _sample_memory(self) -> None:
        """Record the workers' summed private memory every SAMPLE_SECONDS: pages a worker
        still shares with the step (the libraries it inherited) are the step's own, which its
        peak RSS already counts."""
        global _peak_private_mb
        pids = [process.pid for process in self._pool._pool]
        while True:
            self.peak_private_mb = max(self.peak_private_mb,
                                       sum(private_memory_mb(pid) for pid in pids))
            _peak_private_mb = max(_peak_private_mb or 0.0, self.peak_private_mb)
            if self._stop_sampling.wait(SAMPLE_SECONDS):
                return

    def ordered_map(self, task: Callable[[Any, Item], Result],
                    items: Iterable[Item]) -> Iterator[Result]:
        """Yield ``task(shared, item)`` for each item, in the order of ``items``.

        ``task`` must be a module-level function (it is sent to the workers by name). At most
        ``2 * count`` items are in flight, so a generator of chunks is read only as fast as the
        workers consume it and memory does not grow with the input.
        """
        if self._pool is None:
            for item in items:
                yield task(self.shared, item)
            return
        pending: deque = deque()
        self._in_flight.append(pending)
        for item in items:
            pending.append(self._pool.apply_async(_call_with_shared_state, (task, item)))
            if len(pending) >= 2 * self.count:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def private_memory_mb(pid: int) -> float:
    """Memory only this process maps (MB), from Linux's /proc; 0 where that cannot be read."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0.0
    kilobytes = sum(int(line.split()[1]) for line in rollup.splitlines()
                    if line.startswith(("Private_Clean:", "Private_Dirty:")))
    return kilobytes / 1024


def peak_worker_memory_mb() -> float | None:
    """The most private memory (MB) the workers of this process held together, sampled every
    SAMPLE_SECONDS; None if no workers ran or their memory could not be read (no /proc)."""
    return _peak_private_mb or None


def batches(items: Iterable[Item], size: int) -> Iterator[tuple[Item, ...]]:
    """``items`` in tuples of ``size`` (the last may be shorter), as Python 3.12's
    ``itertools.batched``."""
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


def _call_with_shared_state(task: Callable[[Any, Item], Result], item: Item) -> Result:
    return task(_shared_state, item)
