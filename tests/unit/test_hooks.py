"""The Snakefile's end-of-run hook: Snakemake's waiting scheduler timer is cancelled, nothing else."""

from __future__ import annotations

import threading
import types

from gtflow.hooks import cancel_scheduler_timers


def test_the_scheduler_timer_snakemake_starts_is_cancelled_and_others_are_left():
    from snakemake.scheduling.job_scheduler import JobScheduler

    woken = threading.Semaphore(0)
    # Snakemake's own method, on a stand-in scheduler: it starts the timer a run leaves behind.
    JobScheduler._schedule_reevalutation(types.SimpleNamespace(_open_jobs=woken), 60)
    other = threading.Timer(60, lambda: None)
    other.start()
    try:
        assert cancel_scheduler_timers() == 1
        scheduler_timers = [t for t in threading.enumerate()
                            if isinstance(t, threading.Timer) and t is not other]
        for timer in scheduler_timers:
            timer.join(5)
        assert not any(t.is_alive() for t in scheduler_timers)
        assert not woken.acquire(blocking=False)  # cancelled, so the scheduler was not woken
        assert other.is_alive()
    finally:
        other.cancel()

