"""Worker processes over a step's chunks: results in input order, bounded reading, errors kept."""

from __future__ import annotations

import os
import threading

import pytest

from gtflow.errors import InputError
from gtflow.parallel import Workers


def scaled_with_pid(shared, item):
    factor, _lock = shared
    return item * factor, os.getpid()


def fail_on_three(shared, item):
    if item == 3:
        raise InputError("posts.jsonl", "this post has no text", record=item)
    return item


def test_results_come_back_in_input_order_from_several_processes():
    # A lock cannot be pickled: the shared state reaches the workers by fork alone.
    with Workers(2, shared=(10, threading.Lock())) as workers:
        results = list(workers.ordered_map(scaled_with_pid, range(40)))
    assert [value for value, _ in results] == [i * 10 for i in range(40)]
    assert {pid for _, pid in results} - {os.getpid()}


def test_one_worker_runs_in_this_process():
    with Workers(1, shared=(2, None)) as workers:
        results = list(workers.ordered_map(scaled_with_pid, range(5)))
    assert results == [(i * 2, os.getpid()) for i in range(5)]


def test_items_are_read_only_a_few_ahead_of_the_results():
    read = []

    def items():
        for i in range(20):
            read.append(i)
            yield i

    with Workers(2, shared=(1, None)) as workers:
        results = workers.ordered_map(scaled_with_pid, items())
        assert next(results)[0] == 0
        assert len(read) <= 2 * 2 + 1
        assert [value for value, _ in results] == list(range(1, 20))


@pytest.mark.parametrize("count", [1, 2])
def test_an_input_error_in_a_worker_reaches_the_step_whole(count):
    with Workers(count) as workers, pytest.raises(InputError) as raised:
        list(workers.ordered_map(fail_on_three, range(6)))
    assert raised.value.describe() == "posts.jsonl, record 3: this post has no text"
    assert raised.value.record == 3


def test_batches_cut_items_into_tuples_of_a_size():
    from gtflow.parallel import batches

    assert list(batches(iter(range(7)), 3)) == [(0, 1, 2), (3, 4, 5), (6,)]
    assert list(batches([], 3)) == []


def hold_megabytes(_shared, megabytes):
    import time

    block = bytearray(megabytes * 1_000_000)
    block[::4096] = b"x" * len(block[::4096])
    time.sleep(0.3)
    return len(block)


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"),
                    reason="worker memory is sampled from Linux's /proc")
def test_worker_memory_is_what_they_hold_not_what_they_inherit():
    inherited = bytearray(200_000_000)
    inherited[::4096] = b"x" * len(inherited[::4096])  # resident in the step before the fork
    with Workers(2) as workers:
        assert list(workers.ordered_map(hold_megabytes, [60, 60])) == [60_000_000] * 2
    # Two blocks of 57 MiB; counting the inherited 190 MiB in each worker would give >= 494.
    assert 100 <= workers.peak_private_mb < 2 * 190
    del inherited


def mark_after_a_while(folder, item):
    import time
    from pathlib import Path

    time.sleep(0.2)
    Path(folder, str(item)).write_text("done", encoding="utf-8")
    return item


def test_tasks_handed_out_finish_when_the_step_stops_early(tmp_path):
    """A step that stops on the first result (bad input found in it) leaves the workers to
    finish what they were given, then stops them waiting: killing one while it writes a
    result can leave the pool's shutdown waiting for ever."""
    with pytest.raises(InputError), Workers(2, shared=str(tmp_path)) as workers:
        for item in workers.ordered_map(mark_after_a_while, range(10)):
            raise InputError("posts.jsonl", "bad", record=item)
    # Four were handed out (twice the workers) before the first result came back.
    assert sorted(int(path.name) for path in tmp_path.iterdir()) == [0, 1, 2, 3]


def test_a_worker_that_died_does_not_keep_the_step_waiting(run_python):
    """A worker killed in its task (e.g. for memory) never returns its result: the step stops
    waiting after FINISH_SECONDS and kills the rest. Run in a new interpreter, so a hang is a
    failed test, not a stalled run."""
    code = """
import os, time
import gtflow.parallel as parallel
from gtflow.parallel import Workers

def die_on_two(shared, item):
    if item == 2:
        os._exit(1)
    time.sleep(0.1)
    return item

parallel.FINISH_SECONDS = 1.0
started = time.monotonic()
try:
    with Workers(2) as workers:
        for item in workers.ordered_map(die_on_two, range(10)):
            raise ValueError(item)
except ValueError as error:
    print("stopped on", error, "after", round(time.monotonic() - started))
"""
    import subprocess

    try:
        result = run_python(code, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the step kept waiting for a task whose worker had died")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stopped on 0 after ")
    assert int(result.stdout.split()[-1]) < 30
