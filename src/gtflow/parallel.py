"""Run a step's independent chunks in worker processes and get the results back in order.

A large stage (one export of a million posts) is a single Snakemake job, so on a machine with
more cores than running jobs the extra cores would sit idle. :func:`ordered_map` lets such a
step hand its chunks to ``workers`` forked processes. The results come back in input order, so
the outputs are the same bytes whatever the number of workers.

Workers are forked, not spawned: a spawned worker re-runs the script it was started from
(a Snakemake script adapter would run the whole step again), and fork shares the step's
prepared state (a de-identifier with its compiled matcher) without pickling it. Where fork is
not available (Windows), or with one worker, the chunks run in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: The state a task reads in a worker: set before the fork, so each worker inherits it.
_shared_state: Any = None


def ordered_map(task: Callable[[Any, Item], Result], items: Iterable[Item], *, shared: Any,
                workers: int) -> Iterator[Result]:
    """Yield ``task(shared, item)`` for each item, in the order of ``items``.

    ``task`` must be a module-level function (it is sent to the workers by name); ``shared``
    is inherited by the forked workers, not pickled. At most ``2 * workers`` items are in
    flight, so a generator of chunks is read only as fast as the workers consume it and
    memory does not grow with the input.
    """
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield task(shared, item)
        return
    global _shared_state
    _shared_state = shared
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque = deque()
            for item in items:
                pending.append(pool.apply_async(_call_with_shared_state, (task, item)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _shared_state = None


def _call_with_shared_state(task: Callable[[Any, Item], Result], item: Item) -> Result:
    return task(_shared_state, item)
