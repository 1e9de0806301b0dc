"""What the Snakefile runs in Snakemake's own process when a run starts (``onstart``) and ends
(``onsuccess``, ``onerror``)."""

from __future__ import annotations

import threading
from typing import Any

from gtflow import jobserver

#: Where Snakemake's job scheduler makes the timer that wakes it again after its job-rate limit's
#: timespan (one second by default).
SCHEDULER_TIMER = "JobScheduler._schedule_reevalutation."


def cancel_scheduler_timers() -> int:
    """Cancel the scheduler's wake-up timers that are still waiting; return how many.

    Snakemake's scheduler starts a :class:`threading.Timer` each time it waits for jobs; the last
    one still runs when the workflow has ended, and Python waits for it before the process exits:
    up to a second added to every run. Its only action is to wake the scheduler, which has
    finished by the time ``onsuccess`` or ``onerror`` runs. Other timers are left alone.
    """
    timers = [thread for thread in threading.enumerate()
              if isinstance(thread, threading.Timer) and thread.is_alive()
              and getattr(thread.function, "__qualname__", "").startswith(SCHEDULER_TIMER)]
    for timer in timers:
        timer.cancel()
    return len(timers)


def start_run(workflow: Any) -> None:
    """Start the job server where the run's jobs run on this machine (:mod:`gtflow.jobserver`)."""
    jobserver.start_for(workflow)


def end_run() -> None:
    """Stop the job server, then cancel the scheduler's waiting timers: either would keep
    Snakemake's process alive after the run."""
    jobserver.stop()
    cancel_scheduler_timers()
